"""Rules added in the second accuracy round (issue 4), each on sentences written for the test.

Who did it (the agent of the event word, not the first armed actor named), which figures belong
together (lists, ellipsis, one-person role nouns), where one incident ends and the next begins,
and a few lexicon and gazetteer facts. The sentences are ours; names of people are invented.
"""

from __future__ import annotations

from reports import reader

from marsad.contract.claim import Claim
from marsad.gazetteer import default_gazetteer

run = reader("2019-06-01")


def counts_of(claim: Claim) -> set[tuple[str, str, int | None]]:
    return {(c.category, c.group, c.low) for c in claim.counts}


def test_who_holds_a_place_is_not_the_agent() -> None:
    (claim,) = run("Regime air strikes on rebel-held districts of Aleppo killed 12 civilians.")
    assert [a.id for a in claim.perpetrators] == ["sy_gov_forces"]
    (claim,) = run("Air strikes on a town held by the Islamic State killed 9 civilians on Monday.")
    assert "islamic_state" not in {a.id for a in claim.perpetrators}


def test_the_agent_of_the_event_word_comes_first() -> None:
    text = "After rebels shelled the city, air strikes by Russian jets killed 20 people in Ariha."
    (claim,) = run(text)
    assert claim.perpetrators[0].id == "ru_forces"


def test_an_opposition_coalition_is_a_speaker_not_the_us_led_coalition() -> None:
    text = "The Syrian Coalition said regime helicopters dropped barrel bombs on Daraa, killing 8."
    (claim,) = run(text)
    assert "us_led_coalition" not in {a.id for a in claim.perpetrators}


def test_a_place_named_like_the_government_is_a_place() -> None:
    (claim,) = run("A car bomb exploded in central Damascus on Sunday, killing 7 people.")
    assert "sy_gov_forces" not in {a.id for a in claim.perpetrators}


def test_past_24_hours_is_a_date_not_history() -> None:
    (claim,) = run("Air strikes hit the countryside of Hama in the past 24 hours.", "2017-04-25")
    assert (claim.date_start, claim.date_end) == ("2017-04-24", "2017-04-25")
    assert run("Air strikes hit Hama in the past, residents recall.", "2017-04-25") == []


def test_list_items_share_the_category_before_the_next_verb() -> None:
    text = "8 civilians were killed, including 3 children and a woman, and 21 were injured."
    (claim,) = run("Air strikes hit Ariha on Monday. " + text)
    found = counts_of(claim)
    assert ("killed", "women", 1) in found and ("injured", "women", 1) not in found
    # the bare "21" counts the civilians the sentence is about
    assert ("injured", "civilians", 21) in found
    (claim,) = run("Regime artillery shelled Saraqib, killing a woman and her two children.")
    assert ("killed", "children", 2) in counts_of(claim)


def test_a_role_noun_with_an_article_is_one_person() -> None:
    (claim,) = run("On Monday, government shelling killed a guard at the museum in Kafr Nabl.")
    assert ("killed", "all", 1) in counts_of(claim)
    (claim,) = run("Unknown men kidnapped a pharmacist near Binnish on Thursday.")
    assert ("missing", "all", 1) in counts_of(claim)


def test_a_fronted_place_starts_the_next_incident() -> None:
    text = (
        "A regime air strike destroyed a water station in Maarat al-Numan on Wednesday, cutting "
        "supplies to 60,000 residents. In nearby Kafr Sajna, a barrel bomb killed a man and his "
        "wife."
    )
    claims = run(text, "2019-08-08")
    assert len(claims) == 2
    assert ("killed", "men", 1) in counts_of(claims[1])


def test_an_incident_drops_the_governorate_that_encloses_its_town() -> None:
    (claim,) = run("In Idlib province, a car bomb exploded at the entrance of Sarmada on Sunday.")
    assert [p.name for p in claim.places] == ["Sarmada"]


def test_protests_listed_by_town_are_one_protest_each() -> None:
    text = (
        "Hundreds rallied in Idlib city on Friday. Smaller demonstrations took place in Binnish "
        "and Atarib."
    )
    claims = run(text)
    assert [len(c.places) for c in claims] == [1, 1, 1]
    # banners naming towns do not make protests there
    text = (
        "Hundreds marched in Maarat Misrin on Friday. Protesters carried banners bearing the "
        "names of towns hit in recent days, including Ariha and Darat Izza."
    )
    assert len(run(text)) == 1


def test_raids_give_way_to_an_arrest_and_a_capture_to_a_battle() -> None:
    (claim,) = run("SDF fighters arrested 20 men in raids on villages east of Manbij on Monday.")
    assert claim.event_type == "arrest"
    (claim,) = run(
        "Government forces took control of Kafr Nabudah on Saturday after heavy fighting."
    )
    assert claim.event_type == "government_regains_territory"


def test_facilities_put_out_of_service_are_counted_unless_listed_by_kind() -> None:
    text = "At least 18 health facilities in Idlib have been put out of service by airstrikes."
    (claim,) = run(text)
    assert ("facilities_hit", "all", 18) in counts_of(claim)
    text = "Air strikes on Idlib hit 8 schools, 5 medical facilities and 3 bakeries on Monday."
    (claim,) = run(text)
    assert not any(c.category == "facilities_hit" for c in claim.counts)


def test_al_bab_is_a_town() -> None:
    names = [p.name for p in default_gazetteer().locate("Protests spread to Azaz and al-Bab.")]
    assert len(names) == 2
    assert default_gazetteer().locate("the regime of Bashar al-Assad") == []
    assert [p.name for p in default_gazetteer().locate("in Southern Aleppo")] != ["Southern"]
