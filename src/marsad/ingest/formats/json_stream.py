"""The members of a large top-level JSON object, and the elements of one array member, read
from a file piece by piece with the exact bytes of each element.

A chat export can be gigabytes: it is decoded a chunk at a time and each element is parsed by
the standard library's C decoder as soon as it is whole, so memory holds one chunk and one
element, never the file. Each element comes with its byte offset and its exact bytes in the
file, which is what custody stores and hashes (ijson streams values too, but without the bytes
they were read from).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

CHUNK_CHARS = 1 << 20
_WHITESPACE = " \t\n\r\ufeff"  # a byte-order mark may open the file


class StreamError(ValueError):
    """The stream is not the JSON expected; the message says where."""


@dataclass(frozen=True)
class Element:
    value: Any
    raw: bytes
    offset: int  # byte offset in the file


class ObjectStream:
    """Reads ``{"key": value, ..., "<array key>": [element, ...], ...}`` from ``handle``.

    ``max_element_bytes`` bounds one value: a longer one (or a damaged file, whose error only
    shows once the decoder has read on) stops the stream with an error naming its offset."""

    def __init__(self, handle: IO[bytes], max_element_bytes: int) -> None:
        self._handle = handle
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._offset = 0  # byte offset of self._buf[self._pos]
        self._eof = False
        self._max = max_element_bytes

    def members(self, array_key: str) -> Iterator[tuple[str, Any]]:
        """(key, value) for each member; the array under ``array_key`` comes as (key, None)
        and its elements must then be read with :meth:`elements` before the next member."""
        if self._next_char() != "{":
            raise StreamError("expected a JSON object at the start of the file")
        self._advance(self._pos + 1)
        while True:
            char = self._next_char()
            if char == "}":
                return
            if char == ",":
                self._advance(self._pos + 1)
                continue
            key = self._value()
            if not isinstance(key, str) or self._next_char() != ":":
                raise StreamError(f"expected an object key at byte {self._offset:,}")
            self._advance(self._pos + 1)
            opens_array = self._next_char() == "["
            if key == array_key and opens_array:
                self._advance(self._pos + 1)
                yield key, None
            else:
                yield key, self._value()

    def elements(self) -> Iterator[Element]:
        """The elements of the array just opened, each with its exact bytes."""
        while True:
            char = self._next_char()
            if char == "]":
                self._advance(self._pos + 1)
                return
            if char == ",":
                self._advance(self._pos + 1)
                continue
            offset = self._offset
            value, raw = self._decoded()
            yield Element(value, raw.encode("utf-8"), offset)

    def _value(self) -> Any:
        return self._decoded()[0]

    def _decoded(self) -> tuple[Any, str]:
        """The next value and its text (the buffer may be refilled while it is read)."""
        while True:
            try:
                value, end = self._json.raw_decode(self._buf, self._pos)
            except RecursionError:
                raise StreamError(f"the value at byte {self._offset:,} nests too deeply") from None
            except json.JSONDecodeError as exc:
                if self._eof or not self._cut_short(exc):
                    where = self._offset + len(self._buf[self._pos : exc.pos].encode("utf-8"))
                    raise StreamError(f"not valid JSON at byte {where:,} ({exc.msg})") from None
                self._more()
                continue
            if end < len(self._buf) or self._eof:  # a number at the buffer's end may go on
                text = self._buf[self._pos : end]
                self._advance(end)
                return value, text
            self._more()

    def _cut_short(self, exc: json.JSONDecodeError) -> bool:
        """Whether the decoder stopped only because the buffer ends inside the value."""
        return exc.pos >= len(self._buf) - 8 or exc.msg.startswith("Unterminated string")

    def _more(self) -> None:
        """Read another chunk, refusing a value longer than allowed."""
        if len(self._buf) - self._pos > self._max:
            raise StreamError(
                f"the value at byte {self._offset:,} is over the {self._max:,}-byte limit, "
                "or the file is damaged there"
            )
        self._compact()
        chunk = self._handle.read(CHUNK_CHARS)
        self._eof = not chunk
        self._buf += self._decoder.decode(chunk, final=self._eof)

    def _next_char(self) -> str:
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in _WHITESPACE:
                self._advance(self._pos + 1)
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if self._eof:
                raise StreamError(f"the file ends early, at byte {self._offset:,}")
            self._more()

    def _advance(self, end: int) -> None:
        self._offset += len(self._buf[self._pos : end].encode("utf-8"))
        self._pos = end

    def _compact(self) -> None:
        self._buf = self._buf[self._pos :]
        self._pos = 0
