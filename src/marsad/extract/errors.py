"""Errors the extraction engine raises on input it will not read."""

from __future__ import annotations


class ExtractionError(ValueError):
    """Input the engine refuses (it never fails silently on such input)."""


class TextTooLargeError(ExtractionError):
    """The text is longer than ``MAX_TEXT_CHARS``; split it into documents first."""


class InvalidTextError(ExtractionError):
    """The input is not text (bytes, None, ...)."""
