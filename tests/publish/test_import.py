"""Imports of partner datasets: good rows become claims with provenance, bad rows are reported
by row number with the reason, the file itself is kept as an original and logged."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from marsad.cli.publish import import_app
from marsad.publish.imports import import_dataset, parse_rows
from marsad.store import Store

ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
    "source_scale,notes,fatalities,tags,timestamp"
)


def acled_row(rid: str, day: str, fatalities: str, location: str = "Maarat Misrin") -> str:
    return (
        f"{rid},{day},2023,1,Political violence,Explosions/Remote violence,Air/drone strike,"
        "Military Forces of Syria (2000-),,1,Civilians (Syria),,7,17,Civilian targeting,760,"
        f"Middle East,Syria,Idlib,Idlib,Maarrat Tamsrin,{location},36.01,36.67,1,Invented Wire,"
        f'Other,"Invented note: a strike near the market of {location}.",{fatalities},,1700000000'
    )


ACLED_CSV = "\n".join(
    [
        ACLED_HEADER,
        acled_row("SYR900001", "2023-10-07", "3"),  # row 2: good
        acled_row("SYR900002", "7th of October", "1"),  # row 3: bad date
        acled_row("SYR900003", "06 October 2023", "several"),  # row 4: non-numeric count
        acled_row("SYR900004", "2023-10-08", "2500000"),  # row 5: absurd number
        "SYR900005,2023-10-09,2023",  # row 6: missing cells
        acled_row("SYR900006", "08 October 2023", "0", "Binnish"),  # row 7: good
    ]
)

UCDP_CSV = """id,year,type_of_violence,conflict_name,dyad_name,side_a,side_b,number_of_sources,\
source_article,source_headline,source_original,where_prec,where_coordinates,adm_1,adm_2,\
latitude,longitude,geom_wkt,country,region,event_clarity,date_prec,date_start,date_end,\
deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low
880001,2016,1,Syria: Government,Government of Syria - Invented Front,Government of Syria,\
Invented Front,2,"Invented Agency,2016-05-02","Warplanes hit a village market",Invented Agency,\
1,Kafr Invented village,Idlib governorate,Jisr-Ash-Shugur district,35.8,36.3,POINT (36.3 35.8),\
Syria,Middle East,1,1,2016-05-02 00:00:00.000,2016-05-02 00:00:00.000,1,0,4,0,5,7,5
880002,2016,3,,Invented Front - Civilians,Invented Front,Civilians,1,,,,2,Tall Invented,\
Idlib governorate,,35.9,36.5,POINT (36.5 35.9),Syria,Middle East,1,1,2016-05-04,2016-05-03,\
0,0,2,0,2,2,2
880003,2016,3,,Invented Front - Civilians,Invented Front,Civilians,1,,,,2,Tall Invented,\
Idlib governorate,,35.9,36.5,POINT (36.5 35.9),Syria,Middle East,1,1,2016-05-04,2016-05-04,\
0,0,2,0,9,4,2
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_acled_bad_rows_are_reported_by_number_and_good_rows_stored(
    sqlite_store: Store, tmp_path: Path
) -> None:
    path = write(tmp_path, "acled.csv", ACLED_CSV)
    report = import_dataset(sqlite_store, "acled", path, actor="importer")
    assert report.stored == 2 and report.partial
    reasons = dict(report.rejected)
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "event_date" in reasons[3]
    assert "fatalities" in reasons[4] and "not a number" in reasons[4]
    assert "implausible" in reasons[5]
    assert "missing" in reasons[6]

    claims = [c for c in sqlite_store.iter_claims() if c.provenance.get("dataset") == "ACLED"]
    assert [c.provenance["row_id"] for c in claims] == ["SYR900001", "SYR900006"]
    first = claims[0]
    assert first.document_id is None
    assert first.provenance["file_sha256"] == report.file_sha256
    assert first.provenance["row_number"] == 2
    data = first.data
    assert data["event_type"] == "air_strike"
    assert data["date_start"] == "2023-10-07" and data["date_precision"] == 1
    assert data["places"][0]["admin1"] == "Idlib" and data["places"][0]["lat"] == 36.01
    assert data["perpetrators"][0]["type"] == "state_forces"
    assert data["counts"][0]["low"] == 3 and data["counts"][0]["qualifier"] == "at_least"
    assert data["reported_by"][0]["name"] == "ACLED"
    assert claims[1].data["date_start"] == "2023-10-08"  # "08 October 2023" read as a date


def test_import_keeps_the_file_as_an_original_with_a_ledger_entry(
    sqlite_store: Store, tmp_path: Path
) -> None:
    path = write(tmp_path, "acled.csv", ACLED_CSV)
    report = import_dataset(sqlite_store, "acled", path, actor="importer")
    assert sqlite_store.original(report.file_sha256) == path.read_bytes()
    entry = sqlite_store.history("original", report.file_sha256)[0]
    assert entry.action == "import" and entry.actor == "importer"
    payload = json.loads(entry.payload)
    assert payload["rejected_rows"] == [3, 4, 5, 6] and payload["claims"] == 2
    assert sqlite_store.verify().ok
    again = import_dataset(sqlite_store, "acled", path, actor="importer")
    assert again.status == "duplicate" and again.stored == 0


def test_ucdp_rows_become_claims_with_ranges(sqlite_store: Store, tmp_path: Path) -> None:
    report = import_dataset(
        sqlite_store, "ucdp", write(tmp_path, "ged.csv", UCDP_CSV), actor="importer"
    )
    assert report.stored == 2
    reasons = dict(report.rejected)
    assert list(reasons) == [3] and "before date_start" in reasons[3]
    claim, reordered = list(sqlite_store.iter_claims())
    # best 9 above high 4: kept, the range widened to cover GED's best
    assert (reordered.data["counts"][0]["low"], reordered.data["counts"][0]["high"]) == (2, 9)
    data = claim.data
    assert data["event_type"] == "air_strike"  # from "Warplanes" in the headline
    assert [(c["low"], c["high"], c["group"]) for c in data["counts"]] == [
        (5, 7, "all"),
        (4, 4, "civilians"),
    ]
    place = data["places"][0]
    assert (place["admin1"], place["admin2"], place["precision"]) == (
        "Idlib",
        "Jisr-Ash-Shugur",
        "exact",
    )
    assert claim.provenance["best"] == 5 and claim.provenance["row_id"] == "880001"


def test_missing_columns_are_reported_once_for_the_header() -> None:
    good, bad = parse_rows("ucdp", "id,best\n1,2\n")
    assert good == [] and bad[0][0] == 1 and "missing columns" in bad[0][1]


def test_import_command_exits_1_on_a_partial_import(sqlite_store: Store, tmp_path: Path) -> None:
    app = typer.Typer()
    app.add_typer(import_app, name="import")
    db = sqlite_store.url.removeprefix("sqlite:///")
    path = write(tmp_path, "acled.csv", ACLED_CSV)
    result = CliRunner().invoke(app, ["import", "acled", str(path), "--db", db, "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["stored"] == 2 and [r["row"] for r in out["rejected"]] == [3, 4, 5, 6]
