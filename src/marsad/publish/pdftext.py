"""Right-to-left text that extracts from a PDF as it was written.

A PDF maps each drawn glyph to the letters it stands for (its ToUnicode map). WeasyPrint writes
a ligature's letters in reading order (lam-alef as "لأ"); text extractors (poppler's pdftotext,
PDFium) read a right-to-left line glyph by glyph from the right and reverse each glyph's letters
with the line, so every Arabic ligature came out backwards ("الأرقام" as "األرقام"). This
finisher writes the letters of each right-to-left glyph in drawing order instead, which is what
those extractors expect; left-to-right glyphs are left as they are.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# one entry of a ToUnicode map: <glyph id> <UTF-16BE letters>
_ENTRY = re.compile(rb"^<([0-9a-fA-F]{4})> <([0-9a-fA-F]+)>$")
_RTL_CLASSES = frozenset({"R", "AL"})
_KEEP_CLASSES = frozenset({"R", "AL", "NSM"})  # marks ride with their letter


def _is_rtl_cluster(text: str) -> bool:
    classes = [unicodedata.bidirectional(ch) for ch in text]
    return any(c in _RTL_CLASSES for c in classes) and all(c in _KEEP_CLASSES for c in classes)


def _flipped(line: bytes) -> bytes:
    match = _ENTRY.match(line)
    if match is None:
        return line
    try:
        text = bytes.fromhex(match.group(2).decode()).decode("utf-16-be")
    except ValueError:
        return line
    if len(text) < 2 or not _is_rtl_cluster(text):
        return line
    letters = "".join(reversed(text)).encode("utf-16-be").hex()
    return b"<" + match.group(1) + b"> <" + letters.encode() + b">"


def rtl_ligatures_finisher(document: Any, pdf: Any) -> None:
    """A WeasyPrint ``finisher``: rewrite the ToUnicode maps as the module says."""
    del document  # the maps are in the PDF objects
    for obj in getattr(pdf, "objects", []):
        lines = getattr(obj, "stream", None)
        if not isinstance(lines, list) or b"begincmap" not in lines[:4]:
            continue
        obj.stream = [_flipped(x) if isinstance(x, bytes) else x for x in lines]
