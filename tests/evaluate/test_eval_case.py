"""``marsad eval case``: CASE 2021 Task 2 scoring on small invented snippets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli.evaluate import app
from marsad.contract.claim import ACLED_SUB_EVENT_TYPES, Claim, DocumentMeta, Span
from marsad.evaluate.case import averaged_f1, per_class_scores, predict, score_case
from marsad.evaluate.files import EvalFileError
from marsad.evaluate.mapping import (
    ACLED_EVENT_TYPE_BY_SUB_EVENT,
    CASE_CODE_BY_ACLED_SUB_EVENT,
    CASE_CONFLICT_CLASSES,
    VIOLENT_ACLED_SUB_EVENTS,
    case_code,
    is_violent,
)

HEADER = "id\tEventSnippet\tSubType\n"


def claim(sub_event: str | None, start: int = 0) -> Claim:
    return Claim(
        scope="incident",
        event_type="attack",
        evidence=Span(start, start + 1, "x"),
        acled_sub_event_type=sub_event,
    )


class KeywordExtractor:
    """A stand-in engine: the claims listed for the first key word the snippet contains."""

    def __init__(self, table: dict[str, list[Claim]]) -> None:
        self.table = table

    def __call__(self, text: str, meta: DocumentMeta) -> list[Claim]:
        return next((claims for key, claims in self.table.items() if key in text), [])


def write_tsv(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path = tmp_path / "case.tsv"
    path.write_text(HEADER + "".join("\t".join(r) + "\n" for r in rows), "utf-8")
    return path


# --- mapping -----------------------------------------------------------------------------------


def test_every_acled_sub_event_has_one_case_code_and_one_event_type() -> None:
    assert len(CASE_CODE_BY_ACLED_SUB_EVENT) == 25
    assert len(set(CASE_CONFLICT_CLASSES)) == 25
    assert set(ACLED_EVENT_TYPE_BY_SUB_EVENT) == set(CASE_CODE_BY_ACLED_SUB_EVENT)
    # whatever the engine labels a claim with is an ACLED name the table knows (Marsad's own
    # threat and displacement have none)
    named = {v for v in ACLED_SUB_EVENT_TYPES.values() if v is not None}
    assert named <= set(CASE_CODE_BY_ACLED_SUB_EVENT)
    assert ACLED_SUB_EVENT_TYPES["displacement"] is None
    assert case_code("Looting/property destruction") == "PROPERTY_DISTRUCT"
    assert case_code("Airstrike") == "unmapped"
    assert case_code(None) == "unmapped"


def test_violent_sub_events_follow_the_acled_event_types() -> None:
    # Battles 3, Explosions/Remote violence 6, Violence against civilians 3, Riots 2
    assert len(VIOLENT_ACLED_SUB_EVENTS) == 14
    assert {"Mob violence", "Grenade", "Sexual violence"} <= VIOLENT_ACLED_SUB_EVENTS
    assert is_violent(claim("Armed clash"))
    assert not is_violent(claim("Excessive force against protesters"))
    assert not is_violent(claim("Arrests"))
    assert not is_violent(claim(None))


# --- F1 arithmetic -----------------------------------------------------------------------------


def test_weighted_and_macro_f1_on_a_hand_computed_case() -> None:
    pairs = [
        ("AIR_STRIKE", "AIR_STRIKE"),
        ("AIR_STRIKE", "ATTACK"),
        ("ATTACK", "ATTACK"),
        ("GRENADE", "none"),
    ]
    scores = per_class_scores(pairs, CASE_CONFLICT_CLASSES)
    air, attack, grenade = scores["AIR_STRIKE"], scores["ATTACK"], scores["GRENADE"]
    assert (air["precision"], air["recall"]) == (1.0, 0.5)
    assert air["f1"] == pytest.approx(2 / 3)
    assert (attack["precision"], attack["recall"]) == (0.5, 1.0)
    assert attack["f1"] == pytest.approx(2 / 3)
    assert (grenade["support"], grenade["predicted"], grenade["f1"]) == (1, 0, 0.0)
    assert scores["SEX_VIOL"]["support"] == 0
    averaged = averaged_f1(scores)
    # (2 * 2/3 + 1 * 2/3 + 1 * 0) / 4 and (2/3 + 2/3 + 0) / 3: classes absent from gold left out
    assert averaged["weighted_f1"] == pytest.approx(0.5)
    assert averaged["macro_f1"] == pytest.approx(4 / 9)


def test_prediction_is_the_main_claims_code() -> None:
    assert predict([]) == "none"
    assert predict([claim("Attack", start=30), claim("Air/drone strike", start=2)]) == "AIR_STRIKE"
    assert predict([claim(None)]) == "unmapped"


# --- scoring a file ----------------------------------------------------------------------------


def test_score_case_counts_only_acled_rows_in_f1_and_checks_non_conflict_rows(
    tmp_path: Path,
) -> None:
    path = write_tsv(
        tmp_path,
        [
            ("1", "Jets pounded the hills above Qarna overnight", "AIR_STRIKE"),
            ("2", "Militiamen lobbed a grenade into a cafe in Verlo", "GRENADE"),
            ("3", "A dam burst flooded the lower town of Essmar", "MAN_MADE_DISASTER"),
            ("4", "The two ministers met in Tarvel to discuss trade", "DIPLO"),
            ("5", "Police held twelve students in Dorvan", "ARREST"),
            ("6", "A snippet with a label no one uses", "EARTHQUAKE_SWARM"),
            ("7", "  ", "ATTACK"),
        ],
    )
    engine = KeywordExtractor(
        {
            "Jets": [claim("Air/drone strike")],
            "grenade": [claim("Attack")],
            "dam": [claim("Other"), claim("Attack", start=5)],
            "Police": [claim("Arrests")],
        }
    )
    result = score_case(path, extractor=engine, examples=2)
    assert result["warnings"]["rows"] == [6, 7]
    assert (result["conflict_rows"], result["non_conflict_rows"]) == (3, 2)
    assert result["accuracy"]["correct"] == 2
    # AIR_STRIKE and ARREST F1 1, GRENADE 0; ATTACK's false positive does not enter the weighting
    assert result["weighted_f1"] == pytest.approx(2 / 3)
    assert result["per_class"]["ATTACK"]["predicted"] == 1
    # the dam row's main claim ("Other") is not violent but another claim ("Attack") is
    assert result["non_conflict_without_violent_claim"] == pytest.approx(0.5)
    assert result["non_conflict_main_claim_not_violent"] == pytest.approx(1.0)
    assert result["predicted_on_non_conflict"] == {"OTHER": 1, "none": 1}
    assert [e["id"] for e in result["examples"]] == ["2", "3"]
    assert result["examples"][0]["snippet"].startswith("Militiamen lobbed")
    assert {"gold": "GRENADE", "predicted": "ATTACK", "rows": 1} in result["top_confusions"]
    limited = score_case(path, extractor=engine, limit=1)
    assert limited["rows_scored"] == 1


def test_quoted_snippet_with_tab_and_quotes_is_one_field(tmp_path: Path) -> None:
    path = tmp_path / "quoted.tsv"
    path.write_text(HEADER + '8\t"He said ""no""\tthen left"\tOTHER\n', "utf-8")
    result = score_case(path, extractor=KeywordExtractor({}))
    assert result["rows_scored"] == 1
    assert result["outcomes"][0]["predicted"] == "none"


def test_missing_column_and_empty_file_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "nolabel.tsv"
    bad.write_text("id\tEventSnippet\n1\tShelling hit Kafr Nabl\n", "utf-8")
    with pytest.raises(EvalFileError, match=r"nolabel\.tsv: missing required column\(s\) SubType"):
        score_case(bad, extractor=KeywordExtractor({}))
    empty = tmp_path / "empty.tsv"
    empty.write_text("", "utf-8")
    with pytest.raises(EvalFileError, match=r"empty\.tsv: empty file"):
        score_case(empty, extractor=KeywordExtractor({}))
    header_only = tmp_path / "header.tsv"
    header_only.write_text(HEADER, "utf-8")
    with pytest.raises(EvalFileError, match=r"header\.tsv: no usable rows"):
        score_case(header_only, extractor=KeywordExtractor({}))


# --- command line, real engine -----------------------------------------------------------------


def test_cli_case_end_to_end(tmp_path: Path) -> None:
    path = write_tsv(
        tmp_path,
        [
            (
                "21",
                "Government warplanes bombed a bakery in Ariha on Monday, killing four people.",
                "AIR_STRIKE",
            ),
            ("22", "The central bank raised its lending rate by half a point.", "DIPLO"),
            # labelled wrongly on purpose, so that two rows fail whatever the engine learns
            ("23", "Artillery shells fell on Kafr Zita at dawn, killing a farmer.", "SEX_VIOL"),
            ("24", "Regime helicopters dropped barrel bombs on Daraya, killing six.", "MOB_VIOL"),
        ],
    )
    out = tmp_path / "case.json"
    res = CliRunner().invoke(app, ["case", str(path), "--json", str(out), "--examples", "1"])
    assert res.exit_code == 0, res.output
    assert "CASE 2021 4 snippets" in res.output
    assert "weighted F1" in res.output and "SUIC_BOMB" in res.output
    assert res.output.count("failure examples") == 1
    assert "23: SEX_VIOL -> ART_MISS_ATTACK: Artillery shells fell" in res.output
    assert "24: MOB_VIOL" not in res.output
    result = json.loads(out.read_text())
    by_id = {o["id"]: o for o in result["outcomes"]}
    assert by_id["21"]["predicted"] == "AIR_STRIKE"
    assert by_id["22"]["any_violent"] is False
    assert [e["id"] for e in result["examples"]] == ["23"]


def test_cli_case_bad_file_exits_2_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "wrong_columns.tsv"
    bad.write_text("id\ttext\tlabel\n1\tx\tATTACK\n", "utf-8")
    res = CliRunner().invoke(app, ["case", str(bad)])
    assert res.exit_code == 2
    assert "wrong_columns.tsv" in res.output and "EventSnippet" in res.output
