"""Exports: every format validates or round-trips, public exports leak nothing restricted,
formula-like cells are neutralised, wider exports are logged."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from export_data import (
    FORMULA_PLACE,
    SECRET_PERSON,
    SECRET_PLACE,
    SECRET_SOURCE,
    build_store,
)
from marsad.cli.publish import export_command
from marsad.contract.incident import IncidentFilter
from marsad.publish import acled, hxl, ucdp
from marsad.publish.common import neutralise
from marsad.publish.export import FORMATS, export_incidents
from marsad.publish.imports import parse_rows
from marsad.store import Store

SECRETS = (SECRET_PERSON, SECRET_SOURCE, SECRET_PLACE)


def run_export(store: Store, fmt: str, f: IncidentFilter | None = None) -> str:
    out = io.StringIO(newline="")
    export_incidents(store, fmt, out, f, actor="tester")
    return out.getvalue()


@pytest.fixture
def filled(sqlite_store: Store) -> Store:
    build_store(sqlite_store)
    return sqlite_store


def test_geojson_follows_rfc_7946(filled: Store) -> None:
    data = json.loads(run_export(filled, "geojson"))
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    assert len(data["features"]) == 3
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert (lon, lat) == (36.61, 35.81)  # longitude first


def test_acled_export_uses_acled_columns_and_conservative_fatalities(filled: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(run_export(filled, "acled"))))
    spec = {"event_id_cnty", "event_date", "year", "time_precision", "disorder_type"}
    spec |= {"event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2"}
    spec |= {"interaction", "civilian_targeting", "iso", "region", "country", "admin1"}
    spec |= {"admin2", "admin3", "location", "latitude", "longitude", "geo_precision"}
    spec |= {"source", "source_scale", "notes", "fatalities", "tags", "timestamp"}
    assert spec <= set(rows[0])
    ariha = next(r for r in rows if r["location"] == "Ariha")
    assert ariha["fatalities"] == "4"  # the low end of 4-7
    assert ariha["sub_event_type"] == "Air/drone strike"
    assert ariha["event_type"] == "Explosions/Remote violence"
    assert ariha["time_precision"] == "1" and ariha["geo_precision"] == "1"
    assert ariha["civilian_targeting"] == "Civilian targeting"
    assert ariha["interaction"] == "17"


def test_ucdp_export_has_ged_columns_and_consistent_deaths(filled: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(run_export(filled, "ucdp"))))
    assert {"id", "where_prec", "geom_wkt", "date_prec", "best", "high", "low"} <= set(rows[0])
    for row in rows:
        parts = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
        assert sum(int(row[k]) for k in parts) == int(row["best"])
        assert int(row["low"]) <= int(row["best"]) <= int(row["high"])
        assert row["geom_wkt"] == f"POINT ({row['longitude']} {row['latitude']})"
    ariha = next(r for r in rows if r["where_coordinates"] == "Ariha")
    assert (ariha["low"], ariha["high"], ariha["where_prec"]) == ("4", "7", "1")


@pytest.mark.parametrize("kind", ["acled", "ucdp"])
def test_acled_and_ucdp_exports_round_trip_through_the_importer(filled: Store, kind: str) -> None:
    good, bad = parse_rows(kind, run_export(filled, kind))
    assert bad == []
    by_place = {r.claim.places[0].name: r.claim for r in good}
    sarmin = by_place["Sarmin"]
    if kind == "acled":  # GED has no event type: the importer can only guess one from text
        assert sarmin.event_type == "shelling"
    assert sarmin.date_start == "2023-10-09"
    killed = sarmin.count("killed")
    assert killed is not None and killed.low == 6
    assert sarmin.places[0].lat == 35.81 and sarmin.places[0].lon == 36.61


def test_hxl_has_a_hashtag_row_under_the_header(filled: Store) -> None:
    rows = list(csv.reader(io.StringIO(run_export(filled, "hxl"))))
    assert tuple(rows[0]) == hxl.HEADERS
    assert tuple(rows[1]) == hxl.TAGS
    for tag in ("#date", "#adm1+name", "#adm1+code", "#loc+name", "#geo+lat", "#geo+lon"):
        assert tag in rows[1]
    for tag in ("#event+type", "#affected+killed+min", "#affected+killed+max", "#org+source"):
        assert tag in rows[1]
    assert len(rows) == 2 + 3


def test_jsonl_carries_full_records_with_sources_and_excerpts(filled: Store) -> None:
    records = [json.loads(line) for line in run_export(filled, "jsonl").splitlines()]
    assert len(records) == 3
    ariha = next(r for r in records if r["place_name"] == "Ariha")
    assert ariha["figures"]["killed"]["high"] == 7
    assert [s["source"] for s in ariha["sources"]] == ["Northwest Relief Network"]
    # free text is public only once approved, and this excerpt names a protected person
    assert ariha["sources"][0]["excerpt"] == "" and ariha["notes"] == ""
    assert ariha["sources"][0]["title"] is None
    filled.approve_text("Strikes on Ariha", field="title", actor="analyst-lina")
    records = [json.loads(line) for line in run_export(filled, "jsonl").splitlines()]
    ariha = next(r for r in records if r["place_name"] == "Ariha")
    assert ariha["sources"][0]["title"] == "Strikes on Ariha"
    internal = io.StringIO()
    export_incidents(
        filled, "jsonl", internal, IncidentFilter(max_sensitivity="internal"), actor="lina"
    )
    ariha = next(
        r for r in map(json.loads, internal.getvalue().splitlines()) if r["place_name"] == "Ariha"
    )
    assert "school was hit twice" in ariha["sources"][0]["excerpt"]
    assert SECRET_PERSON not in internal.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_public_export_never_contains_restricted_names_or_sources(filled: Store, fmt: str) -> None:
    data = run_export(filled, fmt).encode("utf-8")
    for secret in SECRETS:
        assert secret.encode() not in data, (fmt, secret)


def test_wider_export_must_be_asked_for_and_is_logged(filled: Store) -> None:
    f = IncidentFilter(max_sensitivity="restricted")
    out = io.StringIO()
    result = export_incidents(filled, "jsonl", out, f, actor="analyst-lina")
    assert SECRET_PLACE in out.getvalue()
    assert result.rows == 4 and result.ledger_seq is not None
    entry = filled.history("export", result.sha256)[0]
    assert entry.actor == "analyst-lina" and entry.action == "export"
    assert json.loads(entry.payload)["include"] == "restricted"


@pytest.mark.parametrize("fmt", ["acled", "ucdp", "hxl"])
def test_formula_like_cells_are_neutralised(filled: Store, fmt: str) -> None:
    text = run_export(filled, fmt)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + FORMULA_PLACE in cells
    assert FORMULA_PLACE not in cells
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)


def test_neutralise_leaves_numbers_alone() -> None:
    assert neutralise("-1+2") == "'-1+2"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\tx") == "'\tx"
    assert neutralise(-36.5) == -36.5
    assert neutralise("Idlib") == "Idlib"


def test_filters_apply_to_exports(filled: Store) -> None:
    text = run_export(filled, "acled", IncidentFilter(event_types=["shelling"]))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["location"] for r in rows] == ["Sarmin"]
    weapons = IncidentFilter(weapons=["cluster_munition"])
    assert len(list(csv.DictReader(io.StringIO(run_export(filled, "ucdp", weapons))))) == 1


def test_export_command_writes_file_and_rejects_unknown_format(
    filled: Store, tmp_path: Path
) -> None:
    app = typer.Typer()
    app.command("export")(export_command)
    app.command("unused")(lambda: None)
    runner = CliRunner()
    out = tmp_path / "out.geojson"
    db = filled.url.removeprefix("sqlite:///")
    result = runner.invoke(
        app, ["export", "--format", "geojson", "--db", db, "--from", "2023-10-07", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text())["features"]) == 2
    bad = runner.invoke(app, ["export", "--format", "xlsx", "--db", db])
    assert bad.exit_code == 2
    assert acled.COLUMNS[0] == "event_id_cnty" and ucdp.COLUMNS[0] == "id"
