"""Exports checked against their own ecosystems: HXL with libhxl's validator, UCDP against GED's
header, ACLED rows against the codebook's actor, interaction and civilian-targeting rules, and
GeoJSON with flat properties for GIS tools."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date
from importlib import resources
from pathlib import Path

import hxl
import pytest
from hxl.scripts import hxlvalidate_main

from export_data import build_store, make_view
from marsad import config
from marsad.contract.incident import Actor, IncidentFilter
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.resolve import resolve_store
from marsad.publish import ucdp
from marsad.publish.export import export_incidents
from marsad.publish.imports import parse_rows
from marsad.store import Store
from paths import REPO

EXAMPLES = REPO / "examples" / "reports"
SHARED_GED = REPO.parent / "shared" / "eval" / "ucdp_ged_syria_2016_2017.csv"
# GED's columns in GED's order, as the GED CSV's header gives them
GED_HEADER = [
    "id",
    "year",
    "active_year",
    "type_of_violence",
    "conflict_new_id",
    "conflict_name",
    "dyad_new_id",
    "dyad_name",
    "side_a_new_id",
    "side_a",
    "side_b_new_id",
    "gwnob",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "low",
    "best",
    "high",
]
GOV = Actor("sy_gov_forces", "Syrian government forces", "state_forces")
RUSSIA = Actor("ru_forces", "Russian forces", "foreign_state_forces")
HTS = Actor("hts", "Hayat Tahrir al-Sham", "non_state_armed_group")
PROTESTERS = Actor("protesters", "Protesters", "protesters")
CIVILIANS = Actor("civilians", "Civilians", "civilians")


def run_export(store: Store, fmt: str) -> str:
    out = io.StringIO(newline="")
    export_incidents(store, fmt, out, IncidentFilter(), actor="tester")
    return out.getvalue()


def schema_path() -> Path:
    return Path(str(resources.files("marsad.publish").joinpath("data", "hxl_schema.json")))


@pytest.fixture
def filled(sqlite_store: Store) -> Store:
    build_store(sqlite_store)
    return sqlite_store


def _save(store: Store, day: int, place: str, **changes: object) -> None:
    view = replace(make_view(date(2023, 10, day), place), **changes)  # type: ignore[arg-type]
    store.confirm_incident(store.save_incident(view, actor="tester"), actor="tester")


@pytest.fixture
def coded(sqlite_store: Store) -> dict[str, dict[str, str]]:
    """ACLED rows of incidents whose coding the codebook decides, by place."""
    s = sqlite_store
    protest = {"event_type": "peaceful_protest", "weapons": [], "facilities": {}}
    _save(s, 13, "Maarrat Misrin", perpetrators=[], targets=[PROTESTERS, CIVILIANS], **protest)
    _save(
        s,
        14,
        "Kafr Takharim",
        event_type="protest_with_intervention",
        perpetrators=[GOV],
        targets=[PROTESTERS],
    )
    _save(
        s,
        11,
        "Darat Izzah",
        perpetrators=[GOV, HTS],
        disagreements=["perpetrator: Outlet A says Syrian government forces; Outlet B says HTS"],
    )
    _save(s, 6, "Ariha", perpetrators=[GOV, RUSSIA])
    _save(s, 9, "Sarmin", event_type="armed_clash", perpetrators=[GOV], targets=[HTS])
    _save(s, 10, "Taftanaz", targets=[], figures={})
    rows = csv.DictReader(io.StringIO(run_export(s, "acled")))
    return {r["location"]: r for r in rows}


def test_hxl_export_passes_hxlvalidate_with_the_core_and_marsad_schemas(
    filled: Store, tmp_path: Path
) -> None:
    path = tmp_path / "incidents.hxl.csv"
    path.write_text(run_export(filled, "hxl"), encoding="utf-8")
    for schema in ([], ["--schema", str(schema_path())]):
        out = io.StringIO()
        status = hxlvalidate_main([*schema, str(path)], stdout=out)
        assert status == 0, out.getvalue()
        assert "0 error(s)" in out.getvalue() and "Validation succeeded" in out.getvalue()
    local = hxl.input.InputOptions(allow_local=True)
    report = hxl.validate(hxl.data(str(path), local))
    assert report["is_valid"] and report["stats"]["total"] == 0, report["issues"]


def test_the_marsad_hxl_schema_catches_bad_cells(filled: Store, tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(run_export(filled, "hxl"))))
    header = rows[0]
    rows[2][header.index("governorate_pcode")] = "Idlib"  # a name where a p-code belongs
    rows[2][header.index("date_precision")] = "9"
    rows[3][header.index("grade")] = "probable"
    path = tmp_path / "broken.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    out = io.StringIO()
    assert hxlvalidate_main(["--schema", str(schema_path()), str(path)], stdout=out) != 0
    text = out.getvalue()
    assert "3 error(s)" in text and "#adm1+code" in text and "#status+grade" in text


def test_ucdp_export_header_is_geds(filled: Store) -> None:
    header = next(csv.reader(io.StringIO(run_export(filled, "ucdp"))))
    assert header == GED_HEADER
    if SHARED_GED.is_file():  # the GED file itself, where the evaluation data is at hand
        with SHARED_GED.open(encoding="utf-8") as f:
            assert header == next(csv.reader(f))
    row = next(csv.DictReader(io.StringIO(run_export(filled, "ucdp"))))
    assert all(row[c] == "" for c in ucdp.UCDP_ONLY)
    assert row["side_a"] == "Government of Syria" and row["country_id"] == "652"


def test_peaceful_protest_is_coded_as_the_codebook_says(coded: dict[str, dict[str, str]]) -> None:
    row = coded["Maarrat Misrin"]
    assert (row["event_type"], row["sub_event_type"]) == ("Protests", "Peaceful protest")
    assert (row["actor1"], row["inter1"]) == ("Protesters (Syria)", "6")
    assert (row["actor2"], row["inter2"], row["interaction"]) == ("", "0", "60")
    assert row["civilian_targeting"] == ""
    assert "Unidentified" not in row["actor1"] and row["notes"].startswith(
        "On 2023-10-13, protesters: peaceful protest"
    )
    intervention = coded["Kafr Takharim"]
    assert intervention["actor1"] == "Protesters (Syria)"
    assert intervention["actor2"] == "Military Forces of Syria (2000-)"
    assert intervention["interaction"] == "16"


def test_disputed_attribution_goes_in_the_notes(coded: dict[str, dict[str, str]]) -> None:
    row = coded["Darat Izzah"]
    assert row["actor1"] == "Unidentified Armed Group (Syria)" and row["inter1"] == "3"
    assert row["assoc_actor_1"] == ""
    assert (
        "Attribution disputed: sources name Syrian government forces; Hayat Tahrir al-Sham."
        in row["notes"]
    )
    together = coded["Ariha"]  # two perpetrators no source disputes: they acted together
    assert together["actor1"] == "Military Forces of Syria (2000-)"
    assert together["assoc_actor_1"] == "Military Forces of Russia (2000-)"
    assert together["interaction"] == "17" and "disputed" not in together["notes"]


def test_civilian_targeting_only_where_civilians_were_targeted(
    coded: dict[str, dict[str, str]],
) -> None:
    assert coded["Ariha"]["civilian_targeting"] == "Civilian targeting"
    battle = coded["Sarmin"]  # a clash: civilians killed, but not the target
    assert battle["event_type"] == "Battles" and battle["civilian_targeting"] == ""
    assert (battle["actor2"], battle["interaction"]) == ("HTS: Hayat Tahrir al Sham", "12")
    untargeted = coded["Taftanaz"]  # a strike with no target named and no civilian toll
    assert untargeted["civilian_targeting"] == "" and untargeted["actor2"] == ""


def test_acled_actor_names_come_back_as_marsad_actors(coded: dict[str, dict[str, str]]) -> None:
    text = io.StringIO()
    rows = list(coded.values())
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    good, bad = parse_rows("acled", text.getvalue())
    assert bad == []
    claims = {r.claim.places[0].name: r.claim for r in good}
    assert [a.id for a in claims["Ariha"].perpetrators] == ["sy_gov_forces", "ru_forces"]
    assert claims["Ariha"].places[0].admin1_pcode == "SY07"
    assert claims["Darat Izzah"].perpetrators == []  # unidentified: nobody is blamed
    assert [a.id for a in claims["Maarrat Misrin"].targets] == ["protesters"]


def test_a_contested_incident_from_resolution_is_written_as_disputed(
    sqlite_store: Store,
) -> None:
    reports = sorted(EXAMPLES.glob("2023-10-11-darat-izza-*.md"))
    ingest_paths(sqlite_store, reports, actor="tester", max_bytes=config.max_bytes(None))
    extract_documents(sqlite_store, actor="tester")
    resolve_store(sqlite_store, actor="tester")
    out = io.StringIO(newline="")
    f = IncidentFilter(max_sensitivity="restricted")
    export_incidents(sqlite_store, "acled", out, f, actor="tester", include_unreviewed=True)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["actor1"] == "Unidentified Armed Group (Syria)" and row["assoc_actor_1"] == ""
    assert "Attribution disputed" in row["notes"] and "Syrian government forces" in row["notes"]


def test_flat_geojson_has_scalar_properties_for_gis(filled: Store) -> None:
    nested = json.loads(run_export(filled, "geojson"))
    flat = json.loads(run_export(filled, "geojson-flat"))
    assert len(flat["features"]) == len(nested["features"]) == 3
    for plain, feature in zip(nested["features"], flat["features"], strict=True):
        props = feature["properties"]
        assert feature["geometry"] == plain["geometry"]
        assert all(v is None or isinstance(v, str | int | float) for v in props.values())
        assert props["killed_best"] == plain["properties"]["killed"]["best"]
        assert props["admin1"] == "Idlib" and props["admin1_pcode"] == "SY07"
        assert props["perpetrators"] == "Syrian government forces"
    ariha = next(f["properties"] for f in flat["features"] if f["properties"]["id"] == 1)
    assert (ariha["killed_low"], ariha["killed_high"]) == (4, 7)
    assert ariha["weapons"] == "cluster_munition" and ariha["facilities"] == "school:1"
