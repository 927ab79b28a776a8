"""The weapons a claim names, and the facilities hit with the least number the source gives
("11 schools", "at least 7 camps").

A weapon word may share its head noun with the next one: "cluster and incendiary bombs" names
cluster bombs too, though only "incendiary bombs" is a phrase of the lexicon."""

from __future__ import annotations

from marsad.contract.claim import FacilityRef, Span, WeaponRef
from marsad.extract.lexicon import FACILITY, WEAPON, Match, clitic_vocabulary, phrase_keys
from marsad.extract.stages.common import match_span
from marsad.extract.state import ClaimDraft, DocState
from marsad.extract.text import Tokens
from marsad.lang import LanguagePack

# Words allowed between the conjunction and the phrase whose head is shared ("cluster and
# other bombs").
_SHARED_HEAD_GAP = 1


class Means:
    def __init__(self, pack: LanguagePack | None = None) -> None:
        # two-word weapon phrases by (modifier, head): "cluster bombs" -> cluster_munition
        self._pairs: dict[tuple[str, str], str] = {}
        self._joiners: frozenset[str] = frozenset()
        if pack is None:
            return
        self._joiners = pack.grammar.and_words | pack.grammar.or_words
        for weapon, phrases in pack.weapons.items():
            for phrase in phrases:
                keys = phrase_keys(phrase, pack.writing, clitic_vocabulary(pack))
                if len(keys) == 2:
                    self._pairs.setdefault((keys[0], keys[1]), weapon)

    def build(self, doc: DocState, draft: ClaimDraft) -> bool:
        tokens = doc.tokens
        seen_w: set[str] = set()
        for s in draft.sents:
            for m in s.matches.get(WEAPON, ()):
                found = [(m.value, match_span(tokens, m))]
                shared = self._shared_head(tokens, m)
                if shared is not None:
                    found.append(shared)
                for weapon, span in found:
                    if weapon not in seen_w:
                        seen_w.add(weapon)
                        draft.weapons.append(WeaponRef(weapon, span))
        self._facilities(doc, draft)
        return True

    def _shared_head(self, tokens: Tokens, m: Match) -> tuple[str, Span] | None:
        """The weapon a modifier names through the head of the phrase after it: "cluster" in
        "cluster and phosphorus bombs" (the evidence runs from the modifier to the head)."""
        keys = tokens.keys
        head = keys[m.end - 1]
        for gap in range(_SHARED_HEAD_GAP + 1):
            joiner = m.start - 1 - gap
            if joiner < 1 or keys[joiner] not in self._joiners:
                continue
            weapon = self._pairs.get((keys[joiner - 1], head))
            if weapon is not None:
                s, e = tokens.starts[joiner - 1], tokens.ends[m.end - 1]
                return weapon, Span(s, e, tokens.text[s:e])
        return None

    def _facilities(self, doc: DocState, draft: ClaimDraft) -> None:
        tokens = doc.tokens
        seen_f: set[str] = set()
        for s in draft.sents:
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
