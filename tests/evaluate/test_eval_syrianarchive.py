"""``marsad eval syrianarchive``: Syrian Archive record scoring on small invented records."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli.evaluate import app
from marsad.contract.claim import WEAPONS, Claim, DocumentMeta, PlaceRef, Span, WeaponRef
from marsad.evaluate.files import EvalFileError
from marsad.evaluate.mapping import SYRIANARCHIVE_WEAPONS, syrianarchive_governorate
from marsad.evaluate.syrianarchive import parse_coordinate, score_syrianarchive

COLUMNS = ["url", "location", "lat", "lon", "date", "violation_type", "weapons", "description"]
SP = Span(0, 1, "x")


def claim(
    pcode: str | None = None,
    point: tuple[float, float] | None = None,
    weapons: tuple[str, ...] = (),
    dates: tuple[str, str] | None = None,
    dated_in_text: bool = True,
    start: int = 0,
) -> Claim:
    places = []
    if pcode or point:
        lat, lon = point or (None, None)
        places = [PlaceRef("P", "exact", SP, admin1_pcode=pcode, lat=lat, lon=lon)]
    return Claim(
        scope="incident",
        event_type="air_strike",
        evidence=Span(start, start + 1, "x"),
        places=places,
        weapons=[WeaponRef(w, SP) for w in weapons],
        date_start=dates[0] if dates else None,
        date_end=dates[1] if dates else None,
        date_evidence=SP if dates and dated_in_text else None,
    )


class KeywordExtractor:
    """A stand-in engine: the claims listed for the first key word the description contains."""

    def __init__(self, table: dict[str, list[Claim]]) -> None:
        self.table = table
        self.metas: list[DocumentMeta] = []

    def __call__(self, text: str, meta: DocumentMeta) -> list[Claim]:
        self.metas.append(meta)
        return next((claims for key, claims in self.table.items() if key in text), [])


def write_csv(tmp_path: Path, rows: list[list[str]], name: str = "archive.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


# --- parsing and mapping -----------------------------------------------------------------------


def test_coordinates_in_decimal_and_degree_spellings() -> None:
    assert parse_coordinate("36.2021") == pytest.approx(36.2021)
    assert parse_coordinate("34°51&#39;12&quot;N") == pytest.approx(34 + 51 / 60 + 12 / 3600)
    assert parse_coordinate("36° 4'18.5\"") == pytest.approx(36 + 4 / 60 + 18.5 / 3600)
    assert parse_coordinate("35°12′40″N") == pytest.approx(35 + 12 / 60 + 40 / 3600)
    assert parse_coordinate("-3.25") == pytest.approx(-3.25)
    assert parse_coordinate("35.78N") == pytest.approx(35.78)
    assert parse_coordinate("12°30'W") == pytest.approx(-12.5)
    assert parse_coordinate("None") is None
    assert parse_coordinate("") is None
    assert parse_coordinate("north of the bridge") is None


def test_governorate_labels_and_weapon_table() -> None:
    assert syrianarchive_governorate("DAMASCUS ") == "damascus"
    assert syrianarchive_governorate("Rif Dimashq") == "damascus"
    assert syrianarchive_governorate("DEIR EZZOR") == "deir ezzor"
    assert syrianarchive_governorate("None") == "unknown"
    for label, weapons in SYRIANARCHIVE_WEAPONS.items():
        assert weapons and set(weapons) <= set(WEAPONS), label


# --- scoring a file ----------------------------------------------------------------------------


def records(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path,
        [
            # weapon right, governorate right, dated right, 0 km away
            [
                "u1",
                "IDLIB : Sarmin",
                "35.90",
                "36.72",
                "04/03/2017",
                "Use of illegal weapons",
                "Chlorine Gas, Chemical Weapons",
                "Gas canisters dropped on Sarmin",
            ],
            # weapon wrong on the main claim but named by a later claim; dated two days off
            [
                "u2",
                "ALEPPO : Anadan",
                "36°17'N",
                "37°02'E",
                "10/03/2017",
                "Unlawful attacks",
                "Cluster Munition, Flechette Shell",
                "Bomblets and shells on Anadan",
            ],
            # no claim at all
            [
                "u3",
                "HAMA : Kafr Zita",
                "None",
                "None",
                "12/03/2017",
                "Other",
                "Barrel Bomb",
                "Footage of a funeral procession",
            ],
            # governorate wrong; the record names no weapon
            [
                "u4",
                "DARAA : Nawa",
                "None",
                "None",
                "15/03/2017",
                "Other",
                "None",
                "Airstrikes on Nawa",
            ],
            # no governorate recorded, only an unmapped weapon label
            [
                "u5",
                "None",
                "None",
                "None",
                "16/03/2017",
                "Unlawful attacks",
                "Flechette Shell",
                "Shelling on a village",
            ],
            ["u6", "IDLIB", "None", "None", "17/03/2017", "Other", "None", "   "],
        ],
    )


def engine() -> KeywordExtractor:
    return KeywordExtractor(
        {
            "Gas": [claim("SY07", (35.90, 36.72), ("chemical",), ("2017-03-04", "2017-03-04"))],
            "Bomblets": [
                claim("SY02", (36.33, 37.05), ("rocket",), ("2017-03-08", "2017-03-08")),
                claim(weapons=("cluster_munition",), start=5),
            ],
            "Nawa": [claim("SY13")],
            "Shelling": [claim("SY05")],
        }
    )


def test_score_syrianarchive_measures(tmp_path: Path) -> None:
    run = engine()
    result = score_syrianarchive(records(tmp_path), extractor=run, examples=2)
    assert result["warnings"]["rows"] == [6]
    assert all(m.published is None for m in run.metas)
    assert result["rows_scored"] == 5
    assert result["no_claim"] == {"rows": 1, "share": 0.2}
    assert result["no_claim_by_violation_type"]["Other"] == {"rows": 2, "no_claim": 1, "share": 0.5}
    # u1 and u2 right, u3 (no place) and u4 (Sweida for Daraa) wrong, u5 names no governorate
    assert result["governorate"] == {"correct": 2, "total": 4, "accuracy": 0.5}
    assert result["governorate_where_placed"]["total"] == 3
    assert result["rows_without_governorate"] == 1
    w = result["weapons"]
    assert w["main_claim"] == {"correct": 1, "total": 3, "accuracy": pytest.approx(1 / 3)}
    assert w["any_claim"]["correct"] == 2
    assert w["unmapped_labels"] == {"Flechette Shell": 2}
    assert w["misses"] == {"no_claim": 1, "no_weapon_on_main_claim": 0, "other_weapon": 1}
    assert w["per_label"]["Flechette Shell"]["main_claim_right"] is None
    assert w["per_label"]["Chlorine Gas"]["main_claim_right"] == 1
    assert w["per_label"]["Barrel Bomb"] == {
        "rows": 1,
        "mapped_to": ["barrel_bomb"],
        "main_claim_right": 0,
    }
    d = result["date"]
    assert d["dated_share"] == pytest.approx(2 / 5)
    assert d["exact_where_dated"]["correct"] == 1
    assert d["within_3_days_where_dated"]["correct"] == 2
    dist = result["distance"]
    assert dist["rows_with_coordinates"] == 2 and dist["main_place_located"] == 2
    assert dist["within_10km"] == 1.0
    anadan = result["outcomes"][1]["distance_km"]
    assert 4 < anadan < 6 and dist["median_km"] == pytest.approx(anadan / 2, abs=0.01)
    assert [e["row"] for e in result["examples"]] == [2, 3]
    assert result["examples"][1]["failures"][0] == "no claim"
    assert score_syrianarchive(records(tmp_path), extractor=engine(), limit=2)["rows_scored"] == 2


def test_missing_column_and_empty_file_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "no_weapons.csv"
    bad.write_text("url,location,lat,lon,date,violation_type,description\n", "utf-8")
    with pytest.raises(
        EvalFileError, match=r"no_weapons\.csv: missing required column\(s\) weapons"
    ):
        score_syrianarchive(bad, extractor=KeywordExtractor({}))
    empty = tmp_path / "empty.csv"
    empty.write_text("", "utf-8")
    with pytest.raises(EvalFileError, match=r"empty\.csv: empty file"):
        score_syrianarchive(empty, extractor=KeywordExtractor({}))
    header_only = write_csv(tmp_path, [], name="header_only.csv")
    with pytest.raises(EvalFileError, match=r"header_only\.csv: no usable rows"):
        score_syrianarchive(header_only, extractor=KeywordExtractor({}))


# --- command line, real engine -----------------------------------------------------------------


def test_cli_syrianarchive_end_to_end(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            [
                "a1",
                "IDLIB : Ariha",
                "None",
                "None",
                "06/02/2017",
                "Unlawful attacks",
                "None",
                "Government warplanes bombed a bakery in Ariha on Monday, killing four people",
            ],
            [
                "a2",
                "ALEPPO : Atarib",
                "None",
                "None",
                "07/02/2017",
                "Use of illegal weapons",
                "Cluster Munition",
                "Regime warplanes dropped cluster bombs on Atarib in western Aleppo countryside, "
                "wounding three civilians",
            ],
            [
                "a3",
                "HOMS : Talbiseh",
                "None",
                "None",
                "08/02/2017",
                "Other",
                "None",
                "A recorded interview",
            ],
        ],
    )
    out = tmp_path / "archive.json"
    res = CliRunner().invoke(
        app, ["syrianarchive", str(path), "--json", str(out), "--examples", "1"]
    )
    assert res.exit_code == 0, res.output
    assert "Syrian Archive 3 records" in res.output
    assert "row 3: no claim" in res.output
    result = json.loads(out.read_text())
    first = result["outcomes"][0]
    assert (first["predicted_governorate"], first["governorate_right"]) == ("idlib", True)
    assert result["outcomes"][1]["weapon_right"] is True
    assert result["no_claim"]["rows"] == 1
    assert len(result["examples"]) == 1


def test_cli_syrianarchive_bad_file_exits_2_naming_it(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["syrianarchive", str(tmp_path / "absent.csv")])
    assert res.exit_code == 2
    assert "absent.csv: file not found" in res.output
