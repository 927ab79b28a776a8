"""Stage 2 of a sentence: the one event type it reports, of the candidates Triggers found.

The pack's priority order decides between specific types; a weak trigger ("raids",
"helicopters") gives way to any other specific type in the sentence ("arrested 20 men in
raids"). The type is then the one ACLED codes: an attack on a checkpoint is a clash, a clash of
protesters a violent demonstration, a capture the government's or the other side's by who
gains. The sentence's cue words (totals, reporting, background history) are noted here too.
"""

from __future__ import annotations

from marsad.extract.lexicon import ACTOR, CUE_AGGREGATE, CUE_BACKGROUND, CUE_REPORT, Match
from marsad.extract.stages.common import GENERIC_TYPES
from marsad.extract.state import SentenceInfo
from marsad.extract.text import Tokens
from marsad.lang import LanguagePack


class EventTyping:
    def __init__(self, pack: LanguagePack) -> None:
        self.pack = pack
        self.priority = {t: i for i, t in enumerate(pack.event_priority)}
        senses = pack.senses
        # rules on every candidate, and rules on the type chosen, by the type they recode
        self.retypes: dict[str, list[tuple[str, str]]] = {}
        self.recodes: dict[str, list[tuple[str, str]]] = {}
        for typ, with_, to, chosen in senses.retypes:
            (self.recodes if chosen else self.retypes).setdefault(typ, []).append((with_, to))
        self.capture = senses.capture
        self.non_state_capture = senses.non_state_capture
        self.state_gainers = senses.state_gainers
        self.armed = pack.armed_types
        self.actor_types = tuple(a.type for a in pack.actors)
        self.passive = senses.passive
        self.state_side, self.non_state_side = senses.state_side, senses.non_state_side
        self.agent_words = pack.grammar.agent_words

    def read(self, tokens: Tokens, info: SentenceInfo) -> None:
        types = info.candidates
        if types:
            if self.retypes:
                types = self._as_coded(info, types, self.retypes)
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
            event_type, m = best
            if event_type in self.recodes:
                event_type = self._as_coded(info, [best], self.recodes)[0][0]
            if event_type == self.capture and not self._state_gains(tokens, info, m):
                event_type = self.non_state_capture
                if event_type in self.recodes:
                    # "militants attacked and overran the checkpoints": a clash (ACLED)
                    event_type = self._as_coded(info, [(event_type, m)], self.recodes)[0][0]
            info.event_type, info.event_match = event_type, m
            info.event_end = tokens.ends[m.end - 1]
        matches = info.matches
        info.aggregate_cue = CUE_AGGREGATE in matches
        info.report_cue = CUE_REPORT in matches
        info.background = CUE_BACKGROUND in matches

    def _as_coded(
        self,
        info: SentenceInfo,
        types: list[tuple[str, Match]],
        rules: dict[str, list[tuple[str, str]]],
    ) -> list[tuple[str, Match]]:
        """The candidates as ACLED codes them: protesters' clash is a violent demonstration, an
        attack on soldiers a clash (one rule per candidate, in pack order)."""
        if not any(t in rules for t, _ in types):
            return types  # most sentences: no rule for any of their types
        present = info.contexts | {t for t, _ in info.candidates}
        out = []
        for t, m in types:
            for with_, to in rules.get(t, ()):
                if with_ in present:
                    t = to
                    break
            out.append((t, m))
        return out

    def _state_gains(self, tokens: Tokens, info: SentenceInfo, m: Match) -> bool:
        """Whether the side that gains ground is a state's: the agent of the capture word, the
        armed side named nearest before it ("ISIS fighters recaptured ..."), or after it in the
        passive ("... was retaken by the army"); a government's when none is named."""
        keys = tokens.keys
        passive = m.start > 0 and keys[m.start - 1] in self.passive
        best: tuple[int, bool] | None = None
        for start, state in self._sides(tokens, info):
            if passive:
                by = start >= m.end and keys[start - 1] in self.agent_words
                if by and (best is None or start < best[0]):
                    best = (start, state)
            elif start < m.start and (best is None or start > best[0]):
                best = (start, state)
        return True if best is None else best[1]

    def _sides(self, tokens: Tokens, info: SentenceInfo) -> list[tuple[int, bool]]:
        """(token, whether a state's) for every armed side named in the sentence: the actors
        of the pack's list, and the words of armed sides it does not list ("the army", "Taliban
        militants"), looked up only here as few sentences report a capture."""
        armed, gainers, types = self.armed, self.state_gainers, self.actor_types
        sides = [
            (a.start, types[a.value] in gainers)
            for a in info.matches.get(ACTOR, ())
            if types[a.value] in armed
        ]
        keys = tokens.keys
        state, non_state = self.state_side, self.non_state_side
        for i in range(info.sentence.start, info.sentence.end):
            if keys[i] in state:
                sides.append((i, True))
            elif keys[i] in non_state:
                sides.append((i, False))
        return sides
