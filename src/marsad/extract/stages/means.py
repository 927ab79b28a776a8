"""The weapons a claim names, and the facilities hit with the least number the source gives
("11 schools", "at least 7 camps")."""

from __future__ import annotations

from marsad.extract.lexicon import FACILITY, WEAPON
from marsad.extract.stages.common import match_span
from marsad.extract.state import ClaimDraft, DocState
from marsad.schema import FacilityRef, WeaponRef


class Means:
    def build(self, doc: DocState, draft: ClaimDraft) -> bool:
        tokens = doc.tokens
        seen_w: set[str] = set()
        seen_f: set[str] = set()
        for s in draft.sents:
            for m in s.matches.get(WEAPON, ()):
                if m.value not in seen_w:
                    seen_w.add(m.value)
                    draft.weapons.append(WeaponRef(m.value, match_span(tokens, m)))
            facility_matches = s.matches.get(FACILITY)
            if not facility_matches:
                continue
            number_at = {n.end: n for n in s.numbers}
            for m in facility_matches:
                n = number_at.get(m.start)
                fcount = n.low if n is not None and n.qualifier != "vague" else None
                if m.value not in seen_f:
                    seen_f.add(m.value)
                    draft.facilities.append(FacilityRef(m.value, match_span(tokens, m), fcount))
        return True
