"""`marsad gazetteer import`: a GeoNames country dump makes a new country's places findable."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.gazetteer import default_gazetteer
from marsad.gazetteer.geonames_import import GeoNamesImportError, read_geonames

# Lebanese places in GeoNames' 19-column layout (values written for this test).
ROWS = [
    ["272103", "Liban-Nord", "Liban-Nord", "North Governorate,Nord", "34.4", "36.0", "A",
     "ADM1", "LB", "", "09", "", "", "", "0", "", "0", "Asia/Beirut", "2020-01-01"],
    ["266826", "Tripoli", "Tripoli", "Trablous,Tarabulus,طرابلس", "34.43667", "35.84972", "P",
     "PPLA", "LB", "", "09", "", "", "", "229398", "", "0", "Asia/Beirut", "2020-01-01"],
    ["276781", "Minyara", "Minyara", "", "34.55", "36.13", "P", "PPL", "LB", "", "09", "",
     "", "", "4000", "", "0", "Asia/Beirut", "2020-01-01"],
    ["111111", "Nahr Creek", "Nahr Creek", "", "34.5", "36.0", "H", "STM", "LB", "", "09",
     "", "", "", "0", "", "0", "Asia/Beirut", "2020-01-01"],
]  # fmt: skip


def write_dump(path: Path, rows: list[list[str]]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("LB.txt", "".join("\t".join(r) + "\n" for r in rows))
        archive.writestr("readme.txt", "about the dump\n")
    return path


@pytest.fixture
def packs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "packs"
    monkeypatch.setenv("MARSAD_GAZETTEER_DIR", str(folder))
    default_gazetteer.cache_clear()
    yield folder
    default_gazetteer.cache_clear()


def test_import_adds_a_country_that_locate_then_finds(tmp_path: Path, packs_dir: Path) -> None:
    dump = write_dump(tmp_path / "LB.zip", ROWS)
    result = CliRunner().invoke(app, ["gazetteer", "import", str(dump), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["places"] == 3  # the stream (class H) is not a place people report from
    assert Path(report["pack"]).parent == packs_dir
    (ref,) = default_gazetteer().locate("Shelling was reported in Trablous overnight.")
    assert ref.gazetteer_id == "gn:266826" and ref.admin1 == "Liban-Nord"
    assert ref.evidence.text == "Trablous"
    # Syria is still there
    assert default_gazetteer().resolve_name("Saraqib") is not None


def test_a_file_that_is_not_a_dump_is_refused_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "places.txt"
    bad.write_text("name,lat,lon\nTripoli,34.4,35.8\n", encoding="utf-8")
    with pytest.raises(GeoNamesImportError, match="line 1 has 1 tab-separated columns"):
        read_geonames(bad)


def test_short_rows_are_skipped_and_named(tmp_path: Path) -> None:
    dump = tmp_path / "LB.txt"
    lines = ["\t".join(r) for r in ROWS] + ["999\tBroken row"]
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    places, skipped = read_geonames(dump)
    assert len(places) == 3 and skipped == ["line 5: 2 columns instead of 19"]
