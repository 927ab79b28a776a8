"""Properties every claim must have on any text: evidence spans are the document's own
characters, ``low <= high``, and no count comes from a year, a clock time or an age.

Checked over the project's own corpus and hostile sentences written for it, and over every
English text of the dev sets in ``../shared/eval`` (or ``$MARSAD_EVAL_DIR``) where that folder is
present (it is not part of the repository)."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType

import pytest

from marsad.contract.claim import Claim, Count, DocumentMeta, PlaceRef, Span
from marsad.evaluate.invariants import Violation, violations
from marsad.extract import extract
from marsad.lang import load_language_pack
from paths import REPO

ROOT = REPO
# the dev sets, read in place (MARSAD_EVAL_DIR, else the folder beside the checkout)
EVAL = Path(os.environ.get("MARSAD_EVAL_DIR", ROOT.parent / "shared" / "eval"))
PACK = load_language_pack("en")

HOSTILE = [
    "Omar al-Hasan, a 28-year-old media activist, was killed in an air strike on Saraqib.",
    "In 2014 airstrikes killed dozens in Ariha.",
    "2014 Airstrikes on Idlib: the campaign in pictures",
    "Fri 07 Apr 2017 at 0914 shelling killed three people in Kafr Nabl.",
    "At 09:14 a car bomb killed two people in Sarmada.",
    "Shelling killed 12 people in Binnish, half of them are children.",
    "A boy aged 12 and his 40-year-old father were killed by shelling in Atarib.",
    "07-2016 Russian strikes killed five people in Jisr al-Shughur.",
    "Call 0944123456 to report the five people injured in the attack on Dana.",
    "The 13th Division said 4 of its fighters were killed in clashes near Kafr Zita.",
]


def _snapshot() -> ModuleType:
    spec = importlib.util.spec_from_file_location("snap", ROOT / "scripts" / "extract_snapshot.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check(texts: list[tuple[str, str, DocumentMeta]]) -> list[Violation]:
    return violations(((k, t, extract(t, m)) for k, t, m in texts), PACK)


def test_the_checker_catches_each_kind_of_breach() -> None:
    text = "In 2014 airstrikes killed 28-year-old men at 0914."

    def at(word: str) -> Span:
        k = text.index(word)
        return Span(k, k + len(word), word)

    bad = Claim(
        scope="incident",
        event_type="air_strike",
        evidence=Span(0, 10, "not these"),
        counts=[
            Count("strikes", 2014, 2014, "exact", at("2014")),
            Count("killed", 28, 28, "exact", at("28")),
            Count("killed", 914, 914, "exact", at("0914")),
            Count("killed", 8, 7, "exact", at("In")),
        ],
    )
    rules = sorted(v.rule for v in violations([("planted", text, [bad])], PACK))
    assert rules == ["age", "clock time", "low>high", "span", "year"]


def test_the_checker_catches_a_place_inside_a_person() -> None:
    text = "The activist Yusra al-Hamdan was wounded in Ariha."
    k = text.index("Hamdan")
    planted = Claim(
        scope="incident",
        event_type="air_strike",
        evidence=Span(0, len(text), text),
        places=[PlaceRef("Al Hamdan", "exact", Span(k, k + 6, "Hamdan"))],
    )
    rules = [v.rule for v in violations([("planted", text, [planted])], PACK)]
    assert rules == ["place_in_person"]


def test_hostile_sentences_hold() -> None:
    texts = [(f"hostile/{k}", t, DocumentMeta()) for k, t in enumerate(HOSTILE)]
    assert [str(v) for v in _check(texts)] == []


def test_project_corpus_holds() -> None:
    snap = _snapshot()
    texts = [t for t in snap.project_texts() if not t[0].startswith("../shared")]
    assert len(texts) > 100
    assert [str(v) for v in _check(texts)] == []


@pytest.mark.skipif(not EVAL.is_dir(), reason="the dev sets (../shared/eval) are not here")
def test_every_dev_text_holds() -> None:
    texts = list(_snapshot().eval_texts(EVAL))
    assert len(texts) > 10_000
    found = _check(texts)
    assert [str(v) for v in found[:20]] == [], f"{len(found)} breaches"


def test_gold_texts_are_read_from_the_repository() -> None:
    gold = (ROOT / "eval" / "gold" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    assert all("text" in json.loads(line) for line in gold)
