"""A PDF page's text in reading order, right-to-left lines included.

PDFium gives a page's characters in the order they were drawn and breaks lines where the drawing
jumps. Left-to-right text comes out as written, but a right-to-left line does not: a number or a
Latin word inside Arabic is drawn left to right with the punctuation beside it ("2024." comes
out ".2024"), a letter carrying a vowel mark can be drawn after the rest of its line (and so land
on a line of its own), and a mark is drawn before its letter. So each line holding right-to-left
letters is rebuilt from where its characters sit on the page: letters in visual order, each mark
and each ligature's letters kept with their glyph, then turned into reading order by the
directions of its letters.
"""

from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pypdfium2.raw as pdfium_c

_RTL = frozenset({"R", "AL"})
_NUMBER = frozenset({"EN", "AN"})


@dataclass
class _Char:
    text: str
    left: float
    bottom: float
    right: float
    top: float

    @property
    def centre_x(self) -> float:
        return (self.left + self.right) / 2

    @property
    def centre_y(self) -> float:
        return (self.bottom + self.top) / 2


@dataclass
class _Cluster:
    """One glyph on the page: its letters (a ligature has several) and the marks on it."""

    base: list[_Char]
    marks: list[_Char] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.base) + "".join(m.text for m in self.marks)

    @property
    def kind(self) -> str:
        direction = unicodedata.bidirectional(self.base[0].text)
        if direction in _RTL:
            return "R"
        if direction in _NUMBER:
            return "N"
        return "L" if direction == "L" else "-"


def page_text(textpage: Any) -> str:
    """The text of one ``pypdfium2.PdfTextPage``, one line of the page a line of text."""
    lines = _merge_split_lines(_drawn_lines(textpage))
    return "\n".join(_line_text(line) for line in lines)


def _drawn_lines(textpage: Any) -> list[list[_Char]]:
    lines: list[list[_Char]] = [[]]
    for index in range(textpage.count_chars()):
        text = chr(pdfium_c.FPDFText_GetUnicode(textpage, index))
        if text == "\n":
            lines.append([])
        elif text not in "\r\ufffe\x02":
            lines[-1].append(_Char(text, *textpage.get_charbox(index)))
    return [line for line in lines if line]


def _merge_split_lines(lines: list[list[_Char]]) -> list[list[_Char]]:
    """A drawn line that sits on the previous one's baseline, within its width, is part of it
    (the letter PDFium set apart because it was drawn last)."""
    merged: list[list[_Char]] = []
    for line in lines:
        if merged and _same_line(merged[-1], line):
            merged[-1].extend(line)
        else:
            merged.append(line)
    return merged


def _same_line(previous: list[_Char], line: list[_Char]) -> bool:
    letters = [c for c in previous if not c.text.isspace()]
    if not letters or not any(_is_rtl(c.text) for c in line):
        return False
    height = statistics.median(c.top - c.bottom for c in letters) or 1.0
    centre = statistics.median(c.centre_y for c in letters)
    left = min(c.left for c in letters)
    right = max(c.right for c in letters)
    return all(
        abs(c.centre_y - centre) < height / 2 and left - 1 <= c.centre_x <= right + 1
        for c in line
        if not c.text.isspace()
    )


def _is_rtl(text: str) -> bool:
    return unicodedata.bidirectional(text) in _RTL


def _line_text(line: list[_Char]) -> str:
    if not any(_is_rtl(c.text) for c in line):
        return "".join(c.text for c in line)
    clusters = _clusters(line)
    kinds = [c.kind for c in clusters]
    base = "R" if kinds.count("R") >= kinds.count("L") else "L"
    return "".join(c.text for c in _reading_order(clusters, base))


def _clusters(line: list[_Char]) -> list[_Cluster]:
    """Glyphs from left to right; letters sharing one box (a ligature) stay in drawing order."""
    bases = sorted((c for c in line if unicodedata.category(c.text) != "Mn"), key=_x_key)
    clusters: list[_Cluster] = []
    for char in bases:
        last = clusters[-1].base[-1] if clusters else None
        if last is not None and _same_box(last, char):
            clusters[-1].base.append(char)
        else:
            clusters.append(_Cluster([char]))
    for mark in (c for c in line if unicodedata.category(c.text) == "Mn"):
        if clusters:
            min(clusters, key=lambda g: _distance(g.base[0], mark)).marks.append(mark)
    return clusters


def _same_box(a: _Char, b: _Char) -> bool:
    return abs(a.left - b.left) < 0.1 and abs(a.right - b.right) < 0.1


def _x_key(char: _Char) -> float:
    return char.centre_x


def _distance(letter: _Char, mark: _Char) -> float:
    penalty = 1000.0 if letter.text.isspace() else 0.0
    return abs(letter.centre_x - mark.centre_x) + penalty


def _reading_order(clusters: list[_Cluster], base: str) -> list[_Cluster]:
    """Visual order to reading order. In a right-to-left line the glyphs are read from the
    right, except runs of Latin letters and figures, read from the left; in a left-to-right
    line, runs of right-to-left letters are read from the right, their figures from the left."""
    items = clusters[::-1] if base == "R" else list(clusters)
    kinds = [c.kind for c in items]
    members, stops = ({"L", "N"}, {"R"}) if base == "R" else ({"R"}, {"L"})
    for start, end in _runs(kinds, members, stops):
        items[start:end] = items[start:end][::-1]
        kinds[start:end] = kinds[start:end][::-1]
        if base == "L":
            for a, b in _runs(kinds[start:end], {"N"}, {"R", "L"}):
                items[start + a : start + b] = items[start + a : start + b][::-1]
    return items


def _runs(kinds: list[str], members: set[str], stops: set[str]) -> list[tuple[int, int]]:
    """Maximal stretches that begin and end with a member and hold no stop."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    last = 0
    for index, kind in enumerate(kinds):
        if kind in members:
            if start is None:
                start = index
            last = index
        elif kind in stops and start is not None:
            runs.append((start, last + 1))
            start = None
    if start is not None:
        runs.append((start, last + 1))
    return runs
