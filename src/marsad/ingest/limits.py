"""Bounds on what one file may ask of the parser and of the database.

Each check runs before the expensive or fragile step it protects: JSON nesting is measured
without recursion before ``json.loads`` recurses, YAML front matter is refused by size and for
anchors and aliases before anything is built from it, and values that one backend would store
and the other refuse (NUL characters, infinities, over-long codes) are refused on both.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.events import AliasEvent

MAX_JSON_DEPTH = 64
MAX_FRONT_MATTER_CHARS = 64 * 1024
MAX_FRONT_MATTER_DEPTH = 16
MAX_SOURCE_CHARS = 300  # sources.name is String(300)
MAX_LANGUAGE_CHARS = 16  # documents.language is String(16)

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# every byte except brackets is deleted; closing braces count as brackets of the same kind
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_SAME_BRACKETS = bytes.maketrans(b"{}", b"[]")
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_SURROGATE = re.compile("[\ud800-\udfff]")


class LimitError(ValueError):
    """A file is refused by one of these bounds; the message says which and why."""


def json_too_deep(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects in ``data`` nest more than ``limit`` levels deep.

    Strings are removed (brackets inside them do not count), then each pass deletes every
    innermost ``[]`` pair; a pair still there after ``limit`` passes was nested deeper. Every
    step is a C-level scan, so even megabytes of brackets take milliseconds.
    """
    shape = _JSON_STRING.sub(b"", data).translate(_SAME_BRACKETS, _NOT_BRACKETS)
    if b"[" * (limit + 1) in shape:
        return True
    for _ in range(limit):
        reduced = shape.replace(b"[]", b"")
        if len(reduced) == len(shape):
            return False
        shape = reduced
    return b"[]" in shape


def refuse_json_constant(name: str) -> Any:
    """For ``json.loads(parse_constant=...)``: NaN and Infinity are not JSON, and PostgreSQL's
    JSON refuses them, so a record carrying one is refused on every backend."""
    raise LimitError(f"number {name} is not allowed (JSON has no NaN or Infinity)")


def check_values(value: Any) -> None:
    """Refuse text and numbers that one database would store and the other reject.

    Walks nested lists and objects with an explicit stack (no recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise LimitError(f"number {item} is not allowed (only finite numbers)")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise LimitError(
            f"contains a NUL character (\\u0000) at position {text.index(chr(0)):,}; "
            "text never does"
        )
    found = _SURROGATE.search(text)
    if found:
        raise LimitError(
            f"contains an unpaired UTF-16 surrogate (\\u{ord(found.group()):04x}) at "
            f"position {found.start():,}, which is not a character"
        )


def language_code(value: str) -> str | None:
    """A language tag such as ``ar`` or ``en-gb`` (lower-cased), or None when it is not one."""
    code = value.strip().lower().replace("_", "-")
    if len(code) <= MAX_LANGUAGE_CHARS and _LANGUAGE_TAG.fullmatch(code):
        return code
    return None


def check_source(value: str) -> None:
    if len(value) > MAX_SOURCE_CHARS:
        raise LimitError(
            f"source is {len(value):,} characters, over the {MAX_SOURCE_CHARS}-character limit"
        )


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML without anchors or aliases, nested at most ``MAX_FRONT_MATTER_DEPTH`` deep.

    Aliases let a few hundred bytes expand to gigabytes ("billion laughs"); report metadata
    never needs them, so the first anchor or alias stops the parse."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise LimitError(
                "front matter uses YAML anchors or aliases (&name, *name), which are not "
                "accepted; write each value out"
            )
        self.depth += 1
        if self.depth > MAX_FRONT_MATTER_DEPTH:
            raise LimitError(f"front matter nests more than {MAX_FRONT_MATTER_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load_front_matter(block: str) -> Any:
    """The YAML value of a front-matter block, within the size, alias and depth bounds.

    Raises :class:`LimitError` for a bound and ``yaml.YAMLError`` for invalid YAML."""
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise LimitError(
            f"front matter is {len(block):,} characters, over the "
            f"{MAX_FRONT_MATTER_CHARS:,}-character limit"
        )
    loader = _FrontMatterLoader(block)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
