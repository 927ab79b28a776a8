"""The one rule for turning a stored URL into a link: absolute ``http``/``https`` or nothing.

A document's ``url`` comes from whoever wrote its front matter or JSON, so it is hostile input.
Every template (dashboard pages, the brief in HTML, Markdown and PDF) passes a URL through
:func:`safe_link` before it becomes an ``href`` or a Markdown link target; anything the rule
refuses is shown as plain text or left out, never linked.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

# Checked on the raw text, not on what urlsplit makes of it: urlsplit is more forgiving than a
# browser in some places and less in others, and the scheme a browser sees is these letters.
_WEB_PREFIX = re.compile(r"(?i)https?://")
MAX_LINK_LENGTH = 2048


def _invisible(ch: str) -> bool:
    """Controls, format characters (zero-width, bidi overrides) and whitespace: a browser
    drops some of them while parsing a URL (``java\\tscript:``) and others disguise where a
    link goes, so a URL holding any of them is not linked."""
    return ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"}


def safe_link(url: object) -> str | None:
    """``url`` if it may become a link, else ``None``.

    Accepted: an absolute ``http://`` or ``https://`` URL with a host, at most
    :data:`MAX_LINK_LENGTH` characters, without backslashes (browsers read them as ``/``) or
    invisible characters. Refused: every other scheme (``javascript:``, ``data:``,
    ``vbscript:``, ``file:``), relative and protocol-relative (``//host``) URLs, and schemes
    spelled with entities or split by whitespace. Surrounding whitespace is dropped; the URL
    is otherwise returned unchanged, and each output escapes it for its own syntax.
    """
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    if not candidate or len(candidate) > MAX_LINK_LENGTH or not _WEB_PREFIX.match(candidate):
        return None
    if "\\" in candidate or any(_invisible(ch) for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return candidate
