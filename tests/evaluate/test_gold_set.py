"""The hand-annotated gold set: built from its YAML sources, internally consistent, complete.

Why: ``eval/gold/gold.jsonl`` is what ``marsad eval gold`` scores against. It must be exactly what
``eval/gold/build_gold.py`` makes from ``eval/gold/source/*.yaml`` (so nobody edits offsets by
hand), every evidence span must point at its own words, and the set must cover every event type.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from marsad.contract import claim as contract
from marsad.evaluate.files import RowWarnings
from marsad.evaluate.gold import read_gold
from paths import REPO

GOLD_DIR = REPO / "eval" / "gold"
GOLD_PATH = GOLD_DIR / "gold.jsonl"
MIN_PART_A = 75
MIN_REPORTS = 150  # the floor for the whole gold set


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_gold", GOLD_DIR / "build_gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    return _load_builder()


@pytest.fixture(scope="module")
def docs() -> list[dict[str, Any]]:
    return [json.loads(line) for line in GOLD_PATH.read_text(encoding="utf-8").splitlines()]


def _spans(claim: dict[str, Any]) -> list[dict[str, Any]]:
    spans = [claim["evidence"]]
    for key in ("event_type_evidence", "date_evidence"):
        if claim.get(key):
            spans.append(claim[key])
    for key in (
        "places",
        "perpetrators",
        "targets",
        "weapons",
        "counts",
        "facilities",
        "reported_by",
        "persons",
    ):
        spans.extend(item["evidence"] for item in claim.get(key, []))
    return spans


def test_build_reproduces_gold_jsonl(builder: ModuleType) -> None:
    built = builder.render(builder.build(GOLD_DIR / "source"))
    assert built == GOLD_PATH.read_text(encoding="utf-8"), "rerun eval/gold/build_gold.py"


def test_every_evidence_span_matches_its_text(docs: list[dict[str, Any]]) -> None:
    checked = 0
    for doc in docs:
        for claim in doc["claims"]:
            for span in _spans(claim):
                assert doc["text"][span["start"] : span["end"]] == span["text"], doc["id"]
                checked += 1
    assert checked >= 3 * len(docs)  # several spans per report: the loop really ran


def test_gold_reads_with_the_scorer_and_round_trips(docs: list[dict[str, Any]]) -> None:
    warnings = RowWarnings(str(GOLD_PATH))
    read = read_gold(GOLD_PATH, warnings)
    assert len(warnings) == 0, warnings.summary()
    assert len(read) == len(docs)
    for doc, gold_doc in zip(docs, read, strict=True):
        assert [c.to_dict() for c in gold_doc.claims] == doc["claims"], doc["id"]


def test_vocabularies_and_order(docs: list[dict[str, Any]], builder: ModuleType) -> None:
    ids = [d["id"] for d in docs]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    for doc in docs:
        assert doc["style"] in builder.STYLES
        for claim in doc["claims"]:
            assert claim["event_type"] in contract.EVENT_TYPES
            for count in claim["counts"]:
                assert count["category"] in contract.COUNT_CATEGORIES
                assert count["group"] in contract.VICTIM_GROUPS
                assert count["qualifier"] in contract.QUALIFIERS


def test_every_event_type_is_covered(docs: list[dict[str, Any]]) -> None:
    seen = Counter(c["event_type"] for d in docs for c in d["claims"])
    missing = [t for t in contract.EVENT_TYPES if seen[t] < 2]
    assert not missing, f"event types with fewer than two gold claims: {missing}"


def test_gold_set_covers_every_style_users_meet(docs: list[dict[str, Any]]) -> None:
    assert len(docs) >= MIN_REPORTS
    styles = Counter(d["style"] for d in docs)
    for style in (
        "ngo_statement", "civil_defence_tally", "wire_news", "local_news", "social_post",
        "multi_incident", "background_numbers",
    ):  # fmt: skip
        assert styles[style] >= 15, styles


def test_part_a_size_and_styles(docs: list[dict[str, Any]]) -> None:
    part_a = [d for d in docs if d["id"].startswith("a-")]
    assert len(part_a) >= MIN_PART_A
    styles = Counter(d["style"] for d in part_a)
    for style in ("wire_news", "local_news", "multi_incident", "background_numbers"):
        assert styles[style] >= 15, styles
    # Background-number reports must include some that make no claim at all.
    assert any(not d["claims"] for d in part_a if d["style"] == "background_numbers")
    # Multi-incident reports hold more than one claim each.
    assert all(len(d["claims"]) >= 2 for d in part_a if d["style"] == "multi_incident")


def _write_source(tmp_path: Path, body: str) -> Path:
    src = tmp_path / "source"
    src.mkdir()
    (src / "x.yaml").write_text(body, encoding="utf-8")
    return src


REPORT = """
- id: t-wire-001
  style: wire_news
  published: 2019-05-08
  text: "Shelling hit Ariha on Tuesday. Shelling hit Ariha again."
  claims:
    - scope: incident
      event_type: {event_type}
      evidence: "{evidence}"
      counts: []
"""


def test_occurrence_syntax_picks_the_nth_match(tmp_path: Path, builder: ModuleType) -> None:
    src = _write_source(tmp_path, REPORT.format(event_type="shelling", evidence="Shelling@2"))
    (doc,) = builder.build(src)
    span = doc["claims"][0]["evidence"]
    assert (span["start"], span["text"]) == (31, "Shelling")


@pytest.mark.parametrize(
    ("event_type", "evidence", "message"),
    [
        ("shelling", "Shelling@3", "occurrence 3 not in text"),
        ("shelling", "Hama", "'Hama' occurrence 1 not in text"),
        ("bombing", "Shelling", "'bombing' is not one of"),
    ],
)
def test_bad_reports_fail_naming_the_report(
    tmp_path: Path, builder: ModuleType, event_type: str, evidence: str, message: str
) -> None:
    src = _write_source(tmp_path, REPORT.format(event_type=event_type, evidence=evidence))
    with pytest.raises(builder.GoldError, match="t-wire-001") as err:
        builder.build(src)
    assert message in str(err.value)


def test_repeated_ids_and_unknown_actors_fail(tmp_path: Path, builder: ModuleType) -> None:
    one = REPORT.format(event_type="shelling", evidence="Ariha")
    with pytest.raises(builder.GoldError, match="id repeats"):
        builder.build(_write_source(tmp_path, one + one))
    bad_actor = one.replace("counts: []", "perpetrators: [{id: martians, evidence: Ariha}]")
    (tmp_path / "source" / "x.yaml").write_text(bad_actor, encoding="utf-8")
    with pytest.raises(builder.GoldError, match="martians"):
        builder.build(tmp_path / "source")
