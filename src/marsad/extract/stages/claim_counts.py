"""A claim's figures: the counts of its sentences, each with its evidence, and a smaller figure
for a narrower group nested in the total it is part of. An absurd figure is left out and lowers
the claim's confidence. A running total ("bringing the toll to 41 since Friday") beside the
incident's own toll of the same kind is left out: it counts more than this incident."""

from __future__ import annotations

from marsad.contract.claim import Count
from marsad.extract.stages.common import span
from marsad.extract.state import ClaimDraft, DocState
from marsad.lang import LanguagePack

_TOTAL_GROUPS = frozenset({"all", "civilians"})


class ClaimCounts:
    def __init__(self, pack: LanguagePack) -> None:
        self.actors = pack.actors

    def build(self, doc: DocState, draft: ClaimDraft) -> bool:
        tokens = doc.tokens
        text, starts, ends = tokens.text, tokens.starts, tokens.ends
        counts: list[Count] = []
        own = {c.category for s in draft.sents for c in s.counts if not c.running_total}
        for s in draft.sents:
            if not s.counts:
                continue
            # a count's parent is a count of the same sentence: its number there -> its place
            # in ``counts``
            placed: dict[int, int] = {}
            for k, c in enumerate(s.counts):
                if c.absurd:
                    draft.absurd = True
                    continue
                if c.running_total and c.category in own and c.parent is None:
                    draft.running_left_out.add(s.index)
                    continue
                assert c.category is not None
                parent = placed.get(c.parent) if c.parent is not None else None
                perpetrator = self.actors[c.perpetrator].id if c.perpetrator is not None else None
                placed[k] = len(counts)
                counts.append(
                    Count(
                        category=c.category,
                        low=c.low,
                        high=c.high,
                        qualifier=c.qualifier,
                        evidence=span(text, starts[c.start], ends[c.end - 1]),
                        group=c.group,
                        derived=c.derived,
                        part_of=parent,
                        perpetrator=perpetrator,
                    )
                )
        _nest_breakdowns(counts)
        draft.counts = counts
        return True


def _nest_breakdowns(counts: list[Count]) -> None:
    """A smaller figure of the same kind for a narrower group, after a total, is part of that total:
    "killing three civilians ... A man, his wife and their son died", "five civilians were killed:
    four farm workers and a boy"."""
    totals: dict[str, int] = {}
    for k, c in enumerate(counts):
        if c.part_of is not None or c.derived:
            continue
        parent = totals.get(c.category)
        if parent is not None:
            p = counts[parent]
            if (
                (c.group != p.group or c.evidence.start > p.evidence.end)
                and c.low is not None
                and p.low is not None
                and c.low < p.low
                and (c.high is None or p.high is None or c.high <= p.high)
            ):
                c.part_of = parent
                continue
        if c.group in _TOTAL_GROUPS:
            totals.setdefault(c.category, k)
