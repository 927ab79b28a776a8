"""Quoting text in Markdown so that it stays text.

The Markdown brief quotes what sources wrote: names, titles, places, figures' wording. Each of
those may hold Markdown or HTML (``[<svg onload=...>](javascript:...)``), and a renderer would
turn it into a link or markup. :func:`md_text` escapes every value the template prints (it is
the environment's ``finalize``); the few pieces the template means as Markdown (a code span, a
link target already passed through :func:`~marsad.protect.links.safe_link`) are
:class:`Markdown` and printed as they are.
"""

from __future__ import annotations

import re

from marsad.protect.links import safe_link


class Markdown(str):
    """Text already in Markdown syntax: printed by the template without escaping."""


# Everything CommonMark or a GitHub-style renderer may read as syntax anywhere in a line:
# emphasis, code, links and images, raw HTML and autolinks, entities, table cells,
# strikethrough, headings, and the braces of the brief's own chart placeholders.
_INLINE_SYNTAX = re.compile(r"([\\`*_{}\[\]()<>#|~&])")
# What starts a block when it opens a line: a list item, a setext underline, an ordered item.
_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")
# Line breaks and other controls would end a table row or start a new block; as spaces they
# keep the value on its line.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]+")


def md_text(value: object) -> str:
    """``value`` as Markdown text that renders to exactly its characters, on one line."""
    if isinstance(value, Markdown):
        return value
    if value is None:
        return ""
    text = _BREAKS.sub(" ", str(value)).strip()
    text = _INLINE_SYNTAX.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


def md_code(value: object) -> Markdown:
    """``value`` as an inline code span; the fence is longer than any backtick run inside."""
    text = _BREAKS.sub(" ", "" if value is None else str(value)).strip()
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markdown(f"{fence}{pad}{text}{pad}{fence}")


# In a link target these would end it early, open a code span, split a table cell or be read
# as an entity; a backslash keeps each one literal in the URL.
_TARGET_SYNTAX = re.compile(r"([\\`()<>\[\]|&{}])")


def md_url(url: object) -> Markdown:
    """A link target for ``url``, or empty text where :func:`safe_link` refuses it."""
    link = safe_link(url)
    return Markdown(_TARGET_SYNTAX.sub(r"\\\1", link) if link else "")
