"""Grouping evaluation on a small project-written UCDP-layout file (tests/fixtures/eval)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli.evaluate import app
from marsad.evaluate.files import EvalFileError
from marsad.evaluate.grouping import (
    load_corpus,
    parse_source_article,
    reference_grouping,
    score_grouping,
    score_grouping_file,
    singletons,
)
from paths import TESTS

FIXTURES = TESTS / "fixtures" / "eval"
SMALL = FIXTURES / "ucdp_grouping_small.csv"


def _by_text(corpus_path: Path = SMALL) -> dict[str, int]:
    return {h.text: h.index for h in load_corpus(corpus_path).headlines}


def test_parse_source_article_keeps_commas_in_headlines() -> None:
    raw = '"A,2016-01-02,Strike on X, Y and Z";"B,2016-01-03,Shelling";"broken"'
    assert parse_source_article(raw) == [
        ("A", "2016-01-02", "Strike on X, Y and Z"),
        ("B", "2016-01-03", "Shelling"),
    ]


def test_selection_drops_roundups_long_events_and_bad_rows() -> None:
    corpus = load_corpus(SMALL)
    sel = corpus.selection
    assert sel["rows"] == 8
    assert sel["dropped: listed by several events (roundups)"] == 1
    assert sel["dropped: event dated over 31 days"] == 1
    texts = {h.text for h in corpus.headlines}
    assert "Bombardment targets Idlib and Aleppo" not in texts
    assert "Months of siege and hunger in the eastern Ghouta" not in texts
    assert len(corpus.headlines) == 7
    assert sel["events with 2+ kept headlines"] == 2
    assert corpus.warnings.rows == [8]
    assert "line 9" in corpus.warnings.reasons[0]
    # event 103 runs over two days, so its headlines sit in both day blocks
    day_counts = sorted(len(m) for m in corpus.blocks.values())
    assert day_counts == [1, 2, 6]


def test_metrics_on_known_groupings() -> None:
    corpus = load_corpus(SMALL)
    perfect = score_grouping(corpus, reference_grouping(corpus))
    assert perfect["pairwise"]["precision"] == perfect["pairwise"]["recall"] == 1.0
    assert perfect["bcubed"]["f1"] == 1.0
    alone = score_grouping(corpus, singletons(corpus))
    assert alone["pairwise"]["precision"] is None and alone["pairwise"]["recall"] == 0.0
    assert alone["bcubed"]["precision"] == 1.0
    # 7 headlines, events of sizes 2, 2, 1, 1, 1: B-cubed recall (1/2*4 + 3) / 7
    assert alone["bcubed"]["recall"] == pytest.approx(5 / 7)
    everyone = set(range(7))
    lumped = score_grouping(corpus, {i: set(everyone) for i in everyone})
    assert lumped["pairwise"]["predicted"] == 21 and lumped["pairwise"]["tp"] == 2
    assert lumped["bcubed"]["recall"] == 1.0
    assert lumped["bcubed"]["precision"] == pytest.approx((2 / 7 * 4 + 1 / 7 * 3) / 7)
    # Maarat al-Numan (11 March) shares no day with Kafr Nabl (10 March): a merge across days
    assert lumped["pairwise"]["predicted_across_days"] > 0
    multi = score_grouping(corpus, {i: set(everyone) for i in everyone}, subset=[0, 1, 3, 4])
    # pairs with an end among the four: all but the 3 pairs among the other three headlines
    assert multi["pairwise"]["predicted"] == 21 - 3


def test_resolution_groups_one_event_apart_from_same_day_events() -> None:
    result = score_grouping_file(SMALL)
    idx = _by_text()
    out = result["headlines"]
    kafr_a = out[idx["Warplanes strike Kafr Nabl killing 5 civilians"]]
    saraqib = out[idx["Warplanes strike Saraqib killing 4"]]
    assert idx["Air strikes on Kafr Nabl kill 6 people"] in kafr_a["grouped_with"]
    assert idx["Warplanes strike Saraqib killing 4"] not in kafr_a["grouped_with"]
    assert saraqib["grouped_with"] == []
    no_claim = out[idx["Residents return to their homes in the town"]]
    assert no_claim["claims"] == 0 and no_claim["grouped_with"] == []
    assert result["claims"]["with_incident_claim"] == 6
    assert result["claims"]["reference_pairs_both_with_claim"] == 2
    res = result["scores"]["resolution"]["all"]
    base = result["scores"]["same day + same governorate"]["all"]
    assert res["pairwise"]["recall"] == 1.0 and res["pairwise"]["precision"] == 1.0
    # the baseline lumps Saraqib with Kafr Nabl (same day, Idlib): lower precision
    assert base["pairwise"]["precision"] == pytest.approx(2 / 4)
    assert base["bcubed"]["precision"] < res["bcubed"]["precision"]


def test_ceiling_groups_only_headlines_with_a_claim() -> None:
    result = score_grouping_file(SMALL, outcomes=False)
    ceiling = result["scores"]["ceiling: claimed headlines grouped perfectly"]["all"]
    assert ceiling["pairwise"]["precision"] == 1.0
    # 2 reference pairs, both claimed: all reached; the claimless headline stays alone
    assert ceiling["pairwise"]["tp"] == result["claims"]["reference_pairs_both_with_claim"] == 2
    assert ceiling["bcubed"]["f1"] >= result["scores"]["resolution"]["all"]["bcubed"]["f1"]


def test_missing_column_is_a_file_error() -> None:
    with pytest.raises(EvalFileError, match="source_article"):
        load_corpus(FIXTURES / "ucdp_grouping_no_article.csv")


def test_cli_prints_tables_summary_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "g.json"
    r = runner.invoke(app, ["grouping", str(SMALL), "--json-out", str(out)])
    assert r.exit_code == 0, r.output
    assert "UCDP grouping 7 headlines" in r.output
    assert "skipped 1 malformed row" in r.output
    data = json.loads(out.read_text("utf-8"))
    assert data["scores"]["resolution"]["all"]["pairwise"]["tp"] == 2
    bad = runner.invoke(app, ["grouping", str(FIXTURES / "ucdp_grouping_no_article.csv")])
    assert bad.exit_code == 2
