"""Who reports a claim: the organisations its sentences name, and those of a reporting sentence
("the Syrian Network for Human Rights said") right before or after it in its paragraph."""

from __future__ import annotations

from marsad.contract.claim import OrgRef
from marsad.extract.lexicon import ORG
from marsad.extract.stages.common import match_span
from marsad.extract.state import ClaimDraft, DocState
from marsad.lang import LanguagePack


class Sources:
    def __init__(self, pack: LanguagePack) -> None:
        self.organisations = pack.organisations

    def build(self, doc: DocState, draft: ClaimDraft) -> bool:
        infos, sents = doc.infos, draft.sents
        seen: set[str] = set()
        candidates = list(sents)
        first, last = sents[0].index, sents[-1].index
        for k in (first - 1, last + 1):
            if 0 <= k < len(infos):
                s = infos[k]
                if s.report_cue and not s.eventful and s.paragraph == sents[0].paragraph:
                    candidates.append(s)
        for s in candidates:
            for m in s.matches.get(ORG, ()):
                org = self.organisations[m.value]
                if org.id in seen:
                    continue
                seen.add(org.id)
                draft.reported.append(OrgRef(org.name, match_span(doc.tokens, m), org.id))
        return True
