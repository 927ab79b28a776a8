"""Gazetteer v2: OCHA communities with admin4 P-codes, name origins, matching by consonants,
qualifier forms, places abroad, names that need context, and the reason for every choice.

Every sentence here is written for these tests."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.contract.claim import PLACE_REASONS
from marsad.extract import places_in
from marsad.gazetteer import Gazetteer, default_gazetteer
from marsad.geo import haversine_km


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def found(gaz: Gazetteer, text: str) -> list[tuple[str, str, str | None]]:
    return [(p.evidence.text, p.name, p.admin1) for p in gaz.locate(text)]


def test_communities_carry_admin4_pcodes_and_name_origins(gaz: Gazetteer) -> None:
    kafr_nabl = gaz.resolve_name("Kafr Nabl")
    assert kafr_nabl is not None and kafr_nabl.admin4_pcode == "C4068"
    assert len(kafr_nabl.name_origins) == len(kafr_nabl.names)
    with_c_code = [p for p in gaz if p.admin4_pcode]
    assert len({p.admin4_pcode for p in with_c_code}) >= 5_600
    assert all(p.admin4_pcode.startswith("C") for p in with_c_code)  # type: ignore[union-attr]
    origins = {o for p in gaz for o in p.name_origins for o in o.split("+")}
    assert {"ocha", "geonames", "ucdp"} <= origins


def test_a_spelling_that_differs_in_vowels_resolves_by_its_consonants(gaz: Gazetteer) -> None:
    a, b = gaz.resolve_name("Latmana"), gaz.resolve_name("Al Lataminah town")
    assert a is not None and b is not None
    assert a.admin1 == b.admin1 == "Hama"
    assert haversine_km(a.lat or 0, a.lon or 0, b.lat or 0, b.lon or 0) < 2
    ranked = gaz.rank_name("Latamneh")
    assert ranked and any("consonants" in why for why in ranked[0].reasons)


def test_in_text_a_consonant_match_needs_a_place_cue(gaz: Gazetteer) -> None:
    refs = gaz.locate("Rockets fell on Latamneh before dawn.")
    assert [r.admin1 for r in refs] == ["Hama"]
    assert refs[0].reason and "consonants" in refs[0].reason
    assert refs[0].confidence is not None and refs[0].confidence < 0.7
    assert gaz.locate("Latamneh residents met the mayor.") == []


def test_qualifiers_match_in_either_language(gaz: Gazetteer) -> None:
    western = gaz.resolve_name("Western Samadaniyeh")
    assert western is not None
    assert gaz.resolve_name("Samadaniyeh al-Gharbiyah") == western
    assert found(gaz, "Shells hit Samadaniyeh al-Gharbiyah at noon.")[0][1] == western.name


@pytest.mark.parametrize(
    "text",
    [
        "Saudi Arabia called for calm.",
        "The delegation flew to Erbil on Monday.",
        "Families fled Sinjar in northern Iraq years ago.",
        "A donor conference in Basra pledged support.",
        "The charity's office in Sydney raised funds.",
    ],
)
def test_places_abroad_are_not_syrian_places(gaz: Gazetteer, text: str) -> None:
    assert gaz.locate(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The Deal was announced on Monday.",
        "The Death Toll Climbed Overnight.",
        "An IS cell claimed the attack.",
        "Contact with Adnan\nZakkour was lost after the raid.",
        "Neighbours said the Bitar family had left.",
        "The Al-Thawra newspaper printed the list.",
    ],
)
def test_words_and_names_that_fold_like_villages_are_not_places(gaz: Gazetteer, text: str) -> None:
    assert gaz.locate(text) == []


def test_a_risky_name_is_kept_beside_a_place_of_its_governorate(gaz: Gazetteer) -> None:
    # "Haddad" is a village of Hasakah, and a surname
    assert gaz.locate("Haddad said the shelling lasted all night.") == []
    assert gaz.locate("Shelling hit Haddad and Aleppo overnight.")[0].name != "Haddad"
    near_qamishli = gaz.locate("Shelling hit Haddad, east of Qamishli, overnight.")
    assert [r.admin1 for r in near_qamishli] == ["Hasakah", "Hasakah"]
    assert near_qamishli[0].reason and "vouched_by_governorate" in near_qamishli[0].reason
    (cued,) = gaz.locate("The village of Haddad was shelled.")
    assert cued.admin1 == "Hasakah" and cued.reason and "after_place_word" in cued.reason


def test_a_name_after_a_name_opener_is_part_of_it(gaz: Gazetteer) -> None:
    assert [r.name for r in gaz.locate("A rocket fell on Bab al-Nairab at dawn.")] == []
    refs = gaz.locate("Shells fell on the towns of al-Fouaa and Kafrayya on Sunday.")
    assert [r.admin1 for r in refs] == ["Idlib", "Idlib"]


def test_relative_phrases_give_near(gaz: Gazetteer) -> None:
    for text in (
        "Clashes north of Hama.",
        "A strike 10 km east of Saraqib.",
        "Raids west of Aleppo city.",
    ):
        (ref,) = gaz.locate(text)
        assert ref.precision == "near", text


def test_a_quarter_word_picks_the_city_quarter(gaz: Gazetteer) -> None:
    (ref,) = gaz.locate("A barrel bomb hit the al-Marjeh neighbourhood.")
    assert ref.kind == "neighbourhood" and ref.admin1 == "Aleppo"


def test_every_place_says_why_and_how_sure(gaz: Gazetteer) -> None:
    text = "Airstrikes hit Saraqib, Kafr Nabl and Maarat al-Numan in Idlib province."
    refs = gaz.locate(text)
    assert len(refs) == 4
    for r in refs:
        assert r.reason and r.confidence is not None and 0 < r.confidence <= 1
        assert set(r.reason.split("+")) <= set(PLACE_REASONS)


def test_places_in_drops_a_surname_that_is_a_village() -> None:
    text = "The activist Omar al-Hasan was killed in Saraqib on Friday."
    assert [p.name for p in places_in(text)] == ["Saraqib"]


def test_lookup_shows_admin4_and_reasons() -> None:
    result = CliRunner().invoke(
        app, ["gazetteer", "lookup", "Mansoura", "--admin1", "Aleppo", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all(r["admin1"] == "Aleppo" for r in rows)
    assert any(r["admin4_pcode"] for r in rows)
    assert all(r["reasons"] for r in rows)
    assert all(r["names"][0]["origin"] for r in rows)


def test_lookup_refuses_an_unknown_governorate() -> None:
    result = CliRunner().invoke(app, ["gazetteer", "lookup", "Mansoura", "--admin1", "Atlantis"])
    assert result.exit_code == 2
    assert "Atlantis" in result.output and "Idlib" in result.output
