"""When it happened: the report's dateline, and each claim's date.

A full date in the first few tokens ("Wed 05 Apr 2017 ...") or a wire service's dateline
("BEIRUT, Oct 29 (Reuters) -", after a headline too) says when the report was filed: it anchors
relative dates when no publication date is given, and is not the event's date. A wire dateline
gives no year: it takes the first year the text states, else it anchors nothing. A claim
takes the best date of its own sentences, else of the sentences before it in its paragraph or
the headline, else the days before publication.
"""

from __future__ import annotations

from datetime import date, timedelta

from marsad.extract.dates import DateMention, DateReader
from marsad.extract.lexicon import PhraseMatcher
from marsad.extract.stages.common import span
from marsad.extract.state import ClaimDraft, DocState, SentenceInfo
from marsad.extract.text import Tokens

_FALLBACK_WINDOW_DAYS = 6
_WIRE_WINDOW = 30  # tokens of the first sentence a wire dateline may open after (a headline)
_DASHES = frozenset({"-", "–", "—"})


class Dateline:
    def __init__(self, matcher: PhraseMatcher, dates: DateReader) -> None:
        self.matcher = matcher
        self.dates = dates

    def find(self, doc: DocState) -> None:
        """The dateline of the first sentence; it anchors the report when nothing else does."""
        tokens, first = doc.tokens, doc.sentences[0]
        end = min(first.end, first.start + 10)
        matches = self.matcher.match(tokens, first.start, end, doc.nodes)
        for d in self.dates.read(tokens, first.start, end, matches, None):
            # "Wed 05 Apr 2017", "Published April 2 2017", "Date of publication 7 July 2016"
            if d.explicit_year and d.precision == 1 and d.start <= first.start + 4:
                doc.dateline = d
                break
        if doc.dateline is None:
            doc.dateline = self._wire(doc)
        if doc.anchor is None and doc.dateline is not None:
            doc.anchor = doc.dateline.first

    def _wire(self, doc: DocState) -> DateMention | None:
        """A wire service's dateline: a place in capitals, a day of a month, the agency in
        brackets and a dash ("BEIRUT, Oct 29 (Reuters) -", "ALEPPO, Syria, May 3 (AP) —")."""
        tokens, first = doc.tokens, doc.sentences[0]
        end = min(first.end, first.start + _WIRE_WINDOW)
        matches = self.matcher.match(tokens, first.start, end, doc.nodes)
        for d in self.dates.read(tokens, first.start, end, matches, None):
            if d.explicit_year or not _wire_dateline(tokens, d, first.start):
                continue
            if doc.anchor is not None or d.first is not None:
                return d
            year = self._stated_year(doc)
            if year is None:
                return d  # no year anywhere: the dateline anchors nothing
            resolved = self.dates.read(tokens, d.start, d.end, matches, date(year, 12, 31))
            return next((r for r in resolved if r.start == d.start), d)
        return None

    def _stated_year(self, doc: DocState) -> int | None:
        """The year of the first date the text gives with its year."""
        tokens = doc.tokens
        matches = self.matcher.match(tokens, 0, len(tokens), doc.nodes)
        for d in self.dates.read(tokens, 0, len(tokens), matches, None):
            if d.explicit_year and d.first is not None:
                return d.first.year
        return None

    def untie(self, doc: DocState) -> None:
        """The dateline says when the report was filed, not when the event happened."""
        dateline = doc.dateline
        if dateline is None:
            return
        head = doc.infos[0]
        others = [d for d in head.dates if d.start > dateline.start]
        if others:
            head.dates = others


def _wire_dateline(tokens: Tokens, d: DateMention, opening: int) -> bool:
    """Whether a month-day date stands where a wire dateline has it: after a word in capitals
    (and a comma, and perhaps a country), before the agency in brackets or a dash."""
    keys = tokens.keys
    k = d.end + (d.end < len(keys) and keys[d.end] == ",")
    if k >= len(keys) or (keys[k] != "(" and keys[k] not in _DASHES):
        return False
    b = d.start - 1
    if b < opening or keys[b] != ",":
        return False
    # "ALEPPO, Syria, May 3": a capitalised country between the place and the date
    if b - 2 >= opening and keys[b - 2] == "," and tokens.surface(b - 1)[:1].isupper():
        b -= 2
    word = tokens.surface(b - 1) if b - 1 >= opening else ""
    return len(word) > 1 and word.isalpha() and word.isupper()


class ClaimDate:
    def __init__(self, dates: DateReader) -> None:
        self.dates = dates

    def build(self, doc: DocState, draft: ClaimDraft) -> bool:
        tokens, infos, anchor, sents = doc.tokens, doc.infos, doc.anchor, draft.sents
        date_mention, date_info = _own_date(sents)
        if date_mention is None:
            for s in reversed(infos[: sents[0].index]):
                if s.paragraph != sents[0].paragraph and s.index != 0:
                    continue
                if s.background:
                    continue
                d = self.dates_of(tokens, s, anchor)
                if d is not None:
                    date_mention, date_info = d, s
                    break
        draft.date_mention = date_mention
        if date_mention is not None and date_info is not None and date_mention.first is not None:
            draft.date_start = date_mention.first.isoformat()
            draft.date_end = date_mention.last.isoformat() if date_mention.last else None
            draft.precision = date_mention.precision
            draft.date_evidence = span(
                tokens.text, tokens.starts[date_mention.start], tokens.ends[date_mention.end - 1]
            )
        elif anchor is not None:
            # Undated report: the event happened in the days before publication.
            draft.date_start = (anchor - timedelta(days=_FALLBACK_WINDOW_DAYS)).isoformat()
            draft.date_end = anchor.isoformat()
            draft.precision = 3
        return True

    def dates_of(self, tokens: Tokens, s: SentenceInfo, anchor: date | None) -> DateMention | None:
        if not s.dates and not s.eventful and not s.dates_read:
            sent = s.sentence
            s.dates = self.dates.read(tokens, sent.start, sent.end, s.matches, anchor)
            s.dates_read = True
        d = s.best_date()
        if d is not None and d.explicit_year is False and d.relative is False and d.days == 1:
            return d
        if d is not None and (d.precision or 9) <= 4:
            return d
        return None


def _own_date(sents: list[SentenceInfo]) -> tuple[DateMention | None, SentenceInfo | None]:
    date_mention: DateMention | None = None
    date_info: SentenceInfo | None = None
    since_has_counts = False
    for s in sents:
        d = s.best_date()
        # "since ..." dates a total only where the sentence gives one ("threats since
        # early October" does not re-date the detention of 16 October).
        since = d is not None and d.since and bool(s.counts)
        held_since = date_mention is not None and date_mention.since and since_has_counts
        if d is not None and (
            date_mention is None
            or since
            or ((d.precision or 9) < (date_mention.precision or 9) and not held_since)
        ):
            since_has_counts = since
            date_mention, date_info = d, s
    return date_mention, date_info
