"""The ACLED taxonomy: every sub-event type, word senses, and no violent claim for disasters.

Every sentence here is invented for the test (real northwest-Syria place names, no real report).
"""

from __future__ import annotations

import pytest

from marsad.contract import claim as contract
from marsad.contract.claim import DocumentMeta
from marsad.extract import extract
from marsad.lang import load_language_pack
from marsad.publish.acled import SUB_EVENT_PARENT, SUB_EVENT_TO_OURS

META = DocumentMeta(published="2024-03-14")  # a Thursday

# ACLED's "Political violence" sub-event types (and excessive force) are the violent ones
VIOLENT = {
    sub for sub, (_, disorder) in SUB_EVENT_PARENT.items() if "Political violence" in disorder
}


def types(text: str) -> list[str]:
    return [c.event_type for c in extract(text, META)]


def violent(text: str) -> list[str]:
    return [
        c.event_type
        for c in extract(text, META)
        if c.acled_sub_event_type in VIOLENT or c.event_type == "attack"
    ]


# -- the taxonomy ---------------------------------------------------------------------------


def test_every_acled_sub_event_type_has_an_event_type() -> None:
    ours = {
        sub
        for t, sub in contract.ACLED_SUB_EVENT_TYPES.items()
        if t in contract.EVENT_TYPES and sub
    }
    assert ours == set(SUB_EVENT_PARENT)
    assert len(SUB_EVENT_PARENT) == 25
    assert set(SUB_EVENT_TO_OURS) == set(SUB_EVENT_PARENT)
    assert all(t in contract.EVENT_TYPES for t in SUB_EVENT_TO_OURS.values())


def test_threat_and_displacement_have_no_acled_sub_event_type() -> None:
    assert contract.ACLED_SUB_EVENT_TYPES["threat"] is None
    assert contract.ACLED_SUB_EVENT_TYPES["displacement"] is None
    (claim,) = extract("More than 3,000 families fled Ariha on Tuesday.", META)
    assert (claim.event_type, claim.acled_sub_event_type) == ("displacement", None)


def test_every_event_type_has_a_family_and_stored_captures_still_resolve() -> None:
    assert all(t in contract.EVENT_FAMILIES for t in contract.EVENT_TYPES)
    assert "territory_change" not in contract.EVENT_TYPES  # no longer produced ...
    assert contract.EVENT_FAMILIES["territory_change"] == "battle"  # ... but still read
    assert contract.ACLED_SUB_EVENT_TYPES["territory_change"] == "Government regains territory"


def test_the_pack_names_only_known_event_types() -> None:
    pack = load_language_pack("en")
    senses = pack.senses
    known = set(contract.EVENT_TYPES)
    assert set(pack.event_triggers) <= known
    assert set(pack.event_priority) == known
    assert {t for t, _, _ in senses.conditional} <= known
    for typ, with_, to, _ in senses.retypes:
        assert typ in known and to in known
        assert with_ in known or with_ in senses.contexts
    assert senses.quiet <= set(senses.contexts)
    assert {senses.capture, senses.non_state_capture} <= known


# -- which event is primary, as ACLED codes it ---------------------------------------------------


def test_a_clash_with_shelling_is_an_armed_clash() -> None:
    text = (
        "Rebels and regime forces clashed near Kafr Nabudah on Wednesday amid heavy shelling, "
        "killing 12 fighters."
    )
    assert types(text) == ["armed_clash"]


def test_a_bomb_blast_is_a_remote_explosive_and_a_suicide_bomber_a_suicide_bomb() -> None:
    assert types("A bomb blast tore through the vegetable market in Azaz on Tuesday.") == [
        "remote_explosive"
    ]
    text = "A suicide bomber blew himself up at a checkpoint outside Sarmada on Monday."
    assert types(text) == ["suicide_bomb"]
    assert types("A suicide bomb killed three men in al-Bab on Monday.") == ["suicide_bomb"]


def test_a_hand_grenade_is_a_grenade() -> None:
    text = "A hand grenade was thrown into a shop in Maarat Misrin on Monday, wounding two men."
    assert types(text) == ["grenade"]


def test_an_explosion_after_an_air_strike_is_the_air_strike() -> None:
    text = (
        "Russian warplanes struck the market in Ariha on Tuesday morning. Residents heard two "
        "explosions that flattened a row of stalls."
    )
    assert types(text) == ["air_strike"]


def test_an_attack_on_a_checkpoint_is_a_clash_but_a_missile_on_a_base_a_missile_attack() -> None:
    assert types("Gunmen attacked an army checkpoint near Saraqib on Monday night.") == [
        "armed_clash"
    ]
    text = "A ballistic missile hit a military base near Atarib on Monday, witnesses said."
    assert types(text) == ["shelling"]


# -- captures: who gains ---------------------------------------------------------------------


def test_a_capture_is_typed_by_the_side_that_gains() -> None:
    assert types("Government forces retook the village of Kafr Zita on Monday.") == [
        "government_regains_territory"
    ]
    assert types("Rebel fighters recaptured the village of Kafr Zita from the army on Monday.") == [
        "non_state_overtakes_territory"
    ]
    # the passive names the side that gains after "by"
    assert types("The village of Kafr Zita was recaptured by rebels on Monday.") == [
        "non_state_overtakes_territory"
    ]


def test_a_capture_as_the_other_side_withdraws_is_a_transfer_without_a_fight() -> None:
    text = "Rebels took control of Kafr Zita on Monday after government troops withdrew from it."
    assert types(text) == ["non_violent_territory_transfer"]
    assert types("The army withdrew from its positions around Kafr Zita on Monday.") == [
        "change_to_group_activity"
    ]


# -- the new types ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        (
            "Two women said they were raped at a checkpoint near Binnish on Saturday.",
            "sexual_violence",
        ),
        ("Protesters threw stones at the police in al-Bab on Tuesday.", "violent_demonstration"),
        ("Protesters clashed with the police in al-Bab on Tuesday.", "violent_demonstration"),
        ("An angry mob lynched a man in Atarib on Wednesday.", "mob_violence"),
        ("Militiamen looted shops in Kafr Nabl on Monday.", "looting_property_destruction"),
        (
            "Turkish troops set up a new military post near Atarib on Monday.",
            "headquarters_established",
        ),
        (
            "Police seized a truck of rifles and ammunition in Sarmada on Monday.",
            "disrupted_weapons_use",
        ),
        ("Engineers defused two roadside bombs near Ariha on Sunday.", "disrupted_weapons_use"),
        ("The factions agreed a ceasefire in Jabal al-Zawiya on Monday.", "agreement"),
        ("Forty fighters surrendered to the army in Saraqib on Monday.", "agreement"),
        ("The army deployed reinforcements to Saraqib on Monday.", "change_to_group_activity"),
        ("Helicopters dropped leaflets over Binnish on Monday telling people to leave.", "threat"),
    ],
)
def test_each_new_type_has_its_words(text: str, event_type: str) -> None:
    assert types(text) == [event_type]


def test_a_protest_about_an_attack_is_a_protest() -> None:
    text = "Hundreds marched in Kafr Nabl on Friday against the execution of a local activist."
    assert types(text) == ["peaceful_protest"]
    text = "Protesters rallied in Binnish on Friday over the detention of two journalists."
    assert types(text) == ["peaceful_protest"]


# -- word senses --------------------------------------------------------------------------------


def test_a_month_name_is_no_protest_and_no_hypothetical() -> None:
    text = "Airstrikes killed five civilians in Idlib on 3 March, the civil defence said."
    assert types(text) == ["air_strike"]
    assert types("Warplanes struck the market in Ariha on 12 May, killing four people.") == [
        "air_strike"
    ]
    # the verb "may" still governs what follows it
    assert types("Residents fear that government forces may shell the town again.") == []
    # and "march" as a verb is still a protest
    assert types("Hundreds of people march through Binnish on Friday.") == ["peaceful_protest"]


def test_a_strike_of_workers_is_a_protest() -> None:
    assert types("Teachers in Binnish went on strike on Sunday over unpaid wages.") == [
        "peaceful_protest"
    ]
    assert types("A general strike closed the shops of Idlib city on Monday.") == [
        "peaceful_protest"
    ]


def test_a_demonstration_of_something_is_no_protest() -> None:
    text = "The calm weekend in Ariha was a demonstration of the fragile ceasefire, residents said."
    assert "peaceful_protest" not in types(text)


def test_attacks_in_sport_and_politics_are_no_events() -> None:
    assert types("The striker's attack in the second half won the match for Idlib on Friday.") == []
    assert types("The minister attacked the proposal in parliament on Monday.") == []


@pytest.mark.parametrize(
    "text",
    [
        "A strong earthquake killed eight people in Jableh on Monday, officials said.",
        "Flash floods swept through camps near Sarmada on Tuesday, killing two children.",
        "A fire broke out at a fuel depot in Sarmada on Monday, killing three workers.",
        "A gas cylinder explosion in a restaurant in Azaz killed two people on Sunday.",
        "Two men died of COVID-19 at a hospital in Idlib on Sunday, the health directorate said.",
        "Nine people were killed when a bus crashed on the road to Bab al-Hawa on Monday.",
        "Police seized 20 kg of hashish from smugglers in Azaz on Tuesday.",
        "Russia expelled diplomats from three European countries on Monday.",
        "The council condemned the missile tests and imposed new sanctions on Monday.",
        "The extremist group claimed responsibility for the attack on Monday.",
    ],
)
def test_disasters_accidents_crime_and_diplomacy_make_no_violent_claim(text: str) -> None:
    assert violent(text) == []


def test_a_toll_after_a_disaster_report_makes_no_claim() -> None:
    text = (
        "A building collapse in Harem buried a family on Monday. "
        "Five people were killed and three were injured, the civil defence said."
    )
    assert types(text) == []
    # a violent event word in the same report still makes its claim
    text = (
        "An air strike hit a market in Harem on Monday after days of heavy rain and floods. "
        "Five people were killed and three were injured, the civil defence said."
    )
    assert types(text) == ["air_strike"]
