"""From groups to claims: each group's draft goes through the claim steps in order (any step may
drop it), then becomes a :class:`~marsad.contract.claim.Claim` with a confidence; a few rules
then look at a claim beside the one before it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from marsad.contract.claim import ACLED_SUB_EVENT_TYPES, Claim
from marsad.extract.stages.common import GENERIC_TYPES, PROTEST_TYPES, span
from marsad.extract.state import ClaimDraft, DocState, Group

ClaimStep = Callable[[DocState, ClaimDraft], bool]
"""A claim stage's ``build``: fills its fields of the draft; False drops the claim."""


class Assembly:
    def __init__(self, steps: Sequence[ClaimStep]) -> None:
        self.steps = tuple(steps)

    def claims(self, doc: DocState) -> list[Claim]:
        claims: list[Claim] = []
        for g in doc.groups:
            claim = self.build(doc, g)
            if claim is None:
                continue
            if claims and g.sentences[0].such:
                # "It was the second such attack ...": attacks of the kind just reported
                claim = replace(claim, event_type=claims[-1].event_type)
            if claims and claim.event_type == "displacement" and claim.date_evidence is None:
                prev = claims[-1]
                if prev.scope == "aggregate" and prev.event_type != "displacement":
                    # "Since 5 October, over 60 civilians were killed ... More than 120,000
                    # people have fled": the flight is counted over the same period
                    claim = replace(
                        claim,
                        scope="aggregate",
                        date_start=prev.date_start,
                        date_end=prev.date_end,
                        date_precision=prev.date_precision,
                    )
            claims.extend(_split_protest_list(claim))
        return claims

    def build(self, doc: DocState, group: Group) -> Claim | None:
        draft = ClaimDraft(group, group.sentences)
        for step in self.steps:
            if not step(doc, draft):
                return None
        return _finish(doc, draft)


def _finish(doc: DocState, d: ClaimDraft) -> Claim | None:
    assert d.event_type is not None
    # A claim needs some detail besides its event word, unless the word names a specific kind
    # of event ("Several shops were looted in the township"): a generic "attack" alone is thin.
    if not (
        d.event_type not in GENERIC_TYPES
        or d.counts
        or d.date_evidence
        or d.places
        or d.perpetrators
        or d.weapons
        or d.persons
        or d.targets
    ):
        return None
    confidence = 0.4
    confidence += 0.15 if d.counts else 0.0
    confidence += 0.1 if d.date_evidence is not None else 0.0
    confidence += 0.1 if d.places else 0.0
    confidence += 0.1 if d.perpetrators else 0.0
    confidence += 0.05 if d.reported else 0.0
    confidence -= 0.2 if d.absurd else 0.0
    confidence -= 0.1 if any(s.hypothetical for s in d.sents) else 0.0
    return Claim(
        scope="aggregate" if d.aggregate else "incident",
        event_type=d.event_type,
        evidence=span(doc.tokens.text, d.sents[0].char_start, d.sents[-1].char_end),
        acled_sub_event_type=ACLED_SUB_EVENT_TYPES.get(d.event_type),
        date_start=d.date_start,
        date_end=d.date_end,
        date_precision=d.precision,
        date_evidence=d.date_evidence,
        places=d.places,
        perpetrators=d.perpetrators,
        targets=d.targets,
        weapons=d.weapons,
        counts=d.counts,
        facilities=d.facilities,
        reported_by=d.reported,
        persons=d.persons,
        event_type_evidence=d.event_evidence,
        confidence=round(max(0.05, min(0.95, confidence)), 2),
    )


def _split_protest_list(claim: Claim) -> list[Claim]:
    """ "Smaller demonstrations took place in Binnish, Jisr al-Shughur and Atarib": a list of
    towns with no figures is one protest per town (each its own crowd, its own intervention or
    none), as ACLED codes them. A protest with figures stays whole: the crowd size belongs to
    the place it was counted in, and the text does not say which."""
    exact = [p for p in claim.places if p.precision == "exact"]
    ev = claim.event_type_evidence
    if claim.event_type not in PROTEST_TYPES or claim.counts or len(exact) < 2 or ev is None:
        return [claim]
    if len(exact) != len(claim.places):
        return [claim]
    # the towns must be the list right after the protest word, in its sentence
    text, base = claim.evidence.text, claim.evidence.start
    for p in exact:
        between = text[ev.end - base : p.evidence.start - base]
        if p.evidence.start < ev.end or len(between) > 60 or ". " in between:
            return [claim]
    return [replace(claim, places=[p]) for p in exact]
