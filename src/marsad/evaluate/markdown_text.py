"""Readable text of a Markdown report: front matter read apart, markup and links dropped.

Ingest stores a ``.md`` file's body as written; the engine, though, would read every link
target, image path and emphasis mark as text (a URL full of digits looks like a toll). The
evaluation of long reports therefore reads the front matter with the ingest's bounded YAML
loader and then takes away the Markdown syntax with a few linear regular expressions; inline
HTML goes through the ingest's HTML reader, which executes and fetches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from marsad.ingest.html_text import html_to_text
from marsad.ingest.limits import LimitError, load_front_matter

# ![alt](target) goes (the alt text of these reports is mostly a file name); [text](target)
# keeps the words a reader sees.
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_REFERENCE_DEFINITION = re.compile(r"^\s*\[[^\]\n]+\]:\s*\S+.*$", re.MULTILINE)
_BARE_URL = re.compile(r"\(?<?https?://[^\s)>]+>?\)?")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_QUOTE_OR_BULLET = re.compile(r"^\s*(?:>\s*)+|^\s*[-*+]\s+(?=\S)", re.MULTILINE)
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.MULTILINE)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~])")
# emphasis marks (*, _, ~) at a word's edge, and code ticks; a lone trailing "\" is a line break
_EMPHASIS = re.compile(r"(?<!\w)[*_~]{1,3}|[*_~]{1,3}(?!\w)|`+|\\$", re.MULTILINE)


@dataclass(slots=True)
class MarkdownDocument:
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter as a mapping, body); no front matter, or front matter that is not valid
    bounded YAML, gives an empty mapping and the text from after its closing line."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end == -1:
        return {}, text
    body_start = text.find("\n", end + 4)
    body = "" if body_start == -1 else text[body_start + 1 :]
    try:
        loaded = load_front_matter(text[4:end])
    except (LimitError, yaml.YAMLError, ValueError):
        return {}, body
    return (loaded if isinstance(loaded, dict) else {}), body


def strip_markdown(body: str) -> str:
    """The words of a Markdown body, paragraphs on their own lines."""
    text = _IMAGE.sub("", body)
    text = _LINK.sub(r"\1", text)
    text = _REFERENCE_DEFINITION.sub("", text)
    text = _BARE_URL.sub("", text)
    text = _RULE.sub("", text)
    text = _HEADING.sub("", text)
    text = _QUOTE_OR_BULLET.sub("", text)
    # escaped characters are put aside so that the emphasis step leaves them as written
    text = _ESCAPE.sub(lambda m: "\x00" + m.group(1), text)
    text = _EMPHASIS.sub("", text)
    text = re.sub(r"\x00(.)", r"\1", text)
    return html_to_text(text).text


def read_markdown(text: str) -> MarkdownDocument:
    meta, body = split_front_matter(text)
    return MarkdownDocument(strip_markdown(body), meta)
