"""The partner data tables: how ACLED, UCDP GED and Airwars name actors and governorates, and
the Marsad actor or p-code each name is."""

from __future__ import annotations

import pytest

from marsad.gazetteer import default_gazetteer
from marsad.publish.partner_actors import NOBODY, actor_table, build_table, read_table
from marsad.publish.partner_places import admin1_spellings, resolve_admin1
from marsad.publish.ucdp import row_to_claim as ged_row_to_claim


@pytest.mark.parametrize(
    ("name", "actor"),
    [
        ("Military Forces of Syria (2000-)", "sy_gov_forces"),
        ("Military Forces of Syria (2000-2024)", "sy_gov_forces"),
        ("Military Forces of Russia (2000-)", "ru_forces"),
        ("Police Forces of Syria (2000-)", "sy_gov_forces"),
        ("Military Forces of Turkey (2016-)", "tr_forces"),
        ("Military Forces of Israel (2022-)", "il_forces"),
        ("Military Forces of the United States (2021-)", "us_led_coalition"),
        ("Protesters (Syria)", "protesters"),
        ("Rioters (Syria)", "protesters"),
        ("Civilians (Syria)", "civilians"),
        ("HTS: Hayat Tahrir al Sham", "hts"),
        ("Islamic State (Syria)", "islamic_state"),
        ("QSD: Syrian Democratic Forces", "sdf"),
        ("Government of Syria", "sy_gov_forces"),
        ("Government of Russia (Soviet Union)", "ru_forces"),
        ("Government of United States of America", "us_led_coalition"),
        ("IS", "islamic_state"),
        ("Syrian insurgents", "armed_opposition"),
        ("SDF", "sdf"),
        ("Jabhat Fateh al-Sham", "hts"),  # from the English pack's aliases
        ("Russian Military", "ru_forces"),
        ("Syrian Regime", "sy_gov_forces"),
    ],
)
def test_partner_actor_names_map_onto_marsad_actors(name: str, actor: str) -> None:
    found = actor_table().lookup(name)
    assert found is not None and found.id == actor


def test_unknown_authors_name_nobody_and_unlisted_actors_stay_the_datasets() -> None:
    table = actor_table()
    assert table.lookup("Unidentified Armed Group (Syria)") is NOBODY
    assert table.lookup("Unknown") is NOBODY
    # the transitional authorities' forces are not the former government's
    assert table.lookup("Military Forces of Syria (2024-)") is None
    assert table.lookup("Military Forces of Iran (1989-)") is None
    assert table.lookup("Invented Front") is None


def test_every_actor_of_the_table_has_an_export_name_that_maps_back() -> None:
    table = actor_table()
    for dataset in ("acled", "ucdp"):
        for actor_id, name in table.export[dataset].items():
            back = table.lookup(name)
            if actor_id == "unidentified_gunmen":
                assert back is NOBODY
            elif back is not None and back is not NOBODY:
                # Civilians / Syrian insurgents stand for several of Marsad's actors
                assert table.known[back.id].type == table.known[actor_id].type or back.id in (
                    "civilians",
                    "armed_opposition",
                ), (dataset, actor_id, name)
            else:
                pytest.fail(f"{dataset} export name {name!r} of {actor_id} maps to nothing")


def test_a_table_naming_an_actor_the_pack_lacks_is_refused() -> None:
    data = read_table("actors.yaml")
    data["actors"] = {"no_such_actor": {"names": ["X"]}}
    with pytest.raises(ValueError, match="no_such_actor"):
        build_table(data, [])


@pytest.mark.parametrize(
    ("spelling", "pcode", "name"),
    [
        ("Idleb", "SY07", "Idlib"),
        ("Dara", "SY12", "Daraa"),
        ("Deir ez Zor", "SY09", "Deir ez-Zor"),
        ("Ar Raqqa", "SY11", "Raqqa"),
        ("Al Hasakeh", "SY08", "Hasakah"),
        ("As Sweida", "SY13", "As-Suwayda"),
        ("Tartous", "SY10", "Tartus"),
        ("Lattakia", "SY06", "Latakia"),
        ("Rural Damascus", "SY03", "Rural Damascus"),
        ("Quneitra", "SY14", "Quneitra"),
        ("Idlib Governorate", "SY07", "Idlib"),
        ("SY02", "SY02", "Aleppo"),
    ],
)
def test_admin1_spellings_give_the_pcode_and_the_gazetteers_name(
    spelling: str, pcode: str, name: str
) -> None:
    found = resolve_admin1(spelling)
    assert found is not None and (found.pcode, found.name) == (pcode, name)


def test_every_pcode_of_the_admin1_table_is_a_gazetteer_governorate() -> None:
    g = default_gazetteer()
    for spelling, pcode in admin1_spellings().items():
        unit = g.get(f"ocha:{pcode}")
        assert unit is not None and unit.kind == "admin1", (spelling, pcode)
    assert resolve_admin1("Atlantis") is None


def test_ged_rows_use_the_tables_too() -> None:
    row = {
        "id": "1",
        "type_of_violence": "1",
        "side_a": "Government of Syria",
        "side_b": "IS, Syrian insurgents",
        "where_prec": "1",
        "where_coordinates": "Ariha town",
        "adm_1": "Idlib Governorate",
        "adm_2": "Ariha district",
        "latitude": "35.8137",
        "longitude": "36.6096",
        "date_prec": "1",
        "date_start": "2016-05-02",
        "date_end": "2016-05-02",
        "best": "3",
        "high": "3",
        "low": "3",
    }
    claim = ged_row_to_claim(row)
    assert [a.id for a in claim.perpetrators] == ["sy_gov_forces"]
    assert [a.id for a in claim.targets] == ["islamic_state", "armed_opposition"]
    place = claim.places[0]
    assert (place.name, place.admin1, place.admin1_pcode) == ("Ariha", "Idlib", "SY07")
    assert place.gazetteer_id is not None and place.admin2_pcode == "SY0705"
