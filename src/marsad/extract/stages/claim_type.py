"""A claim's event type: the highest-priority type its sentences name, else the kind its figures
imply (a crowd is a protest, a count of strikes an air strike, a toll an attack)."""

from __future__ import annotations

from marsad.extract.stages.common import span
from marsad.extract.state import ClaimDraft, DocState
from marsad.lang import LanguagePack


class ClaimType:
    def __init__(self, pack: LanguagePack) -> None:
        self.priority = {t: i for i, t in enumerate(pack.event_priority)}
        self.weak = pack.weak_triggers

    def build(self, doc: DocState, draft: ClaimDraft) -> bool:
        """False when nothing says what kind of event it was (no claim)."""
        tokens = doc.tokens
        typed = [
            (s.event_type, s.event_match) for s in draft.sents if s.event_type and s.event_match
        ]
        if len(typed) > 1:
            # "Warplanes struck the market ... two explosions flattened the stalls": a weak word
            # in one sentence gives way to a specific one in another, as within a sentence
            keys, weak = tokens.keys, self.weak
            strong = [tm for tm in typed if " ".join(keys[tm[1].start : tm[1].end]) not in weak]
            typed = strong or typed
        if typed:
            priority = self.priority
            et, em = (
                typed[0]
                if len(typed) == 1
                else min(typed, key=lambda tm: priority.get(tm[0] or "", 99))
            )
            draft.event_type = et
            assert em is not None
            draft.event_evidence = span(
                tokens.text, tokens.starts[em.start], tokens.ends[em.end - 1]
            )
            return True
        cats = {c.category for c in draft.counts}
        if "crowd_size" in cats:
            draft.event_type = "peaceful_protest"
        elif "strikes" in cats:
            draft.event_type = "air_strike"
        elif cats & {"killed", "injured", "casualties"}:
            draft.event_type = "attack"
        elif "detained" in cats:
            draft.event_type = "arrest"
        else:
            return False
        return True
