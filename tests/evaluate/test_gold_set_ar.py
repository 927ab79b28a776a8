"""The Arabic gold set: built from its YAML sources, internally consistent, covering its styles.

Why: ``eval/gold_ar/gold.jsonl`` is what ``marsad eval gold`` scores the Arabic language pack
against. Like the English set it must be exactly what ``eval/gold/build_gold.py`` makes from
``eval/gold_ar/source/*.yaml`` (offsets are never edited by hand), every evidence span must point
at its own words, and each event type it uses must have at least two gold claims.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from types import ModuleType
from typing import Any

import pytest

from marsad.contract import claim as contract
from marsad.evaluate.files import RowWarnings
from marsad.evaluate.gold import read_gold
from paths import REPO

ROOT = REPO
BUILDER = ROOT / "eval" / "gold" / "build_gold.py"
GOLD_DIR = ROOT / "eval" / "gold_ar"
GOLD_PATH = GOLD_DIR / "gold.jsonl"
MIN_REPORTS = 120
SPAN_KEYS = (
    "places", "perpetrators", "targets", "weapons", "counts", "facilities", "reported_by",
    "persons",
)  # fmt: skip


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_gold", BUILDER)
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
    spans.extend(claim[key] for key in ("event_type_evidence", "date_evidence") if claim.get(key))
    for key in SPAN_KEYS:
        spans.extend(item["evidence"] for item in claim.get(key, []))
    return spans


def test_build_reproduces_gold_jsonl(builder: ModuleType) -> None:
    built = builder.render(builder.build(GOLD_DIR / "source"))
    assert built == GOLD_PATH.read_text(encoding="utf-8"), (
        "rerun eval/gold/build_gold.py --source eval/gold_ar/source --out eval/gold_ar/gold.jsonl"
    )


def test_every_evidence_span_matches_its_text(docs: list[dict[str, Any]]) -> None:
    checked = 0
    for doc in docs:
        for claim in doc["claims"]:
            for span in _spans(claim):
                assert doc["text"][span["start"] : span["end"]] == span["text"], doc["id"]
                checked += 1
    assert checked >= 3 * len(docs)


def test_gold_reads_with_the_scorer_and_round_trips(docs: list[dict[str, Any]]) -> None:
    warnings = RowWarnings(str(GOLD_PATH))
    read = read_gold(GOLD_PATH, warnings)
    assert len(warnings) == 0, warnings.summary()
    assert len(read) == len(docs)
    for doc, gold_doc in zip(docs, read, strict=True):
        assert [c.to_dict() for c in gold_doc.claims] == doc["claims"], doc["id"]


def test_ids_vocabularies_and_order(docs: list[dict[str, Any]], builder: ModuleType) -> None:
    ids = [d["id"] for d in docs]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert all(i.startswith("ar-") for i in ids)
    for doc in docs:
        assert doc["style"] in builder.STYLES
        assert doc["published"], doc["id"]  # relative dates need an anchor
        for claim in doc["claims"]:
            assert claim["event_type"] in contract.EVENT_TYPES
            for count in claim["counts"]:
                assert count["category"] in contract.COUNT_CATEGORIES
                assert count["group"] in contract.VICTIM_GROUPS
                assert count["qualifier"] in contract.QUALIFIERS


def test_each_event_type_used_has_two_claims(docs: list[dict[str, Any]]) -> None:
    seen = Counter(c["event_type"] for d in docs for c in d["claims"])
    thin = sorted(t for t, n in seen.items() if n < 2)
    assert not thin, f"event types with a single gold claim: {thin}"
    assert len(seen) >= 15


def test_size_and_source_styles(docs: list[dict[str, Any]]) -> None:
    assert len(docs) >= MIN_REPORTS
    # The id's middle part names the Arabic source style (cd, mon, news, tg, vic, multi, bg).
    kinds = Counter(d["id"].split("-")[1] for d in docs)
    assert set(kinds) == {"cd", "mon", "news", "tg", "vic", "multi", "bg"}, kinds
    assert min(kinds.values()) >= 14, kinds
    background = [d for d in docs if d["style"] == "background_numbers"]
    assert sum(1 for d in background if not d["claims"]) >= 15
    assert all(len(d["claims"]) >= 2 for d in docs if d["style"] == "multi_incident")


def test_texts_are_arabic_with_both_digit_systems(docs: list[dict[str, Any]]) -> None:
    def arabic_share(text: str) -> float:
        letters = [ch for ch in text if ch.isalpha()]
        return sum("\u0600" <= ch <= "\u06ff" for ch in letters) / max(len(letters), 1)

    assert all(arabic_share(d["text"]) > 0.9 for d in docs)
    indic = sum(any("\u0660" <= ch <= "\u0669" for ch in d["text"]) for d in docs)
    western = sum(any("0" <= ch <= "9" for ch in d["text"]) for d in docs)
    assert indic >= 10 and western >= 40, (indic, western)
