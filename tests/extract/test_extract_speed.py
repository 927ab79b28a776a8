"""The speed shortcuts of extraction give exactly what the plain way gives.

Each shortcut (the gazetteer's split-based tokenizer, its lower-case opener filter, the landmark
look-behind) is checked against a direct, slow statement of the same rule on texts made to hit
its edges; and the benchmark's tokenizer-only pass is checked to be the engine's own tokenizer,
so the speed ratio it prints is measured against what the engine really does first.
"""

from __future__ import annotations

import importlib.util
import random
import re
from types import ModuleType

import pytest

from marsad.extract import engine as engine_module
from marsad.extract.stages.places import _PlaceRules
from marsad.extract.text import tokenize
from marsad.gazetteer import Gazetteer, default_gazetteer
from marsad.gazetteer.core import _TOKEN_RE
from marsad.gazetteer.normalize import fold_token
from marsad.lang import load_language_pack
from paths import REPO

_PLACE_RULES = _PlaceRules(load_language_pack("en").places)
_LANDMARK_BEFORE = _PLACE_RULES.landmark_before
_after_landmark_words = _PLACE_RULES.after_landmark_words

BENCHMARK = REPO / "benchmarks" / "extract.py"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_extract", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_baseline_is_the_engines_tokenizer(bench: ModuleType) -> None:
    assert bench.tokenize is engine_module.tokenize  # the very function Engine.extract calls
    text = "U.S.-backed forces hit al-Bab on 2023-10-05; 25,000 fled.\nSaraqib's market"
    mine, theirs = bench.tokenize_only(text), tokenize(text)
    assert (mine.keys, mine.starts, mine.ends, mine.kinds) == (
        theirs.keys,
        theirs.starts,
        theirs.ends,
        theirs.kinds,
    )


def _tokens_one_by_one(text: str) -> list[tuple[int, int, str, str, str]]:
    """The gazetteer's token rule stated plainly: every letter run (apostrophes inside kept),
    a possessive "'s" cut off, runs longer than 60 letters left out."""
    out = []
    for m in _TOKEN_RE.finditer(text):
        s, e, surface = m.start(), m.end(), m.group()
        if len(surface) > 2 and surface[-2] in "'’" and surface[-1] in "sS":
            e, surface = e - 2, surface[:-2]
        if len(surface) <= 60:
            out.append((s, e, surface, fold_token(surface), surface.lower()))
    return out


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Idlib's southern countryside and HAMA’S north; Ma‘arrat al-Nu`man, Maʿarrat.",
        "x" * 61 + " Saraqib " + "y" * 60 + " Ariha " + "z" * 200,
        "قصف على معرة النعمان وسراقب، Jisr al-Shughur's bridge",
        "12 km north of Kafr Nabl's edge: 3,000 fled to Atmeh's camps.'s 's",
    ],
)
def test_gazetteer_tokens_match_the_plain_rule(gaz: Gazetteer, text: str) -> None:
    t = gaz._tokenize(text)
    got = list(zip(t.starts, t.ends, t.surfaces, t.keys, t.lowers, strict=True))
    assert got == _tokens_one_by_one(text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # lower-case openers survive the filter when a capitalised word follows ...
        ("Shelling hit rural Damascus on Monday.", ["rural Damascus"]),
        ("Jets struck western rural Aleppo and al-Bab.", ["western rural Aleppo", "al-Bab"]),
        # ... and common lower-case words before a name do not hide it
        ("Activists said in Saraqib that homes in Ariha were hit.", ["Saraqib", "Ariha"]),
        # a name at the very end, and one after a token too long to be a name
        ("Strikes hit " + "w" * 70 + " Sarmada", ["Sarmada"]),
    ],
)
def test_places_found_around_lower_case_words(gaz: Gazetteer, text: str, found: list[str]) -> None:
    assert [r.evidence.text for r in gaz.locate(text)] == found


@pytest.mark.parametrize(
    "before",
    [
        "villages northwest of ",
        "10 km south of the ",
        "5km EAST OF THE\n",
        "north-east of   \t ",
        "west of\n",
        "north of",  # no space: not the phrase
        "north ofthe ",
        "the town of ",
        "in the ",
        "theme ",
        "of ",
        "",
        " \n ",
        "south of the " + " " * 40,
        "Southern OF  ",
    ],
)
def test_landmark_shortcut_agrees_with_the_full_search(before: str) -> None:
    text = before + "Aleppo was shelled."
    start = len(before)
    assert _after_landmark_words(text, start) == (
        _LANDMARK_BEFORE.search(text, 0, start) is not None
    )


def test_landmark_shortcut_on_random_mixtures() -> None:
    words = ["north", "of", "the", "west", "ern", "-", "km", "5", " ", "\n", "OF", "The", "x"]
    rng = random.Random(3)
    for _ in range(2000):
        before = "".join(rng.choice(words) + rng.choice(["", " ", "  "]) for _ in range(6))
        text = before + "Idlib"
        start = len(before)
        assert _after_landmark_words(text, start) == bool(
            re.compile(_LANDMARK_BEFORE.pattern, re.IGNORECASE).search(text, 0, start)
        ), before


def _frame_phrase_at(phrases: tuple[tuple[str, ...], ...], keys: list[str], b: int) -> bool:
    """The plain rule: some phrase ends right before token ``b`` (one slice per phrase)."""
    return any(b >= len(p) and tuple(keys[b - len(p) : b]) == p for p in phrases)


def test_frame_phrases_grouped_by_length_find_what_each_phrase_finds() -> None:
    """The engine looks frame phrases up per length in sets; that must find exactly the phrases
    the one-by-one comparison finds, on key sequences built from the phrases' own words."""
    eng = engine_module.Engine(load_language_pack("en"))
    g = eng.pack.grammar
    groups = (
        (g.agent_phrases, eng.actors.agent_phrases),
        (g.responsibility_phrases, eng.actors.responsibility_phrases),
        (g.control_before, eng.actors.control_before),
    )
    rng = random.Random(11)
    for phrases, grouped in groups:
        assert phrases, "the pack lists these phrases"
        assert sorted(p for _, ps in grouped for p in ps) == sorted(set(phrases))
        vocab = sorted({w for p in phrases for w in p}) + ["the", "x"]
        hits = 0
        for _ in range(3000):
            keys = [rng.choice(vocab) for _ in range(rng.randint(0, 6))]
            if phrases and rng.random() < 0.3:
                keys += list(rng.choice(phrases))
            b = rng.randint(0, len(keys))
            found = any(b >= n and tuple(keys[b - n : b]) in ps for n, ps in grouped)
            assert found == _frame_phrase_at(phrases, keys, b), (keys, b)
            hits += found
        assert hits > 0


def test_benchmark_lookups_pass_does_the_engines_lookups(bench: ModuleType, gaz: Gazetteer) -> None:
    """The look-ups pass the benchmark subtracts must really match every sentence and find
    the places, or the time it attributes to the reading rules would be too large."""
    text = (
        "Russian warplanes struck Saraqib on Monday, killing 7 civilians.\n"
        "Shelling hit Kafr Nabl's market; the White Helmets said 12 were injured."
    )
    found = bench.lookups_only(True)(text)
    assert isinstance(found, list)
    *per_sentence, places = found
    assert len(per_sentence) == 2
    assert places == gaz.locate(text)
    assert [p.name for p in places][:2] == ["Saraqib", "Kafr Nabl"]
    assert "event" in per_sentence[0] and "casualty" in per_sentence[0]
    assert len(bench.lookups_only(False)(text)) == 2  # no places asked for, none looked up
