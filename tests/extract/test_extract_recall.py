"""Claims that were missed before the sixth round (issue 4), on sentences written for the test.

A monitor's own tally ("documented at least four attacks"), an ordinal count of attacks over a
period ("the third drone attack on the town this month"), a flight with its own figure after an
attack, and damage to a facility after an attack each give a claim of their own.
"""

from __future__ import annotations

from reports import reader

from marsad.contract.claim import Claim

run = reader("2022-05-20")


def strikes(claim: Claim) -> list[int | None]:
    return [c.low for c in claim.counts if c.category == "strikes"]


def test_a_documented_tally_is_an_aggregate_claim_of_its_own() -> None:
    text = (
        "Since 1 May, government forces have carried out more than 400 attacks on the south, "
        "killing 30 civilians, a monitoring group said. The group documented at least six "
        "attacks with cluster munitions on villages near Ariha."
    )
    claims = run(text)
    assert len(claims) == 2
    tally = claims[1]
    assert tally.scope == "aggregate"
    assert strikes(tally) == [6]
    assert 6 not in strikes(claims[0])


def test_violations_after_a_tally_verb_are_counted() -> None:
    text = (
        "A truce took effect on 2 May. The monitor recorded 9 violations by regime artillery "
        "around Sarmin since then."
    )
    tallies = [c for c in run(text) if strikes(c)]
    assert [strikes(c) for c in tallies] == [[9]]
    assert tallies[0].scope == "aggregate"


def test_an_ordinal_attack_this_month_is_a_total_of_attacks() -> None:
    text = (
        "A drone launched by regime forces struck a car in Atarib on Wednesday, wounding two men. "
        "It was the fifth drone attack on the town this month."
    )
    claims = run(text)
    assert len(claims) == 2
    assert strikes(claims[1]) == [5]
    assert claims[1].scope == "aggregate"
    assert strikes(claims[0]) == []


def test_such_takes_the_kind_of_the_attack_before() -> None:
    text = (
        "A roadside bomb hit a patrol near Saraqib on Monday, wounding four soldiers. "
        "It was the third such attack on the road this month."
    )
    claims = run(text)
    assert len(claims) == 2
    assert claims[1].event_type == claims[0].event_type
    assert strikes(claims[1]) == [3]


def test_an_ordinal_without_a_period_is_not_a_tally() -> None:
    text = "A second strike hit the market in Binnish on Tuesday, killing three people."
    claims = run(text)
    assert len(claims) == 1
    assert strikes(claims[0]) == []


def test_a_flight_with_its_own_figure_is_a_displacement_claim() -> None:
    text = (
        "Government forces captured the village of Kafr Zita on Sunday after heavy fighting. "
        "Thousands of residents fled the fighting toward the north."
    )
    claims = run(text)
    assert [c.event_type for c in claims][-1] == "displacement"
    assert any(c.category == "displaced" for c in claims[-1].counts)
    assert all(c.category != "displaced" for c in claims[0].counts)


def test_damage_to_a_facility_elsewhere_is_a_claim_of_the_attack_type() -> None:
    text = (
        "In Hass, three people were killed when an air strike hit their house on Friday. "
        "A civil defence centre in Kafr Nabl was also put out of action."
    )
    claims = run(text)
    assert len(claims) == 2
    assert claims[1].event_type == claims[0].event_type
    assert claims[1].facilities


def test_damage_at_the_same_place_joins_the_attack() -> None:
    text = (
        "An air strike killed four civilians in Ariha on Friday. A bakery in Ariha was destroyed."
    )
    claims = run(text)
    assert len(claims) == 1
    assert claims[0].facilities
