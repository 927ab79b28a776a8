"""ACLED sub-event types the engine used to miss: captures told with a withdrawal, bases
overrun, crowds without a mob word, property named by what burned, "would-be" bombers.

Every sentence here is invented for the test (Syrian place names, no real report).
"""

from __future__ import annotations

import pytest

from marsad.contract.claim import DocumentMeta
from marsad.extract import extract

META = DocumentMeta(published="2024-03-14")


def main_type(text: str) -> str | None:
    claims = extract(text, META)
    return claims[0].event_type if claims else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the withdrawal told in the next sentence of the claim: a transfer without a fight
        (
            "Rebel fighters have taken control of Kafr Nabl on Tuesday. The fighters entered "
            "the village after the withdrawal of the army units stationed there.",
            "non_violent_territory_transfer",
        ),
        (
            "Government forces have controlled the town of Maarat Misrin after the rebels "
            "withdrew from it on Monday.",
            "non_violent_territory_transfer",
        ),
        (
            "Militants seized a deserted army depot near Saraqib on Sunday.",
            "non_violent_territory_transfer",
        ),
        # a capture with no withdrawal stays a capture
        (
            "Rebel fighters captured the village of Kafr Nabl on Tuesday after heavy shelling.",
            "non_state_overtakes_territory",
        ),
    ],
)
def test_capture_and_withdrawal(text: str, expected: str) -> None:
    assert main_type(text) == expected


def test_overrunning_an_attacked_checkpoint_is_a_clash() -> None:
    text = "Militants attacked and overran two army checkpoints near Saraqib on Monday night."
    assert main_type(text) == "armed_clash"
    # without a military target the overrun is the other side's capture
    text = "Militants attacked and overran the village of Kafr Nabl on Monday night."
    assert main_type(text) == "non_state_overtakes_territory"


def test_a_crowd_that_beats_someone_is_mob_violence() -> None:
    text = "A crowd beat a shepherd to death in the village of Kafr Zayta on Monday."
    assert main_type(text) == "mob_violence"


def test_what_is_burned_makes_it_property_destruction() -> None:
    text = "Farmers said militiamen burned the groves of Kafr Zayta on Monday night."
    assert main_type(text) == "looting_property_destruction"
    text = "Residents said militiamen burned homes in the village of Tall Rifat on Monday."
    assert main_type(text) == "looting_property_destruction"


def test_would_be_bombers_are_no_hypothetical() -> None:
    text = "Two would-be suicide bombers blew themselves up at a checkpoint in Jarablus on Monday."
    assert main_type(text) == "suicide_bomb"
    # a real hypothetical still kills the trigger
    assert main_type("Officials said the rebels would attack the town of Jarablus.") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a raid on forces is a clash
        (
            "Insurgents raided an army base near Saraqib on Sunday, killing three soldiers.",
            "armed_clash",
        ),
        # "non-violent" is no violent demonstration
        (
            "More than ten protesters were injured after police broke up a non-violent "
            "demonstration in Idlib on Friday.",
            "protest_with_intervention",
        ),
        # planes on the ground that shelling damaged are no air strike
        (
            "Shelling hit the airport of Aleppo on Friday and damaged two passenger planes.",
            "shelling",
        ),
        ("The two sides began indirect talks in Geneva on Monday.", "agreement"),
        # a live event word beside a hypothetical one is still news
        (
            "Dozens of former fighters have mobilized in Jisr al-Shughur to defend the town "
            "against a possible attack.",
            "change_to_group_activity",
        ),
    ],
)
def test_word_senses_of_the_kind_of_text(text: str, expected: str) -> None:
    assert main_type(text) == expected


def test_a_hypothetical_alone_is_still_no_event() -> None:
    assert main_type("Residents of Jisr al-Shughur fear a possible attack on the town.") is None


def test_a_unit_set_up_and_a_turkish_point_established() -> None:
    text = "A new militia unit has been set up in the town of Azaz, its commander said on Monday."
    assert main_type(text) == "change_to_group_activity"
    text = "A Turkish point was established near Saraqib on Monday."
    assert main_type(text) == "headquarters_established"


def test_killings_a_protest_mourns_are_no_force_against_it() -> None:
    text = (
        "Thousands of protesters rallied in Idlib on Friday to mourn the demonstrators killed "
        "last month."
    )
    assert main_type(text) == "peaceful_protest"
    text = "Police opened fire on protesters in Idlib on Friday, killing two."
    assert main_type(text) == "excessive_force_against_protesters"


def test_places_freed_are_a_capture() -> None:
    text = (
        "Government forces on Wednesday freed several villages near Jisr al-Shughur from the "
        "militants."
    )
    assert main_type(text) == "government_regains_territory"


def test_the_captured_crew_is_no_capture_of_ground() -> None:
    text = (
        "Gunmen attacked a fishing boat off Latakia on Monday and abducted its crew; four "
        "citizens are among the captured sailors."
    )
    assert main_type(text) == "abduction"
    assert main_type("Rebels captured the town of Kafr Nabl on Monday.") == (
        "non_state_overtakes_territory"
    )


def test_forces_clashing_with_protesters_is_a_violent_demonstration() -> None:
    text = "Security forces fired tear gas while clashing with protesters in Idlib on Friday."
    assert main_type(text) == "violent_demonstration"


def test_fighting_vehicles_are_no_fighting() -> None:
    text = (
        "Rebels came under attack near Saraqib on Tuesday by armored fighting vehicles. One "
        "vehicle was struck by a guided missile."
    )
    assert main_type(text) == "shelling"
