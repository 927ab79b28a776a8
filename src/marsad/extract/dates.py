"""Dates and date intervals, resolved against the publication date.

Absolute ("October 5, 2023", "5 October 2023", "2023-10-05", "5/10/2023" read day first, as in
Syrian and British usage, unless the first figure cannot be a month's day count), partial
("December 22nd": the year of publication, or the year before when that would put the date more
than two days after publication), relative ("yesterday", "on Friday", "last week", "earlier this
month"), parts of months ("in early September" = 1-10), years ("in 2016"), and intervals ("since
5 October 2023" runs to the publication date; "between 5 and 25 October 2023"; "from X to Y").
Without a publication date, anything that needs one resolves to None: no guessing.

Precision follows UCDP ``date_prec`` from the length of the interval: 1 day -> 1, 2-6 days -> 2,
a week -> 3, 8-31 days -> 4, longer -> 5.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import compress

from marsad.extract.lexicon import MONTH, MONTH_PART, RELATIVE, WEEKDAY, Match
from marsad.extract.text import ISO_DATE, JOINER, NUM, PUNCT, SLASH_DATE, WORD, Tokens
from marsad.lang import LanguagePack

_DATE_KINDS = frozenset({NUM, ISO_DATE, SLASH_DATE})
_WRITTEN_KINDS = frozenset({ISO_DATE, SLASH_DATE})  # a whole date in one token
_YEAR_MIN = 1900
_YEAR_MAX = 2100
# Shared stand-in for the position table of a match kind the sentence lacks; never written to.
_NO_MATCHES: dict[int, Match] = {}


@dataclass(slots=True)
class _TextPositions:
    """Where a date can start in one text; see DateReader._scan."""

    tokens: Tokens
    figures: list[int]
    lone: list[int]
    agos: list[int]


@dataclass(slots=True)
class _Cues:
    """A sentence's date words by the token they start at (each empty where it has none)."""

    months: dict[int, Match]
    weekdays: dict[int, Match]
    relatives: dict[int, Match]
    parts: dict[int, Match]


@dataclass(slots=True)
class DateMention:
    start: int  # token range of the expression
    end: int
    first: date | None  # resolved interval, None when it needs a publication date we lack
    last: date | None
    precision: int | None
    since: bool = False  # "since X": the interval runs to publication
    explicit_year: bool = False
    relative: bool = False

    @property
    def days(self) -> int | None:
        if self.first is None or self.last is None:
            return None
        return (self.last - self.first).days + 1


def precision_for(first: date, last: date) -> int:
    days = (last - first).days + 1
    if days <= 1:
        return 1
    if days <= 6:
        return 2
    if days <= 7:
        return 3
    if days <= 31:
        return 4
    return 5


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not (_YEAR_MIN <= year <= _YEAR_MAX and 1 <= month <= 12):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year_of(token: str) -> int | None:
    if len(token) == 4 and token.isdigit():
        y = int(token)
        if _YEAR_MIN <= y <= _YEAR_MAX:
            return y
    return None


class DateReader:
    """Finds and resolves the date expressions of one sentence. Built once per pack."""

    def __init__(self, pack: LanguagePack) -> None:
        self.pack = pack
        self.ordinals = pack.ordinal_suffixes
        self.ago_units = pack.ago_units
        self.units = pack.number_units
        grammar = pack.grammar
        self.year_cues = grammar.year_cues
        self.month_context = grammar.month_context
        self.range_joiners = grammar.date_range_joiners
        self.and_words = grammar.and_words
        self.of_words = grammar.of_words
        self.since_words = grammar.since_words
        self.interval_openers = grammar.from_words | grammar.between_words
        self.ago_words = grammar.ago_words
        # Positions in the last text read (see _scan): the engine reads a text sentence by
        # sentence, so they are found once per text.
        self._doc: _TextPositions | None = None

    # -- helpers ---------------------------------------------------------------------------
    def _day_at(self, tokens: Tokens, i: int, end: int) -> tuple[int, int] | None:
        """A day of month at token i ("22", "22nd"): (day, next token)."""
        if i >= end or tokens.kinds[i] != NUM:
            return None
        key = tokens.keys[i]
        if not key.isdigit() or len(key) > 2:
            return None
        day = int(key)
        if not 1 <= day <= 31:
            return None
        j = i + 1
        if j < end and tokens.keys[j] in self.ordinals and tokens.starts[j] == tokens.ends[i]:
            j += 1
        return day, j

    def _year_after(self, tokens: Tokens, j: int, end: int) -> tuple[int | None, int]:
        """An optional ", 2023" after a day or month."""
        k = j
        if k < end and tokens.keys[k] == ",":
            k += 1
        if k < end and tokens.kinds[k] == NUM:
            y = _year_of(tokens.keys[k])
            if y is not None:
                return y, k + 1
        return None, j

    def _month_at(self, tokens: Tokens, i: int, months: dict[int, Match]) -> Match | None:
        m = months.get(i)
        if m is None:
            return None
        if tokens.keys[i] in self.pack.ambiguous_months:
            text = tokens.text
            if not text[tokens.starts[i]].isupper():
                return None
        return m

    def _partial(self, month: int, day: int, anchor: date | None) -> date | None:
        if anchor is None:
            return None
        d = _safe_date(anchor.year, month, day)
        if d is None or d > anchor + timedelta(days=2):
            d = _safe_date(anchor.year - 1, month, day)
        return d

    def _month_interval(
        self, month: int, year: int | None, anchor: date | None
    ) -> tuple[date, date] | None:
        if year is None:
            if anchor is None:
                return None
            year = anchor.year if month <= anchor.month else anchor.year - 1
        if not _YEAR_MIN <= year <= _YEAR_MAX:
            return None
        return date(year, month, 1), _month_end(year, month)

    def _scan(self, tokens: Tokens) -> _TextPositions:
        """Sorted positions, in the whole text, of the tokens a date can open with, cached for
        the last text (tokens are never changed once made):

        * figures: every NUM, ISO_DATE and SLASH_DATE token;
        * lone: the figures that can be a date with no month or "ago" in the sentence: ISO and
          slashed dates, and figures after a year cue ("in 2016");
        * agos: the "ago" words.
        """
        keys, kinds = tokens.keys, tokens.kinds
        figures: list[int] = []
        lone: list[int] = []
        year_cues = self.year_cues
        # Kinds are small ints: as bytes, each kind's tokens are found by memchr-speed find().
        kind_bytes = bytes(kinds)
        for kind in _DATE_KINDS:
            i = kind_bytes.find(kind)
            while i >= 0:
                figures.append(i)
                if kind != NUM or (i > 0 and keys[i - 1] in year_cues):
                    lone.append(i)
                i = kind_bytes.find(kind, i + 1)
        figures.sort()
        lone.sort()
        agos: list[int] = []
        if not self.ago_words.isdisjoint(keys):
            agos = list(compress(range(len(keys)), map(self.ago_words.__contains__, keys)))
        doc = _TextPositions(tokens, figures, lone, agos)
        self._doc = doc
        return doc

    # -- main ------------------------------------------------------------------------------
    def read(
        self,
        tokens: Tokens,
        start: int,
        end: int,
        matches: dict[str, list[Match]],
        anchor: date | None,
    ) -> list[DateMention]:
        doc = self._doc
        if doc is None or doc.tokens is not tokens:
            doc = self._scan(tokens)
        # ("in" and [] rather than .get(): no method call, for the cheapest sentence.)
        months = {m.start: m for m in matches[MONTH]} if MONTH in matches else _NO_MATCHES
        weekdays = {m.start: m for m in matches[WEEKDAY]} if WEEKDAY in matches else _NO_MATCHES
        relatives = {m.start: m for m in matches[RELATIVE]} if RELATIVE in matches else _NO_MATCHES
        parts = {m.start: m for m in matches[MONTH_PART]} if MONTH_PART in matches else _NO_MATCHES
        cues = _Cues(months, weekdays, relatives, parts)
        candidates = self._candidates(tokens, doc, start, end, cues)
        if not candidates:
            return []
        out: list[DateMention] = []
        next_free = start
        for i in candidates:
            if i < next_free:
                continue
            found = self._read_at(tokens, i, end, start, cues, anchor)
            if found is None:
                continue
            self._widen(tokens, found, i, start, end, cues, anchor)
            rel = relatives.get(i)
            if rel is not None and out and rel.value in self.pack.chained_days:
                _chain(found, out, self.pack.chained_days[rel.value])
            out.append(found)
            next_free = found.end
        return out

    def _candidates(
        self,
        tokens: Tokens,
        doc: _TextPositions,
        start: int,
        end: int,
        cues: _Cues,
    ) -> list[int]:
        """The tokens of ``start:end``, in order, that can open a date expression."""
        months, weekdays, relatives, parts = cues.months, cues.weekdays, cues.relatives, cues.parts
        ago_here = False
        if doc.agos:
            k = bisect_left(doc.agos, start)
            ago_here = k < len(doc.agos) and doc.agos[k] < end
        # Only tokens that can open a date expression are tried. A plain figure is a day only
        # before a month, an amount only before "ago"; without either in the sentence (most
        # sentences) only the lone figures can be dates.
        pool = doc.figures if months or ago_here else doc.lone
        lo = bisect_left(pool, start)
        hi = bisect_left(pool, end, lo)
        if months or weekdays or relatives or parts or ago_here:
            opening = set(pool[lo:hi])
            opening.update(months, weekdays, relatives, parts)
            if ago_here:
                keys = tokens.keys
                opening.update(
                    compress(range(start, end), map(self.units.__contains__, keys[start:end]))
                )
            return sorted(opening)
        return pool[lo:hi]

    def _widen(
        self,
        tokens: Tokens,
        found: DateMention,
        i: int,
        start: int,
        end: int,
        cues: _Cues,
        anchor: date | None,
    ) -> None:
        """Widens ``found``, read at ``i``, to the interval its cue opens: "since X" (to
        publication), "from X to Y", "between X and Y"."""
        keys, kinds = tokens.keys, tokens.kinds
        j = i - 1
        while j >= start and kinds[j] == PUNCT:
            j -= 1
        cue = keys[j] if j >= start else ""
        if cue in self.since_words:
            found.start = j
            found.since = True
            if anchor is not None and found.first is not None and found.first <= anchor:
                found.last = anchor
                found.precision = precision_for(found.first, anchor)
            else:
                found.last = None
                found.precision = 5 if found.first is not None else None
        elif (
            cue in self.interval_openers
            and found.end < end
            and keys[found.end] in self.range_joiners
        ):
            second = self._read_at(tokens, found.end + 1, end, start, cues, anchor)
            if second is not None and second.first and found.first and second.first >= found.first:
                found.start = j
                found.end = second.end
                found.last = second.last
                found.explicit_year = found.explicit_year or second.explicit_year
                found.precision = precision_for(found.first, second.last or second.first)

    def _read_at(
        self,
        tokens: Tokens,
        i: int,
        end: int,
        start: int,
        cues: _Cues,
        anchor: date | None,
    ) -> DateMention | None:
        keys, kinds = tokens.keys, tokens.kinds
        months, weekdays, relatives, parts = cues.months, cues.weekdays, cues.relatives, cues.parts
        kind = kinds[i]
        if kind in _WRITTEN_KINDS:
            return _written_date(keys[i], kind, i)
        # Weekday: "Wed 05 Apr 2017" is an absolute date; "on Friday" is relative.
        wd = weekdays.get(i)
        if wd is not None and (
            keys[i] not in self.pack.ambiguous_weekdays or tokens.text[tokens.starts[i]].isupper()
        ):
            return self._weekday(tokens, i, end, start, wd, cues, anchor)
        month_match = self._month_at(tokens, i, months) if i in months else None
        if month_match is not None:
            return self._month_first(tokens, i, end, start, month_match, anchor)
        if kind == NUM:
            found = self._figure_first(tokens, i, end, start, months, anchor)
            if found is not None:
                return found
        if (
            kind == WORD
            and i + 2 < end
            and keys[i] in self.units
            and keys[i + 1] in self.ago_units
            and keys[i + 2] in self.ago_words
        ):
            return self._ago(i, i + 3, keys[i], keys[i + 1], anchor)
        part = parts.get(i)
        if part is not None:
            found = self._month_part(tokens, i, end, part, months, anchor)
            if found is not None:
                return found
        rel = relatives.get(i)
        if rel is not None:
            return self._relative(i, rel, anchor)
        return None

    def _weekday(
        self,
        tokens: Tokens,
        i: int,
        end: int,
        start: int,
        wd: Match,
        cues: _Cues,
        anchor: date | None,
    ) -> DateMention:
        """A weekday at ``i``: the full date it heads ("Wed 05 Apr 2017"), or the last such day
        on or before publication ("on Friday"), or a run of days ("from Monday to Wednesday")."""
        keys = tokens.keys
        j = wd.end
        if j < end and keys[j] == ",":
            j += 1
        after = (
            # the date a weekday heads has only month words ("Wed 05 Apr 2017")
            self._read_at(
                tokens,
                j,
                end,
                start,
                _Cues(cues.months, _NO_MATCHES, _NO_MATCHES, _NO_MATCHES),
                anchor,
            )
            if j < end
            else None
        )
        if after is not None and after.days == 1:
            after.start = i
            return after
        if anchor is None:
            return DateMention(i, wd.end, None, None, None, relative=True)
        back = (anchor.weekday() - int(wd.value)) % 7
        dt = anchor - timedelta(days=back)
        # "on Saturday and Sunday", "from Monday to Wednesday": one interval
        k = wd.end
        weekdays = cues.weekdays
        if k + 1 < end and keys[k] in self.range_joiners and (k + 1) in weekdays:
            other = weekdays[k + 1]
            back2 = (anchor.weekday() - int(other.value)) % 7
            dt2 = anchor - timedelta(days=back2)
            if dt2 > dt and (dt2 - dt).days < 7:
                return DateMention(i, other.end, dt, dt2, precision_for(dt, dt2), relative=True)
        return DateMention(i, wd.end, dt, dt, 1, relative=True)

    def _month_first(
        self, tokens: Tokens, i: int, end: int, start: int, month_match: Match, anchor: date | None
    ) -> DateMention | None:
        """Month first: "October 5, 2023", "December 22nd", "October 2023", "October 5-25"."""
        keys = tokens.keys
        month = int(month_match.value)
        glued = _glued_day_year(tokens, month_match.end, end)
        if glued is not None:  # "Apr 232017" (day and year run together by a scraper)
            dt = _safe_date(glued[1], month, glued[0])
            return DateMention(i, month_match.end + 1, dt, dt, 1 if dt else None, True)
        day_at = self._day_at(tokens, month_match.end, end)
        if day_at is not None:
            day, j = day_at
            day2: int | None = None
            if j + 1 < end and keys[j] in self.range_joiners and keys[j] not in self.and_words:
                second_day = self._day_at(tokens, j + 1, end)
                if second_day is not None and second_day[0] > day:
                    day2, j = second_day
            year, j = self._year_after(tokens, j, end)
            return self._day_mention(i, j, year, month, day, day2, anchor)
        year, j = self._year_after(tokens, month_match.end, end)
        if year is None:
            prev = keys[i - 1] if i > start else ""
            if prev not in self.month_context:
                return None
        span = self._month_interval(month, year, anchor)
        if span is None:
            return DateMention(i, j, None, None, None, explicit_year=year is not None)
        return DateMention(i, j, span[0], span[1], 4, explicit_year=year is not None)

    def _figure_first(
        self,
        tokens: Tokens,
        i: int,
        end: int,
        start: int,
        months: dict[int, Match],
        anchor: date | None,
    ) -> DateMention | None:
        """A figure first: a day ("5 October 2023", "22nd of December", "5-25 October 2023"),
        a year after a cue ("in 2016") or an amount of time ago ("3 days ago")."""
        keys = tokens.keys
        # A day needs a month after it; without one in the sentence, skip the search.
        day_at = self._day_at(tokens, i, end) if months else None
        if day_at is not None:
            day, j = day_at
            day2 = None
            if j + 1 < end and keys[j] in self.range_joiners:
                d2 = self._day_at(tokens, j + 1, end)
                if d2 is not None and d2[0] > day:
                    k = d2[1]
                    if k < end and keys[k] in self.of_words:
                        k += 1
                    if self._month_at(tokens, k, months) is not None:
                        day2, j = d2[0], k
            if j < end and keys[j] in self.of_words:
                j += 1
            mo = self._month_at(tokens, j, months)
            if mo is not None:
                year, stop = self._year_after(tokens, mo.end, end)
                return self._day_mention(i, stop, year, int(mo.value), day, day2, anchor)
        year_only = _year_of(keys[i]) if i > start and keys[i - 1] in self.year_cues else None
        if year_only is not None:
            first, last = date(year_only, 1, 1), date(year_only, 12, 31)
            return DateMention(i, i + 1, first, last, 5, explicit_year=True)
        # "3 days ago"
        if i + 2 < end and keys[i + 1] in self.ago_units and keys[i + 2] in self.ago_words:
            return self._ago(i, i + 3, keys[i], keys[i + 1], anchor)
        return None

    def _month_part(
        self,
        tokens: Tokens,
        i: int,
        end: int,
        part: Match,
        months: dict[int, Match],
        anchor: date | None,
    ) -> DateMention | None:
        """ "early September", "mid-October 2023", "the end of September"."""
        j = part.end
        while j < end and tokens.kinds[j] == JOINER:
            j += 1
        mo = self._month_at(tokens, j, months) if j < end else None
        if mo is None:
            return None
        year, stop = self._year_after(tokens, mo.end, end)
        span = self._month_interval(int(mo.value), year, anchor)
        if span is None:
            return DateMention(i, stop, None, None, None, explicit_year=year is not None)
        lo, hi = self.pack.month_parts[part.value]
        first = span[0].replace(day=lo)
        last = span[1].replace(day=min(hi, span[1].day))
        return DateMention(
            i, stop, first, last, precision_for(first, last), explicit_year=year is not None
        )

    def _day_mention(
        self,
        i: int,
        j: int,
        year: int | None,
        month: int,
        day: int,
        day2: int | None,
        anchor: date | None,
    ) -> DateMention:
        if year is not None:
            first = _safe_date(year, month, day)
        else:
            first = self._partial(month, day, anchor)
        if first is None:
            return DateMention(i, j, None, None, None, explicit_year=year is not None)
        last = first
        if day2 is not None:
            last = _safe_date(first.year, month, day2) or first
        return DateMention(
            i, j, first, last, precision_for(first, last), explicit_year=year is not None
        )

    def _ago(self, i: int, j: int, amount: str, unit: str, anchor: date | None) -> DateMention:
        n = int(amount) if amount.isdigit() and len(amount) < 5 else self.units.get(amount, 1)
        if anchor is None:
            return DateMention(i, j, None, None, None, relative=True)
        days = n * self.ago_units[unit]
        dt = anchor - timedelta(days=days)
        if self.ago_units[unit] == 1:
            return DateMention(i, j, dt, dt, 1, relative=True)
        first = dt - timedelta(days=self.ago_units[unit] // 2)
        last = min(anchor, dt + timedelta(days=self.ago_units[unit] // 2))
        return DateMention(i, j, first, last, precision_for(first, last), relative=True)

    def _relative(self, i: int, rel: Match, anchor: date | None) -> DateMention:
        if anchor is None:
            return DateMention(i, rel.end, None, None, None, relative=True)
        first_rule, last_offset = self.pack.relative_days[rel.value]
        if first_rule == "month":
            y, m = anchor.year, anchor.month
            if last_offset < 0:
                y, m = (y, m - 1) if m > 1 else (y - 1, 12)
                first, last = date(y, m, 1), _month_end(y, m)
            else:
                first, last = date(y, m, 1), anchor
        elif first_rule == "year":
            y = anchor.year + (last_offset if last_offset < 0 else 0)
            first = date(y, 1, 1)
            last = date(y, 12, 31) if last_offset < 0 else anchor
        else:
            first = anchor + timedelta(days=int(first_rule))
            last = anchor + timedelta(days=last_offset)
        return DateMention(i, rel.end, first, last, precision_for(first, last), relative=True)


def _chain(found: DateMention, before: list[DateMention], days: int) -> None:
    """ "said on 7 October that an air strike the day before": the day counts from the last
    full date the sentence named before it, not from publication."""
    base = next((d for d in reversed(before) if d.precision == 1 and not d.relative), None)
    if base is None or base.first is None:
        return
    found.first = found.last = base.first + timedelta(days=days)
    found.precision = 1


def _written_date(key: str, kind: int, i: int) -> DateMention:
    """A date written in figures, one token: "2023-10-05" or "5/10/2023"."""
    if kind == ISO_DATE:
        iso_y, iso_m, iso_d = (int(p) for p in key.split("-"))
        dt = _safe_date(iso_y, iso_m, iso_d)
        return DateMention(i, i + 1, dt, dt, 1 if dt else None, explicit_year=True)
    a, b, c = (int(p) for p in key.split("/"))
    slash_year = c + 2000 if c < 100 else c
    # Day first (Syrian and British usage) unless the second figure cannot be a month.
    slash_day, slash_month = (a, b) if b <= 12 else (b, a)
    dt = _safe_date(slash_year, slash_month, slash_day)
    return DateMention(i, i + 1, dt, dt, 1 if dt else None, explicit_year=True)


def _glued_day_year(tokens: Tokens, i: int, end: int) -> tuple[int, int] | None:
    if i >= end or tokens.kinds[i] != NUM:
        return None
    key = tokens.keys[i]
    if len(key) not in (5, 6) or not key.isdigit():
        return None
    day, year = int(key[:-4]), int(key[-4:])
    if 1 <= day <= 31 and _YEAR_MIN <= year <= _YEAR_MAX:
        return day, year
    return None
