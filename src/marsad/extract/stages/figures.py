"""Stage 3 of a sentence: its dates and figures, read only where a trigger or a figure word is.

Dates are read first (a number inside a date is no count), then the ages of named persons
("Rana Haddad, 34,"), then counts. A sentence is marked as a tally of its own when a monitor
counts events ("documented at least four attacks") and as a flight when the only figure is of
people fleeing the violence it names.
"""

from __future__ import annotations

from datetime import date

from marsad.extract.counts import CountMention, CountReader
from marsad.extract.dates import DateReader
from marsad.extract.lexicon import CASUALTY, COUNT_NOUN, CUE_BACKGROUND, CUE_CROWD, FACILITY
from marsad.extract.stages.common import NON_VIOLENT
from marsad.extract.stages.people import People
from marsad.extract.state import SentenceInfo
from marsad.extract.text import Tokens
from marsad.lang import LanguagePack


class Figures:
    def __init__(
        self, pack: LanguagePack, dates: DateReader, counts: CountReader, people: People
    ) -> None:
        self.grammar = pack.grammar
        self.dates = dates
        self.counts = counts
        self.people = people

    def read(self, tokens: Tokens, info: SentenceInfo, anchor: date | None) -> None:
        matches = info.matches
        types = info.candidates
        has_figures = (
            CASUALTY in matches
            or COUNT_NOUN in matches
            or FACILITY in matches
            or CUE_CROWD in matches  # "a crowd of some 1,500 people"
        )
        if not (types or has_figures):
            return
        s, e = info.sentence.start, info.sentence.end
        info.dates = self.dates.read(tokens, s, e, matches, anchor)
        info.dates_read = True
        claimed: set[int] = set()
        for d in info.dates:
            claimed.update(range(d.start, d.end))
        if info.background:
            # "in the past" opening a date ("in the past 24 hours") is that date, not history
            info.background = any(m.end - 1 not in claimed for m in matches.get(CUE_BACKGROUND, ()))
        # an age next to a name ("Rana Haddad, 34,") is no count; names are read first
        claimed.update(
            p.age for p in self.people.persons_in(tokens, info) if p.age is not None and not p.weak
        )
        violent = not info.all_types <= NON_VIOLENT  # some type is violent
        info.counts, info.numbers = self.counts.read(tokens, s, e, claimed, matches, violent)
        facilities = matches.get(FACILITY)
        if facilities:
            number_ends = {n.end for n in info.numbers if n.low is not None}
            info.facility_figures = any(m.start in number_ends for m in facilities) and bool(
                types or CASUALTY in matches or COUNT_NOUN in matches or info.numbers
            )
        self._read_tally(tokens, info)
        if (
            info.event_type not in (None, "displacement")
            and info.counts
            and all(c.category == "displaced" for c in info.counts)
        ):
            # "Thousands of residents fled the fighting", "the attacks had forced 150,000
            # people to flee": the only figure is of people fleeing, so the sentence
            # reports the flight; the violence it names is the cause
            flight = [m for t, m in types if t == "displacement"]
            if flight:
                info.event_type, info.event_match = "displacement", flight[0]
                info.event_end = tokens.ends[flight[0].end - 1]

    def _read_tally(self, tokens: Tokens, info: SentenceInfo) -> None:
        """Mark a sentence that gives a total of events of its own: a count of attacks right
        after a tally verb ("The group documented at least four attacks", "recorded 21 attacks
        on vital facilities"), or an ordinal before an event word with a period date ("It was
        the fourth attack on health care this month": four attacks so far this month, a count
        added here)."""
        g = self.grammar
        events = info.live_events
        s = info.sentence.start
        for c in info.counts:
            if c.category != "strikes" or c.parent is not None:
                continue
            if any(tokens.keys[k] in g.tally_verbs for k in range(max(s, c.start - 4), c.start)):
                info.tally = True
                return
        if not g.ordinals or not events or info.counts:
            return
        best = info.best_date()
        if best is None or not (best.since or (best.days or 0) > 1):
            return
        for k in range(s, info.sentence.end):
            n = g.ordinals.get(tokens.keys[k])
            if n is None:
                continue
            # the event word follows within three words ("the third drone attack", "the
            # second such attack")
            ev = next((m for m in events if 0 < m.start - k <= 3), None)
            if ev is None:
                continue
            between = tokens.keys[k + 1 : ev.start]
            info.such = any(w in g.such_words for w in between)
            info.counts.append(
                CountMention(
                    category="strikes",
                    group="all",
                    low=n,
                    high=n,
                    qualifier="",
                    start=k,
                    end=ev.end,
                )
            )
            info.tally = True
            return
