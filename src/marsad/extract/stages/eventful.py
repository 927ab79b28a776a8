"""Which sentences report an event: a live trigger or a casualty figure that is not background
history, a war-long total or a hypothetical with nothing to show for it; and a sentence of
damage right after an attack ("A civil defence centre in al-Tamanah was also put out of
action"), which tells what the attack did though it has no trigger of its own."""

from __future__ import annotations

from datetime import date, timedelta

from marsad.extract.lexicon import CUE_WAR_TOTAL, EVENT, FACILITY, Match
from marsad.extract.stages.common import NON_VIOLENT
from marsad.extract.state import DocState, SentenceInfo
from marsad.extract.text import Tokens
from marsad.lang import LanguagePack

_EVENT_COUNT_CATEGORIES = frozenset(
    {
        "killed",
        "injured",
        "casualties",
        "missing",
        "strikes",
        "facilities_hit",
        "crowd_size",
        "detained",
    }
)
_BACKGROUND_DAYS = 365
_WAR_TOTAL_DAYS = 2 * 365


class Eventful:
    def __init__(self, pack: LanguagePack) -> None:
        self.pack = pack
        # damage phrases by their first word, in pack order (None: an empty phrase, see
        # common.edge_words)
        self._damage_by_first: dict[str, list[tuple[str, ...]]] | None = None
        senses = pack.senses
        self.captures = (senses.capture, senses.non_state_capture)
        # what makes a capture a transfer without a fight when another sentence tells it ("...
        # seized the area. Government forces had withdrawn from it"): a capture's retypes
        self.capture_rules = tuple(
            (with_, to)
            for typ, with_, to, chosen in senses.retypes
            if typ == senses.capture and not chosen
        )
        if all(pack.grammar.damage_phrases):
            self._damage_by_first = {}
            for ph in pack.grammar.damage_phrases:
                self._damage_by_first.setdefault(ph[0], []).append(ph)

    def run(self, doc: DocState) -> bool:
        """Mark the eventful sentences; False when there are none (the document has no claim)."""
        doc.reference = doc.anchor or _latest_explicit(doc.infos)
        infos = doc.infos
        if any(i.quiet for i in infos) and all(i.event_type is None for i in infos):
            # "Four children died after being poisoned by a pest control chemical. Six others
            # were hospitalised": the tolls of a report of an accident or a disaster, no event
            return False
        for info in doc.infos:
            self.decide(info, doc.reference)
        if self.capture_rules:
            self._transfers(doc.infos)
        self._follow_ups(doc.tokens, doc.infos)
        return any(i.eventful for i in doc.infos)

    def decide(self, info: SentenceInfo, reference: date | None) -> None:
        counts = info.counts
        figures = info.facility_figures or (
            bool(counts)  # most sentences: no figures, and no generator to make
            and any(c.category in _EVENT_COUNT_CATEGORIES and not c.absurd for c in counts)
        )
        if info.event_type is None and (not figures or info.quiet):
            return  # a toll with no event word in a quiet context: a disaster's, an accident's
        war_total = self.pack.war_total_above
        if CUE_WAR_TOTAL in info.matches or (
            bool(counts)
            and any(
                c.category == "killed" and (c.low or 0) > war_total and not c.absurd for c in counts
            )
        ):
            info.background = True
            return
        best = info.best_date()
        if best is not None and reference is not None and best.last is not None:
            if best.last < reference - timedelta(days=_BACKGROUND_DAYS):
                info.background = True
                return
            if (best.days or 0) > _BACKGROUND_DAYS and not figures:
                info.background = True
                return
            if (
                best.since
                and best.first is not None
                and best.first < reference - timedelta(days=_WAR_TOTAL_DAYS)
            ):
                # "more than 300,000 killed since 2011": a war-long total, context not news
                info.background = True
                return
        if info.background and not figures:
            return
        info.background = False
        if info.hypothetical and not figures and best is None and not info.live_events:
            # a hypothetical with nothing to show; a live event word beside it is news ("fighters
            # have mobilised ... against a possible attack")
            return
        info.eventful = True

    def _transfers(self, infos: list[SentenceInfo]) -> None:
        """A capture told next to the other side's withdrawal, in the sentence before or after
        it, is one transfer without a fight: both sentences take the type."""
        captures = self.captures
        for k, info in enumerate(infos):
            if info.event_type not in captures or not info.eventful:
                continue
            for other in infos[max(0, k - 1) : k + 2]:
                if other is info or other.paragraph != info.paragraph:
                    continue
                present = other.contexts | other.all_types
                to = next((t for w, t in self.capture_rules if w in present), None)
                if to is None:
                    continue
                info.event_type = to
                if other.event_type is not None and other.event_type not in captures:
                    other.event_type = to
                break

    def _follow_ups(self, tokens: Tokens, infos: list[SentenceInfo]) -> None:
        phrases = self.pack.grammar.damage_phrases
        if not phrases:
            return
        prev: SentenceInfo | None = None
        for info in infos:
            if info.eventful:
                prev = info
                continue
            if (
                prev is None
                or prev.event_type is None
                or prev.event_type in NON_VIOLENT
                or info.event_type is not None
                or info.background
                or info.hypothetical
                or info.index - prev.index > 2
                or info.paragraph != prev.paragraph
            ):
                continue
            facilities = info.matches.get(FACILITY)
            if not facilities:
                continue
            hit = self._damage_after(tokens, info, facilities[0].end, phrases)
            if hit is None:
                continue
            info.eventful = True
            info.follow_up = True
            info.event_type = prev.event_type
            info.event_match = Match(EVENT, (prev.event_type,), hit[0], hit[1])
            info.event_end = tokens.ends[hit[1] - 1]

    def _damage_after(
        self,
        tokens: Tokens,
        info: SentenceInfo,
        start: int,
        phrases: tuple[tuple[str, ...], ...],
    ) -> tuple[int, int] | None:
        keys = tokens.keys
        by_first = self._damage_by_first
        for k in range(start, info.sentence.end):
            # only the phrases that open with this word can start here (in pack order)
            for ph in phrases if by_first is None else by_first.get(keys[k], ()):
                if tuple(keys[k : k + len(ph)]) == ph:
                    return (k, k + len(ph))
        return None


def _latest_explicit(infos: list[SentenceInfo]) -> date | None:
    latest: date | None = None
    for i in infos:
        for d in i.dates:
            if d.explicit_year and d.last is not None and (latest is None or d.last > latest):
                latest = d.last
    return latest
