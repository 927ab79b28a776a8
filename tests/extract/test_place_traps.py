"""Words that must not become Syrian places, and small places that must be found.

``tests/data/place_traps.yaml`` holds project-written sentences in the register of conflict
reporting. Under ``traps`` each sentence hides a common word, a person's name, an organisation, a
foreign place or a month that folds like a Syrian community name ("Deal" like Dael, "Death Toll"
like At Tall, "Qassem" like Jasim); under ``positives`` each names a real community, checked
against the OCHA list, with the context reports give it ("the village of Hamamiyat").

A trap case fails when :func:`marsad.extract.places_in` keeps a place whose evidence overlaps the
trap, or any place that is not one of the case's listed ``places``. A positive case fails when an
expected surface is not inside some kept place's evidence, or when that place's governorate is not
the expected one. One ``places_in`` call per sentence, cached across the tests.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import pytest
import yaml

from marsad.extract import places_in
from marsad.gazetteer import default_gazetteer
from paths import TESTS

# The threshold for false places among all trap sentences.
TRAP_MAX_ERRORS = 1
# Positive cases the current matcher misses (a ceiling: lower it as the matcher improves).
POSITIVE_MAX_ERRORS = 1

MIN_TRAPS = 200
MIN_POSITIVES = 60
KINDS = frozenset(
    {
        "common_word",
        "given_name",
        "surname",
        "person",
        "organisation",
        "foreign_country",
        "foreign_city",
        "month_or_day",
        "other",
    }
)
DATA = TESTS / "data" / "place_traps.yaml"

Span = tuple[int, int]


@lru_cache(maxsize=1)
def _data() -> dict[str, list[dict[str, Any]]]:
    with DATA.open(encoding="utf-8") as fh:
        data: dict[str, list[dict[str, Any]]] = yaml.safe_load(fh)
    return data


def _traps() -> list[dict[str, Any]]:
    return _data()["traps"]


def _positives() -> list[dict[str, Any]]:
    return _data()["positives"]


def _trap_words(case: dict[str, Any]) -> list[str]:
    trap = case.get("trap")
    if isinstance(trap, str):
        return [trap]
    return list(trap or [])


def _spans(text: str, surface: str) -> list[Span]:
    """Every occurrence of ``surface`` in ``text`` (case-sensitive)."""
    found: list[Span] = []
    start = text.find(surface)
    while start >= 0:
        found.append((start, start + len(surface)))
        start = text.find(surface, start + 1)
    return found


def _overlaps(a: Span, spans: list[Span]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


@cache
def _places(text: str) -> tuple[Any, ...]:
    return tuple(places_in(text))


def _describe(p: Any) -> str:
    return f"{p.evidence.text!r} -> {p.name} ({p.kind}, {p.admin1}, {p.gazetteer_id})"


def trap_errors(case: dict[str, Any]) -> list[str]:
    """What is wrong with the places kept in one trap sentence (empty when nothing is)."""
    text = case["text"]
    trap_spans = [sp for w in _trap_words(case) for sp in _spans(text, w)]
    listed = [sp for s in case.get("places") or [] for sp in _spans(text, s)]
    errors = []
    for p in _places(text):
        span = (p.evidence.start, p.evidence.end)
        if _overlaps(span, trap_spans):
            errors.append(f"trap {_describe(p)}")
        elif not _overlaps(span, listed):
            errors.append(f"unlisted {_describe(p)}")
    return errors


def positive_errors(case: dict[str, Any]) -> list[str]:
    """Expected surfaces of one positive sentence that no kept place covers, or covers with
    another governorate (``admin1`` is checked on the first expected place)."""
    text = case["text"]
    kept = _places(text)
    errors = []
    for i, surface in enumerate(case["places"]):
        a, b = _spans(text, surface)[0]
        covering = [p for p in kept if p.evidence.start <= a and b <= p.evidence.end]
        if not covering:
            got = ", ".join(_describe(p) for p in kept) or "nothing"
            errors.append(f"missed {surface!r} (kept: {got})")
            continue
        want = case.get("admin1")
        if i == 0 and want and not any(p.admin1 == want for p in covering):
            got = ", ".join(_describe(p) for p in covering)
            errors.append(f"{surface!r} not in {want}: {got}")
    return errors


def _report(failures: list[tuple[dict[str, Any], list[str]]]) -> str:
    return "\n".join(f"  {c['text']}\n      " + "\n      ".join(errs) for c, errs in failures)


def test_cases_are_well_formed() -> None:
    traps, positives = _traps(), _positives()
    assert len(traps) >= MIN_TRAPS, len(traps)
    assert len(positives) >= MIN_POSITIVES, len(positives)
    texts = [c["text"] for c in traps + positives]
    dupes = sorted({t for t in texts if texts.count(t) > 1})
    assert not dupes, dupes
    governorates = set(default_gazetteer().admin1_names())
    problems = []
    for c in traps:
        text = c["text"]
        if c.get("kind") not in KINDS:
            problems.append(f"bad kind {c.get('kind')!r}: {text}")
        words = _trap_words(c)
        if not words:
            problems.append(f"no trap: {text}")
        problems += [f"trap {w!r} not in: {text}" for w in words if w not in text]
        places = c.get("places")
        if not isinstance(places, list):
            problems.append(f"places is not a list: {text}")
            continue
        problems += [f"place {s!r} not in: {text}" for s in places if s not in text]
        trap_spans = [sp for w in words for sp in _spans(text, w)]
        problems += [
            f"place {s!r} overlaps the trap: {text}"
            for s in places
            if any(_overlaps(sp, trap_spans) for sp in _spans(text, s))
        ]
    for c in positives:
        text = c["text"]
        places = c.get("places")
        if not isinstance(places, list) or not places:
            problems.append(f"no expected places: {text}")
            continue
        problems += [f"place {s!r} not in: {text}" for s in places if s not in text]
        if c.get("admin1") is not None and c["admin1"] not in governorates:
            problems.append(f"unknown governorate {c['admin1']!r}: {text}")
    assert not problems, "\n".join(problems)


def test_traps_do_not_become_places() -> None:
    failures = [(c, errs) for c in _traps() if (errs := trap_errors(c))]
    count = sum(len(errs) for _, errs in failures)
    assert count <= TRAP_MAX_ERRORS, (
        f"{count} false places in {len(failures)} of {len(_traps())} trap sentences "
        f"(allowed {TRAP_MAX_ERRORS}):\n{_report(failures)}"
    )


def test_positives_are_found() -> None:
    failures = [(c, errs) for c in _positives() if (errs := positive_errors(c))]
    count = sum(len(errs) for _, errs in failures)
    assert count <= POSITIVE_MAX_ERRORS, (
        f"{count} errors in {len(failures)} of {len(_positives())} positive sentences "
        f"(allowed {POSITIVE_MAX_ERRORS}):\n{_report(failures)}"
    )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_represented(kind: str) -> None:
    assert any(c.get("kind") == kind for c in _traps()), kind
