"""Who did it, on the kinds of text real reports are: attribution qualifiers, who holds a place,
the owner of what was hit, page furniture copied with the article, and a lead that names the
agent once. The sentences are written for these tests; the people in them are invented.
"""

from __future__ import annotations

import json

from reports import reader

from marsad.contract.claim import ATTRIBUTIONS, ActorRef, Claim, Span, claim_from_dict

run = reader("2017-04-10")


def perpetrators(claim: Claim) -> list[tuple[str, str]]:
    return [(a.id, a.attribution) for a in claim.perpetrators]


def only(text: str) -> Claim:
    (claim,) = run(text)
    return claim


# -- attribution ---------------------------------------------------------------------------


def test_a_stated_agent_is_stated() -> None:
    claim = only("Regime helicopters dropped barrel bombs on Kafr Nabl, killing 6 people.")
    assert perpetrators(claim) == [("sy_gov_forces", "stated")]


def test_an_alleged_agent_is_kept_with_its_qualifier() -> None:
    claim = only("Alleged Russian air strikes killed 14 people in Maarat al-Numan on Sunday.")
    assert perpetrators(claim) == [("ru_forces", "alleged")]
    claim = only("The explosion, blamed on the rebels, killed 9 people in Homs on Friday.")
    assert perpetrators(claim) == [("armed_opposition", "alleged")]


def test_the_accused_of_an_accusation_is_alleged() -> None:
    claim = only("Activists accused government forces of shelling Douma, killing 11 people.")
    assert perpetrators(claim) == [("sy_gov_forces", "alleged")]
    text = (
        "Nine people died in a gas attack on Latamna, which activists claimed the Syrian army "
        "was responsible for."
    )
    assert perpetrators(only(text)) == [("sy_gov_forces", "alleged")]


def test_a_claim_of_responsibility_is_the_perpetrators_own() -> None:
    text = "The Islamic State group has claimed responsibility for the car bomb that killed 17."
    assert perpetrators(only(text)) == [("islamic_state", "claimed_by_perpetrator")]
    text = "A truck bomb, claimed by Daesh, killed 23 people in Qamishli on Tuesday."
    assert perpetrators(only(text)) == [("islamic_state", "claimed_by_perpetrator")]


def test_a_denial_is_kept_as_denied() -> None:
    claim = only(
        "Russia denied that its jets struck the bakery in Ariha where 8 people were killed."
    )
    assert perpetrators(claim) == [("ru_forces", "denied")]


def test_attribution_survives_the_dict_round_trip_and_old_claims_read_stated() -> None:
    claim = only("Alleged Russian air strikes killed 14 people in Maarat al-Numan on Sunday.")
    data = json.loads(json.dumps(claim.to_dict()))
    assert data["perpetrators"][0]["attribution"] == "alleged"
    assert claim_from_dict(data).perpetrators[0].attribution == "alleged"
    del data["perpetrators"][0]["attribution"]  # a claim stored before the field existed
    assert claim_from_dict(data).perpetrators[0].attribution == "stated"
    assert ActorRef("x", "X", "unknown", Span(0, 1, "x")).attribution in ATTRIBUTIONS


# -- who holds a place, who owns what was hit -------------------------------------------------


def test_control_words_describe_places_not_perpetrators() -> None:
    claim = only("A car bomb in a regime-controlled district of Homs killed 12 people on Monday.")
    assert claim.perpetrators == []
    claim = only("Barrel bombs fell on opposition-held areas of Daraa, killing 7 people.")
    assert "armed_opposition" not in {a.id for a in claim.perpetrators}


def test_the_owner_of_what_was_hit_is_a_target() -> None:
    claim = only("A drone strike hit a Hezbollah position near Qusayr, killing five fighters.")
    assert claim.perpetrators == []
    assert "iran_backed_militias" in {a.id for a in claim.targets}
    claim = only("A car bomb struck the headquarters of Ahrar al-Sham in Sarmada, killing 9.")
    assert "armed_opposition" not in {a.id for a in claim.perpetrators}


def test_the_owner_of_a_described_target_is_a_target() -> None:
    text = "The strike destroyed a Daesh command position near Mayadin, killing 80 militants."
    claim = only(text)
    assert "islamic_state" not in {a.id for a in claim.perpetrators}
    assert "islamic_state" in {a.id for a in claim.targets}


def test_fire_from_an_owned_position_names_the_agent() -> None:
    text = "Shells fired from regime positions near Khan Touman wounded four people on Monday."
    assert [a.id for a in only(text).perpetrators] == ["sy_gov_forces"]


def test_us_strikes_are_the_coalitions_but_the_pronoun_is_not() -> None:
    claim = only("At least 19 people were killed in the latest US airstrike on Tabqa.")
    assert [a.id for a in claim.perpetrators] == ["us_led_coalition"]
    claim = only("They told us that 4 people were killed by shelling in Jisr al-Shughur.")
    assert "us_led_coalition" not in {a.id for a in claim.perpetrators}


# -- page furniture ------------------------------------------------------------------------


def test_a_tags_line_does_not_name_the_perpetrator() -> None:
    text = (
        "Four people died after a gas attack on Kafr Zita. "
        "Tags Syria Hama chlorine Russia Islamic State At least four people were killed "
        "after a barrel of chlorine was dropped on Kafr Zita on Wednesday."
    )
    claims = run(text)
    assert claims
    assert all(c.perpetrators == [] for c in claims)
    assert any(c.counts for c in claims)  # the toll right after the tags stays


def test_related_links_are_not_events() -> None:
    # headlines copied with the page, running into the report's own sentence
    text = (
        "Shelling kills 6 in Jisr al-Shughur. Print Tweet Related Turkish jets pound Islamic "
        "State Rebels take Manbij The shelling of Jisr al-Shughur killed six people on Monday."
    )
    claims = run(text)
    assert any(c.counts for c in claims)
    assert all(c.perpetrators == [] for c in claims)


# -- the lead names the agent once ----------------------------------------------------------


def test_a_detail_sentence_takes_the_agent_of_the_lead() -> None:
    text = (
        "At least 35 militants were killed in air strikes by the US-led coalition overnight "
        "near Shadadi, a monitor said. The Observatory said 30 militants were killed around "
        "the town of Shadadi and another five outside Kobane."
    )
    claims = run(text)
    assert len(claims) == 2
    assert [[a.id for a in c.perpetrators] for c in claims] == [["us_led_coalition"]] * 2


def test_a_separate_incident_does_not_take_the_leads_agent() -> None:
    text = (
        "Regime warplanes struck a market in Ariha on Monday, killing at least 12 people. "
        "In a separate strike the same day, two people were killed in the village of Kansafra."
    )
    claims = run(text)
    assert len(claims) == 2
    assert claims[0].perpetrators[0].id == "sy_gov_forces"
    assert claims[1].perpetrators == []


# -- the counted group is the victim ------------------------------------------------------------


def test_a_group_counted_through_describing_words_is_the_victim() -> None:
    claim = only(
        "A blast killed at least 25 members of the al-Qaeda-linked Nusra Front in Binnish."
    )
    assert claim.perpetrators == []
    assert "hts" in {a.id for a in claim.targets}


def test_a_passive_over_a_describing_word_makes_the_group_the_victim() -> None:
    text = "At least 23 people from the Ahrar al-Sham militant group were killed by a truck bomb."
    claim = only(text)
    assert claim.perpetrators == []
    # an active perfect is the agent's: "has killed" is no passive
    text = "Activists say the Daesh terrorist group has killed 33 young men near Albu Kamal."
    assert [a.id for a in only(text).perpetrators] == ["islamic_state"]


def test_an_actor_naming_whose_area_it_is_is_no_perpetrator() -> None:
    text = "A car bomb struck buses leaving the pro-regime areas of Rashidin, killing 40 people."
    assert only(text).perpetrators == []


def test_government_aircraft_are_the_government_forces() -> None:
    claim = only("Government warplanes struck a market in Ariha on Monday, killing nine civilians.")
    assert [(p.id, p.attribution) for p in claim.perpetrators] == [("sy_gov_forces", "stated")]
