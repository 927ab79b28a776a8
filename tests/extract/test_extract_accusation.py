"""Accusation and agent frames (issue 4, fifth round), on sentences written for the test.

The actor a frame names as the doer ("accused X of", "carried out by X", "X claimed
responsibility") is the perpetrator; the subject of an accusing verb is only the accuser; the
blame reported in a sentence of its own attaches to an incident whose sentences name no agent.
"""

from __future__ import annotations

from reports import reader

from marsad.contract.claim import Claim

run = reader("2019-06-01")


def lead(claims: list[Claim]) -> Claim:
    return next(c for c in claims if c.counts)


def test_the_accused_is_the_agent_and_the_accuser_is_not() -> None:
    text = (
        "A toxic gas attack killed 40 people in Douma on Saturday. "
        "The opposition accused government forces of dropping chlorine on the town."
    )
    claim = lead(run(text))
    assert [a.id for a in claim.perpetrators] == ["sy_gov_forces"]


def test_blame_in_the_same_sentence_ranks_the_blamed_actor_first() -> None:
    text = (
        "A car bomb killed 12 people in Azaz on Friday, and the rebels blamed "
        "the Islamic State group for the attack."
    )
    claim = lead(run(text))
    assert claim.perpetrators[0].id == "islamic_state"
    assert "armed_opposition" not in {a.id for a in claim.perpetrators}


def test_agent_phrases_and_responsibility() -> None:
    text = (
        "A suicide bombing killed 9 people in Jableh on Monday. "
        "It was carried out by the Islamic State group."
    )
    assert lead(run(text)).perpetrators[0].id == "islamic_state"
    text = "A car bomb killed 15 people in Azaz on Sunday. Daesh claimed responsibility."
    assert lead(run(text)).perpetrators[0].id == "islamic_state"


def test_blame_for_another_incident_does_not_attach() -> None:
    text = (
        "A blast killed 6 people in Idlib on Monday. "
        "A double bombing carried out by IS killed 30 people in Tartus last year."
    )
    claims = run(text)
    first = next(c for c in claims if any(c.low == 6 for c in c.counts))
    assert first.perpetrators == []


def test_an_actor_owning_the_means() -> None:
    (claim,) = run("US warplanes struck a market in Manbij on Tuesday, killing 11 civilians.")
    assert claim.perpetrators[0].id == "us_led_coalition"
