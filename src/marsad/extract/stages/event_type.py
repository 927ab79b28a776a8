"""Stage 2 of a sentence: the one event type it reports, of the candidates Triggers found.

The pack's priority order decides between specific types; a weak trigger ("raids",
"helicopters") gives way to any other specific type in the sentence ("arrested 20 men in
raids"). The sentence's cue words (totals, reporting, background history) are noted here too.
"""

from __future__ import annotations

from marsad.extract.lexicon import CUE_AGGREGATE, CUE_BACKGROUND, CUE_REPORT
from marsad.extract.stages.common import GENERIC_TYPES
from marsad.extract.state import SentenceInfo
from marsad.extract.text import Tokens
from marsad.lang import LanguagePack


class EventTyping:
    def __init__(self, pack: LanguagePack) -> None:
        self.pack = pack
        self.priority = {t: i for i, t in enumerate(pack.event_priority)}

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
            info.event_type, info.event_match = best
            info.event_end = tokens.ends[best[1].end - 1]
        matches = info.matches
        info.aggregate_cue = CUE_AGGREGATE in matches
        info.report_cue = CUE_REPORT in matches
        info.background = CUE_BACKGROUND in matches
