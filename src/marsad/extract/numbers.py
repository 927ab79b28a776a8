"""Numbers as sources state them: digits, words, scales, fractions, ranges, vague quantities,
and the qualifier in front ("over", "at least", "nearly", "up to", "an estimated").

How a qualifier becomes a low/high range (documented in docs/schema.md):

* exact "12"            -> low 12, high 12
* over "over 60"        -> low 61, high None (strictly more than the stated figure)
* at_least "at least 8" -> low 8, high None
* about "about 25,000"  -> low 25,000, high 25,000 (the stated figure is the best estimate)
* nearly "nearly 100"   -> low ceil(0.9 x 100) = 90, high 99
* up_to "up to 10"      -> low None, high 10; "less than 10" / "fewer than" / "under" -> high 9
* vague "dozens"        -> low 24 (the least the word can mean), high None; never an exact figure
* ranges "5 to 10", "between 5 and 10", "5-10" -> low 5, high 10 (qualifier of the first figure)

Figures above the pack's ``absurd_above`` are marked ``absurd``; digit runs longer than 15 are
never converted (Python refuses to parse huge integers, and no count is that large).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from itertools import compress

from marsad.extract.lexicon import QUALIFIER, VAGUE, Match
from marsad.extract.text import JOINER, NUM, PUNCT, Tokens
from marsad.lang import LanguagePack

_MAX_DIGITS = 15
# Shared stand-in for a by-position table of a match kind the sentence lacks; never written to.
_NO_MATCHES: dict[int, Match] = {}


@dataclass(slots=True)
class NumberMention:
    start: int  # first token, qualifier included
    end: int  # one past the last token
    value_start: int  # first token of the figure itself
    value: int  # the stated figure (for a fraction: its denominator)
    low: int | None
    high: int | None
    qualifier: str
    fraction: tuple[int, int] | None = None  # (numerator, denominator) for "one-third"
    absurd: bool = False
    word_form: bool = False  # spelled out ("seven"), as opposed to digits


def digits_value(token: str) -> float | None:
    """Value of a digit token: "25,000" -> 25000, "3.5" -> 3.5, "2,139" -> 2139."""
    if "," in token:
        parts = token.split(",")
        if all(len(p) == 3 for p in parts[1:]):
            token = "".join(parts)
        else:
            return None
    if len(token) > _MAX_DIGITS + 2:
        return None
    try:
        return float(token) if "." in token else int(token)
    except ValueError:
        return None


def apply_qualifier(
    value: int, qualifier: str, strict: bool = False
) -> tuple[int | None, int | None]:
    """low/high for a stated figure; ``strict`` for exclusive bounds ("less than 10" -> 9)."""
    if qualifier == "over":
        return value + 1, None
    if qualifier == "at_least":
        return value, None
    if qualifier == "nearly":
        high = max(value - 1, 0)
        return min(math.ceil(value * 0.9), high), high
    if qualifier == "up_to":
        if strict:
            return None, max(value - 1, 0)
        return None, value
    return value, value


class NumberReader:
    """Reads the numbers of one sentence. Built once per language pack."""

    def __init__(self, pack: LanguagePack) -> None:
        self.units = pack.number_units
        self.tens = pack.number_tens
        self.scales = pack.number_scales
        self.fractions = pack.fractions
        self.absurd_above = pack.absurd_above
        self.rules = pack.count_rules
        self.ordinal_suffixes = pack.ordinal_suffixes
        # "a"/"an" are numbers only before a scale word ("a dozen", "a hundred").
        grammar = pack.grammar
        self.article = grammar.articles
        self.and_words = grammar.and_words
        self.or_words = grammar.or_words
        self.of_words = grammar.of_words
        self.between_words = grammar.between_words
        self.range_words = grammar.number_range_words
        self.strict_upper = grammar.strict_upper_qualifiers
        self.share_words = grammar.share_words
        self.starters = frozenset(
            {*self.units, *self.tens, *self.scales, *self.share_words}
            - grammar.number_word_exclusions
        )
        # An article ("a", "an") starts a number only before a fraction ("a third of") or a
        # scale ("a dozen"); the others, most of them, are left out of the candidates at once.
        self._article_starters = (self.article & self.starters) - frozenset(self.share_words)
        self._plain_starters = self.starters - self._article_starters
        # What the per-text scan looks for: number words, and the words an article can open.
        self._scan_words = self._plain_starters | frozenset(self.fractions) | frozenset(self.scales)
        # Candidate positions of the last text read: the engine reads a text sentence by
        # sentence, so they are found once per text, each sentence taking its slice.
        self._doc: tuple[Tokens, list[int]] | None = None

    def _word_number(self, tokens: Tokens, i: int, end: int) -> tuple[int, int] | None:
        """A spelled-out number starting at token i: (value, end token) or None."""
        keys, kinds = tokens.keys, tokens.kinds
        units, tens, scales = self.units, self.tens, self.scales
        key = keys[i]
        if key in self.article:
            nxt = _next_word(tokens, i, end)
            if nxt is None or keys[nxt] not in scales:
                return None
        elif key not in units and key not in tens and key not in scales:
            return None
        total = 0
        current = 0
        j = i
        last = i
        seen = False
        while j < end:
            k = keys[j]
            if kinds[j] == JOINER:
                j += 1
                continue
            if k in units:
                if seen and current % 10 != 0 and current < 100:
                    break  # "five six" is two numbers
                current += units[k]
            elif k in tens:
                if seen and current % 100 != 0:
                    break
                current += tens[k]
            elif k in scales:
                scale = scales[k]
                if scale >= 1000:
                    total += max(current, 1) * scale
                    current = 0
                else:
                    current = max(current, 1) * scale
            elif k in self.and_words and seen:
                nxt = _next_word(tokens, j, end)
                if nxt is not None and (keys[nxt] in units or keys[nxt] in tens):
                    j += 1
                    continue
                break
            else:
                break
            seen = True
            last = j
            j += 1
        return total + current, last + 1

    def read(
        self,
        tokens: Tokens,
        start: int,
        end: int,
        claimed: set[int],
        matches: dict[str, list[Match]],
    ) -> list[NumberMention]:
        found = self._candidates(tokens, start, end, matches)
        if found is None:
            return []  # no digit, number word or vague quantity: most sentences
        candidates, vague_by_start = found
        kinds = tokens.kinds
        qualifier_by_end = (
            {m.end: m for m in matches[QUALIFIER]} if QUALIFIER in matches else _NO_MATCHES
        )
        out: list[NumberMention] = []
        next_free = start
        for i in candidates:
            if i < next_free or i in claimed:
                continue
            word_form = False
            if kinds[i] == NUM:
                parsed, absurd, skip = self._digits(
                    tokens, i, start, end, i in qualifier_by_end, claimed
                )
                if parsed is None:
                    next_free = skip
                    continue
            else:
                absurd = False
                vague = vague_by_start.get(i)
                if vague is not None:
                    mention = _vague_mention(i, vague, qualifier_by_end.get(i))
                    out.append(mention)
                    next_free = mention.end
                    continue
                share = self._share(tokens, i, end)
                if share is not None:
                    out.append(_share_mention(i, share))
                    next_free = share[1]
                    continue
                parsed = self._word_number(tokens, i, end)
                if parsed is None:
                    continue
                word_form = True
            mention = self._figure(
                tokens, i, start, end, parsed, absurd, word_form, qualifier_by_end.get(i)
            )
            out.append(mention)
            next_free = mention.end
        return out

    def _candidates(
        self, tokens: Tokens, start: int, end: int, matches: dict[str, list[Match]]
    ) -> tuple[list[int], dict[int, Match]] | None:
        """Positions in ``start:end`` that can start a number, and the vague quantities by
        their first token; None when there are none (the scan of the text is reused)."""
        doc = self._doc
        positions = doc[1] if doc is not None and doc[0] is tokens else self._scan(tokens)
        lo = bisect_left(positions, start)
        hi = bisect_left(positions, end, lo)
        if VAGUE in matches:
            vague_by_start = {m.start: m for m in matches[VAGUE]}
            return sorted({*positions[lo:hi], *vague_by_start}), vague_by_start
        if lo == hi:
            return None
        return positions[lo:hi], _NO_MATCHES

    def _digits(
        self, tokens: Tokens, i: int, start: int, end: int, qualified: bool, claimed: set[int]
    ) -> tuple[tuple[int, int] | None, bool, int]:
        """The figure written in digits at ``i`` (with a scale word after it, "3 million"):
        ((value, end token), absurd, _) or, when it counts nothing, (None, False, the first
        token a later number may start at)."""
        keys, kinds = tokens.keys, tokens.kinds
        raw = keys[i]
        if self._not_a_count(tokens, i, start, end, qualified, claimed):
            return None, False, i + 1
        # Plain digits, the common case, are read as digits_value would.
        value: float | None = (
            int(raw) if raw.isdecimal() and len(raw) <= _MAX_DIGITS + 2 else digits_value(raw)
        )
        if value is None:
            if len(raw.replace(",", "")) > _MAX_DIGITS:
                return (self.absurd_above + 1, i + 1), True, i + 1
            return None, False, i
        stop = i + 1
        if (
            stop < end
            and keys[stop] in self.scales
            and keys[stop] not in self.rules.digit_scale_exclusions
        ):
            value = value * self.scales[keys[stop]]
            stop += 1
        if isinstance(value, float) and not value.is_integer():
            return None, False, stop
        # "12 13 14" or a 16-digit run split by the tokenizer is not a count.
        absurd = stop < end and kinds[stop] == NUM and tokens.starts[stop] == tokens.ends[stop - 1]
        return (int(value), stop), absurd, stop

    def _figure(
        self,
        tokens: Tokens,
        i: int,
        start: int,
        end: int,
        parsed: tuple[int, int],
        absurd: bool,
        word_form: bool,
        q: Match | None,
    ) -> NumberMention:
        """The mention of a figure read at ``i``: a fraction after it ("two thirds"), the low
        and high its qualifier ``q`` gives, and a range it opens ("5 to 10")."""
        keys = tokens.keys
        value_int, stop = parsed
        fraction: tuple[int, int] | None = None
        if word_form and value_int <= 10:
            frac_at = _skip_joiners(tokens, stop, end)
            if frac_at < end and keys[frac_at] in self.fractions:
                fraction = (value_int, self.fractions[keys[frac_at]])
                stop = frac_at + 1
        if value_int > self.absurd_above:
            absurd = True
        low: int | None
        high: int | None
        if q is None:
            first = i
            qualifier = "exact"
            low = high = value_int
        else:
            first = q.start
            qualifier = q.value
            # Only "up to" reads the phrase: "less than 10" is strict, "up to 10" is not.
            strict = qualifier == "up_to" and " ".join(keys[q.start : q.end]) in self.strict_upper
            low, high = apply_qualifier(value_int, qualifier, strict)
        # Ranges: "5 to 10", "5-10", "between 5 and 10".
        if fraction is None and stop + 1 < end and keys[stop] in self.range_words:
            upper = self._range_end(tokens, i, start, end, stop, value_int, word_form)
            if upper is not None:
                low = value_int if qualifier in ("exact", "about") else low
                high, stop = upper
        # Positional arguments: the dataclass __init__ is measurably cheaper without keywords.
        return NumberMention(
            first, stop, i, value_int, low, high, qualifier, fraction, absurd, word_form
        )

    def _range_end(
        self, tokens: Tokens, i: int, start: int, end: int, stop: int, value: int, word_form: bool
    ) -> tuple[int, int] | None:
        """The upper figure of a range whose word ("to", "-", "and") is at ``stop``: (figure,
        end token), or None when what follows is no higher figure closing a range ("5 or 6",
        "two and 300", "5 to 10 thousand")."""
        keys = tokens.keys
        nxt = stop + 1
        nxt_stop = nxt
        second: int | None = None
        if tokens.kinds[nxt] == NUM:
            v2 = digits_value(keys[nxt])
            if isinstance(v2, int):
                second = v2
                nxt_stop = nxt + 1
        elif word_form and keys[stop] not in self.and_words:
            w = self._word_number(tokens, nxt, end)
            if w is not None:
                second, nxt_stop = w
        is_between = i > start and keys[i - 1] in self.between_words
        if (
            second is not None
            and second > value
            and (keys[stop] not in self.and_words or is_between)
            and keys[stop] not in self.or_words
            and not (nxt_stop < end and keys[nxt_stop] in self.scales)
        ):
            return second, nxt_stop
        return None

    def _not_a_count(
        self, tokens: Tokens, i: int, start: int, end: int, qualified: bool, claimed: set[int]
    ) -> bool:
        """True when the digits at ``i`` name a unit, an address, a clock time, a year or a
        phone number ("13th Division", "Brigade 47", "at 0914", "09:14", "2014 airstrikes",
        "+963 944 ...") rather than counting anything."""
        keys, kinds, starts, ends = tokens.keys, tokens.kinds, tokens.starts, tokens.ends
        rules = self.rules
        raw = keys[i]
        nxt = i + 1 if i + 1 < end else None
        prev = i - 1 if i > start else None
        if len(raw) > 1 and raw[0] == "0" and raw[1].isdigit():
            return True  # "0914", "0944 ...": no count is written with a leading zero
        if nxt is not None and starts[nxt] == ends[i]:
            if keys[nxt] in self.ordinal_suffixes:
                return True  # "13th", "5th"
            if (
                keys[nxt] in rules.time_separators
                and nxt + 1 < end
                and kinds[nxt + 1] == NUM
                and starts[nxt + 1] == ends[nxt]
            ):
                return True  # "09:14"
            if (
                keys[nxt] in rules.date_separators
                and nxt + 1 < end
                and starts[nxt + 1] == ends[nxt]
                and raw.isdecimal()
                and int(raw) <= _MAX_DAY
                and self._year(keys[nxt + 1])
            ):
                return True  # "10-2014": the month (or day) of a date
        if prev is not None:
            if starts[i] == ends[prev] and (
                keys[prev] in rules.phone_signs
                or (
                    keys[prev] in rules.time_separators
                    and prev > start
                    and kinds[prev - 1] == NUM
                    and ends[prev - 1] == starts[prev]
                )
            ):
                return True  # "+963", the minutes of "09:14"
            before = prev
            if keys[before] == "." and before > start:
                before -= 1  # "Rd. 5"
            if keys[before] in rules.designators_before or keys[prev] in rules.designators_before:
                return True  # "Brigade 47"
        if _in_run(tokens, i, start, end, claimed):
            return True  # "944 123 456": a run of figures is a phone or an id number
        if nxt is not None and keys[nxt] in rules.time_suffixes:
            return True  # "0914 hours", "3 pm"
        if raw.isdecimal() and len(raw) == 4:
            value = int(raw)
            if prev is not None and keys[prev] in rules.time_prefixes and _clock(value):
                return True  # "at 1430"
            if not qualified and self._year(raw) and value % 100:
                return True  # "2014 airstrikes"
        return self._address(tokens, i, end)

    def _year(self, key: str) -> bool:
        first, last = self.rules.years
        return key.isdecimal() and len(key) == 4 and first <= int(key) <= last

    def _address(self, tokens: Tokens, i: int, end: int) -> bool:
        """'12 Baghdad Street': a figure, a capitalised name of up to three words, a street word."""
        text, starts = tokens.text, tokens.starts
        address_words = self.rules.address_words
        j = i + 1
        while j < min(end, i + 5):
            if tokens.keys[j] in address_words:
                return j > i + 1
            capitalised = text[starts[j] : starts[j] + 1].isupper()
            if tokens.kinds[j] != JOINER and (tokens.kinds[j] == PUNCT or not capitalised):
                return False
            j += 1
        return False

    def _scan(self, tokens: Tokens) -> list[int]:
        """Sorted positions, in the whole text, of the tokens that can start a number: digits,
        number words, and the articles before a fraction or a scale word. Vague quantities are
        added per sentence from its matches. Cached in ``_doc`` for the last text (tokens are
        never changed once made)."""
        keys, kinds = tokens.keys, tokens.kinds
        found: set[int] = set()
        # Digits. Kinds are small ints: as bytes, the NUM tokens are found by memchr-speed find().
        kind_bytes = bytes(kinds)
        i = kind_bytes.find(NUM)
        while i >= 0:
            found.add(i)
            i = kind_bytes.find(NUM, i + 1)
        # Number words, and the fractions and scales an article may stand before.
        plain, articles = self._plain_starters, self._article_starters
        fractions, scales = self.fractions, self.scales
        for p in compress(range(len(keys)), map(self._scan_words.__contains__, keys)):
            key = keys[p]
            if key in plain:
                found.add(p)
            if articles and p > 0:
                q = p - 1
                if key in fractions and keys[q] in articles:
                    found.add(q)  # "a third of them"
                if key in scales:
                    while q > 0 and kinds[q] == JOINER:
                        q -= 1
                    if keys[q] in articles:
                        found.add(q)  # "a dozen", "a hundred"
        positions = sorted(found)
        self._doc = (tokens, positions)
        return positions

    def _share(self, tokens: Tokens, i: int, end: int) -> tuple[tuple[int, int], int] | None:
        """ "half" or "a third" followed by "of" ("half of them were children")."""
        keys = tokens.keys
        key = keys[i]
        if key in self.share_words and i + 1 < end and keys[i + 1] in self.of_words:
            return (1, self.share_words[key]), i + 1
        if (
            key in self.article
            and i + 2 < end
            and keys[i + 1] in self.fractions
            and keys[i + 2] in self.of_words
        ):
            return (1, self.fractions[keys[i + 1]]), i + 2
        return None


def _share_mention(i: int, share: tuple[tuple[int, int], int]) -> NumberMention:
    """ "a third of them", "half of whom": a share with no figure of its own."""
    fraction, end = share
    return NumberMention(
        i, end, i, fraction[1], None, None, "exact", fraction=fraction, word_form=True
    )


def _vague_mention(i: int, vague: Match, q: Match | None) -> NumberMention:
    """A vague quantity ("dozens", "scores of") at ``i``: at least the least it can mean."""
    least = int(vague.value)
    # "no one" is the one vague phrase that is exact: zero, no more.
    return NumberMention(
        start=q.start if q else i,
        end=vague.end,
        value_start=i,
        value=least,
        low=least,
        high=0 if least == 0 else None,
        qualifier="exact" if least == 0 else "vague",
        word_form=True,
    )


_RUN = 3  # figures in a row, apart only by spaces, that make a phone or id number


def _in_run(tokens: Tokens, i: int, start: int, end: int, claimed: set[int]) -> bool:
    """True when token i is one of at least ``_RUN`` figures in a row ("944 123 456"); a date
    beside a figure ("25 April 2017 51 martyrs") is no run. Looks at most ``_RUN`` tokens
    each way, so a text of figures in a row costs no more than one of words."""
    kinds, starts, ends = tokens.kinds, tokens.starts, tokens.ends
    n = 1
    j = i
    while n < _RUN and j > start and kinds[j - 1] == NUM and starts[j] > ends[j - 1]:
        j -= 1
        if j in claimed:
            break
        n += 1
    j = i
    while n < _RUN and j + 1 < end and kinds[j + 1] == NUM and starts[j + 1] > ends[j]:
        j += 1
        if j in claimed:
            break
        n += 1
    return n >= _RUN


_MAX_DAY = 31


def _clock(value: int) -> bool:
    return value // 100 < 24 and value % 100 < 60


def _skip_joiners(tokens: Tokens, i: int, end: int) -> int:
    while i < end and tokens.kinds[i] == JOINER:
        i += 1
    return i


def _next_word(tokens: Tokens, i: int, end: int) -> int | None:
    j = _skip_joiners(tokens, i + 1, end)
    if j < end and tokens.kinds[j] != PUNCT:
        return j
    return None
