"""Partner rows about incidents Marsad already holds merge into them: same incident, same actor,
same p-code, no false "contested"; importing a file again changes nothing and exits 0.

The store is filled from the project's example reports (written for the project); the ACLED and
Airwars files below are invented rows about those same strikes and protest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad import config
from marsad.cli import app as cli_app
from marsad.contract.incident import IncidentFilter, IncidentView
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.resolve import resolve_store
from marsad.publish.imports import import_dataset
from marsad.store import Store
from paths import REPO

EXAMPLES = REPO / "examples" / "reports"
REPORTS = (
    "2023-10-06-ariha-market-outlet-a.md",
    "2023-10-06-ariha-market-outlet-b.md",
    "2023-10-13-binnish-strike-women-children.md",
    "2023-10-13-maarat-misrin-protest-wire.md",
    "2023-10-13-maarat-misrin-protest-whatsapp.md",
)
ALL = IncidentFilter(max_sensitivity="restricted")

ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
    "source_scale,notes,fatalities,tags,timestamp"
)
# Invented rows, spelled as ACLED spells them: "Idleb", the actor's era, protesters as actor 1;
# coordinates a little off the gazetteer's, as a partner's often are.
ACLED_ROWS = (
    "SYR970001,06 October 2023,2023,1,Political violence,Explosions/Remote violence,"
    "Air/drone strike,Military Forces of Russia (2000-),,8,Civilians (Syria),,7,78,"
    "Civilian targeting,760,Middle East,Syria,Idleb,Ariha,Ariha,Ariha,35.8122,36.6105,1,"
    'Invented Monitor,Other,"Invented note: warplanes struck the market of Ariha.",8,,1700000000',
    "SYR970002,12 October 2023,2023,1,Political violence,Explosions/Remote violence,"
    "Air/drone strike,Military Forces of Syria (2000-),,1,Civilians (Syria),,7,17,"
    "Civilian targeting,760,Middle East,Syria,Idleb,Idleb,Binnish,Binnish,35.9571,36.7134,1,"
    'Invented Monitor,Other,"Invented note: an air strike hit homes in Binnish.",6,,1700000000',
    "SYR970003,13 October 2023,2023,1,Demonstrations,Protests,Peaceful protest,"
    "Protesters (Syria),,6,,,0,60,,760,Middle East,Syria,Idleb,Idleb,Maaret Tamsrin,"
    'Maarat Misrin,36.0110,36.6720,1,Invented Monitor,Other,"Invented note: residents of '
    'Maarat Misrin demonstrated in the main square.",0,,1700000000',
    "SYR970004,20 October 2023,2023,1,Political violence,Explosions/Remote violence,"
    "Shelling/artillery/missile attack,Military Forces of Syria (2000-),,1,Civilians (Syria),,"
    "7,17,Civilian targeting,760,Middle East,Syria,Idleb,Idleb,Sarmin,Sarmin,35.9030,36.7250,"
    '1,Invented Monitor,Other,"Invented note: shells hit homes in Sarmin.",2,,1700000000',
)
# Airwars-style headers, none of them spelled as Marsad's fields are.
AIRWARS_CSV = (
    "Unique reference,Date,Place names,Governorate,Latitude,Longitude,Belligerent,"
    "Civilians killed (min),Civilians killed (max),Children killed (min),Injured (min),"
    "Injured (max),Grading\n"
    "RS-INV-001,2023-10-06,Ariha,Idleb,35.8140,36.6090,Russian Military,7,10,3,20,25,Fair\n"
    "RS-INV-002,not a date,Ariha,Idleb,35.8140,36.6090,Russian Military,1,1,,,,Weak\n"
)


def _prepared(store: Store) -> Store:
    ingest_paths(
        store, [EXAMPLES / n for n in REPORTS], actor="tester", max_bytes=config.max_bytes(None)
    )
    extract_documents(store, actor="tester")
    resolve_store(store, actor="tester")
    return store


def _by_place(store: Store) -> dict[str, IncidentView]:
    return {i.place_name or "": i for i in store.iter_incidents(ALL)}


def _datasets(view: IncidentView) -> set[str]:
    return {s.dataset for s in view.sources if s.dataset}


def test_acled_rows_merge_into_the_incidents_marsad_holds(store: Store, tmp_path: Path) -> None:
    before = _by_place(_prepared(store))
    assert {"Ariha", "Binnish", "Maarrat Misrin"} <= set(before)
    path = tmp_path / "acled.csv"
    path.write_text("\n".join([ACLED_HEADER, *ACLED_ROWS]) + "\n", encoding="utf-8")
    report = import_dataset(store, "acled", path, actor="importer")
    assert report.stored == 4 and not report.rejected
    resolve_store(store, actor="tester")
    after = _by_place(store)
    assert set(after) == set(before) | {"Sarmin"}  # one new incident, the rest merged
    for place in ("Ariha", "Binnish", "Maarrat Misrin"):
        old, new = before[place], after[place]
        assert new.id == old.id, place
        assert _datasets(new) == {"ACLED"}, place
        assert new.grade != "contested" and not any(
            d.startswith("perpetrator") for d in new.disagreements
        ), place
        assert [a.id for a in new.perpetrators] == [a.id for a in old.perpetrators], place
        assert (new.admin1, new.admin1_pcode) == ("Idlib", "SY07"), place
    assert [a.id for a in after["Ariha"].perpetrators] == ["ru_forces"]
    assert [a.name for a in after["Binnish"].perpetrators] == ["Syrian government forces"]
    assert after["Maarrat Misrin"].perpetrators == []  # protesters are no perpetrator
    sarmin = after["Sarmin"]
    assert (sarmin.admin1, sarmin.admin1_pcode, sarmin.admin2_pcode) == ("Idlib", "SY07", "SY0700")
    in_idlib = {
        i.place_name
        for i in store.iter_incidents(IncidentFilter(area="Idlib", max_sensitivity="restricted"))
    }
    assert {"Ariha", "Binnish", "Maarrat Misrin", "Sarmin"} <= in_idlib
    governorates = {i.admin1 for i in store.iter_incidents(ALL)}
    assert "Idleb" not in governorates


def test_importing_the_same_file_twice_is_a_no_op_with_exit_0(
    sqlite_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "acled.csv"
    bad = "SYR970009,the seventh,2023,1,Political violence"  # a rejected row: exit 1 at first
    path.write_text("\n".join([ACLED_HEADER, *ACLED_ROWS[:2], bad]) + "\n", encoding="utf-8")
    db = sqlite_store.url.removeprefix("sqlite:///")
    runner = CliRunner()
    first = runner.invoke(cli_app, ["import", "acled", str(path), "--db", db])
    assert first.exit_code == 1, first.output
    claims = sum(1 for _ in sqlite_store.iter_claims())
    assert claims == 2
    again = runner.invoke(cli_app, ["import", "acled", str(path), "--db", db])
    assert again.exit_code == 0, again.output
    assert "already imported, nothing new" in again.output
    assert "rejected" not in again.output
    as_json = runner.invoke(cli_app, ["import", "acled", str(path), "--db", db, "--json"])
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["status"] == "duplicate"
    assert sum(1 for _ in sqlite_store.iter_claims()) == claims
    imports = [e for e in sqlite_store.history("original", json.loads(as_json.stdout)["sha256"])]
    assert [e.action for e in imports] == ["import"]


def test_airwars_rows_merge_and_bad_rows_are_named(sqlite_store: Store, tmp_path: Path) -> None:
    before = _by_place(_prepared(sqlite_store))
    path = tmp_path / "airwars.csv"
    path.write_text(AIRWARS_CSV, encoding="utf-8")
    db = sqlite_store.url.removeprefix("sqlite:///")
    result = CliRunner().invoke(cli_app, ["import", "airwars", str(path), "--db", db])
    assert result.exit_code == 1, result.output
    assert "airwars.csv row 3" in result.output and "not a date" in result.output
    claim = next(c for c in sqlite_store.iter_claims() if c.provenance.get("dataset") == "Airwars")
    assert claim.provenance["row_id"] == "RS-INV-001" and claim.provenance["grading"] == "fair"
    data = claim.data
    assert data["perpetrators"][0]["id"] == "ru_forces"
    assert data["places"][0]["admin1_pcode"] == "SY07" and data["places"][0]["lat"] == 35.814
    counts = {(c["category"], c["group"]): (c["low"], c["high"]) for c in data["counts"]}
    assert counts == {
        ("killed", "civilians"): (7, 10),
        ("killed", "children"): (3, 3),
        ("injured", "civilians"): (20, 25),
    }
    resolve_store(sqlite_store, actor="tester")
    ariha = _by_place(sqlite_store)["Ariha"]
    assert ariha.id == before["Ariha"].id and "Airwars" in _datasets(ariha)
    assert ariha.grade != "contested"
    assert len(_by_place(sqlite_store)) == len(before)


def test_airwars_json_with_nested_figures(sqlite_store: Store, tmp_path: Path) -> None:
    incidents = {
        "incidents": [
            {
                "code": "RS-INV-010",
                "date": "October 12, 2023",
                "location": "Binnish",
                "latitude": 35.957,
                "longitude": 36.714,
                "belligerents": "Syrian Regime; Russian Military",
                "civilians_killed": {"min": 5, "max": 6},
                "grading": "Weak",
            },
            {"code": "RS-INV-011", "date": "2023-10-12", "belligerents": "Unknown"},
        ]
    }
    path = tmp_path / "airwars.json"
    path.write_text(json.dumps(incidents), encoding="utf-8")
    report = import_dataset(sqlite_store, "airwars", path, actor="importer")
    assert report.stored == 1
    assert report.rejected == [(2, "no location and no coordinates")]
    claim = next(iter(sqlite_store.iter_claims()))
    assert [a["id"] for a in claim.data["perpetrators"]] == ["sy_gov_forces", "ru_forces"]
    assert claim.data["date_start"] == "2023-10-12"
    assert claim.data["counts"][0]["low"] == 5 and claim.data["counts"][0]["high"] == 6
    assert claim.data["places"][0]["gazetteer_id"] is not None


def test_an_airwars_file_without_an_id_column_is_named_once(
    sqlite_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Date,Location\n2023-10-06,Ariha\n", encoding="utf-8")
    report = import_dataset(sqlite_store, "airwars", path, actor="importer")
    assert report.stored == 0 and report.rejected == [(1, "missing columns: id")]


@pytest.mark.parametrize("text", ['{"a": 1}', "[1, 2]"])
def test_airwars_json_that_is_no_incident_list_is_rejected(
    sqlite_store: Store, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "list.json"
    path.write_text(text, encoding="utf-8")
    report = import_dataset(sqlite_store, "airwars", path, actor="importer")
    assert report.stored == 0 and report.rejected
