"""Whether a claim is one incident or a total over a period or many places ("so far", "since 5
October", "in 21 towns", a monitor's tally). A total over several means of attack is attacks in
general; a trend with no figures is context and makes no claim."""

from __future__ import annotations

from marsad.extract.stages.common import MEANS_TYPES
from marsad.extract.state import ClaimDraft, DocState


class ClaimScope:
    def build(self, doc: DocState, draft: ClaimDraft) -> bool:
        sents, counts, dm = draft.sents, draft.counts, draft.date_mention
        # A cue ("so far", "in total") marks a total only in a sentence that gives figures, and
        # not where its total was left out beside the incident's own toll.
        left_out = draft.running_left_out
        aggregate = (
            any(s.aggregate_cue and s.counts and s.index not in left_out for s in sents)
            or sents[0].tally
        )
        if dm is not None and (dm.since or (dm.days or 0) > 7):
            aggregate = True
        if any(c.category == "places_targeted" and (c.low or 0) > 1 for c in counts):
            aggregate = True
        if aggregate and draft.event_type in MEANS_TYPES:
            means = {t for s in sents for t in s.all_types} & MEANS_TYPES
            if len(means) > 1:
                # "37 airstrikes, 19 barrel bombs and 64 artillery shells", "shelling and
                # airstrikes have killed 70": a total over several means is attacks in general
                draft.event_type = "attack"
        draft.aggregate = aggregate
        return True

    def keeps(self, doc: DocState, draft: ClaimDraft) -> bool:
        """ "Air raids have intensified since 5 October": a trend with no figures is context."""
        return not (draft.aggregate and not draft.counts)
