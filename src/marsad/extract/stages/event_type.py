"""Stage 2 of a sentence: the one event type it reports, of the candidates Triggers found.

The pack's priority order decides between specific types; a weak trigger ("raids",
"helicopters") gives way to any other specific type in the sentence ("arrested 20 men in
raids"). The type is then the one ACLED codes: an attack on soldiers is a clash, a clash of
protesters a violent demonstration, a capture the government's or the other side's by who
gains. The sentence's cue words (totals, reporting, background history) are noted here too.
"""

from __future__ import annotations

from marsad.extract.lexicon import ACTOR, CONTEXT, CUE_AGGREGATE, CUE_BACKGROUND, CUE_REPORT, Match
from marsad.extract.stages.common import GENERIC_TYPES
from marsad.extract.state import SentenceInfo
from marsad.extract.text import Tokens
from marsad.lang import LanguagePack

_NON_STATE_SIDE = "non_state_side"  # the context label of armed groups outside the actor list


class EventTyping:
    def __init__(self, pack: LanguagePack) -> None:
        self.pack = pack
        self.priority = {t: i for i, t in enumerate(pack.event_priority)}
        senses = pack.senses
        self.retypes: dict[str, list[tuple[str, str]]] = {}
        for typ, with_, to in senses.retypes:
            self.retypes.setdefault(typ, []).append((with_, to))
        self.capture = senses.capture
        self.non_state_capture = senses.non_state_capture
        self.state_gainers = senses.state_gainers
        self.armed = pack.armed_types
        self.actor_types = tuple(a.type for a in pack.actors)

    def read(self, tokens: Tokens, info: SentenceInfo) -> None:
        types = info.candidates
        if types:
            weak = self.pack.weak_triggers
            keys = tokens.keys
            is_weak = [" ".join(keys[m.start : m.end]) in weak for _, m in types]
            strong = types
            if True in is_weak:
                strong = [
                    tm
                    for tm, w in zip(types, is_weak, strict=True)
                    if not w and tm[0] not in GENERIC_TYPES
                ]
            info.all_types = frozenset(t for t, _ in types)
            if len(types) == 1:
                best = types[0]
            else:
                priority = self.priority
                best = min(strong or types, key=lambda tm: priority.get(tm[0], 99))
            info.event_type = self._as_coded(info, best[0], best[1])
            info.event_match = best[1]
            info.event_end = tokens.ends[best[1].end - 1]
        matches = info.matches
        info.aggregate_cue = CUE_AGGREGATE in matches
        info.report_cue = CUE_REPORT in matches
        info.background = CUE_BACKGROUND in matches

    def _as_coded(self, info: SentenceInfo, event_type: str, m: Match) -> str:
        for with_, to in self.retypes.get(event_type, ()):
            if with_ in info.contexts or with_ in info.all_types:
                return to
        if event_type == self.capture and not self._state_gains(info, m):
            return self.non_state_capture
        return event_type

    def _state_gains(self, info: SentenceInfo, m: Match) -> bool:
        """Whether the side that gains ground is a state's: the armed actor named nearest before
        the capture word ("ISIS fighters recaptured ..."), or else the first after it
        ("... was retaken by the army"); a government's when none is named."""
        before: tuple[int, bool] | None = None
        after: tuple[int, bool] | None = None
        sides = [(a.start, self.actor_types[a.value]) for a in info.matches.get(ACTOR, ())]
        sides += [
            (c.start, _NON_STATE_SIDE)
            for c in info.matches.get(CONTEXT, ())
            if _NON_STATE_SIDE in c.values
        ]
        for start, kind in sides:
            if kind != _NON_STATE_SIDE and kind not in self.armed:
                continue
            state = kind in self.state_gainers
            if start < m.start and (before is None or start > before[0]):
                before = (start, state)
            elif start >= m.end and (after is None or start < after[0]):
                after = (start, state)
        side = before or after
        return True if side is None else side[1]
