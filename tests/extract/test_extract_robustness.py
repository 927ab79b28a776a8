"""Awkward input: the engine returns quickly with sane results or raises a clear ValueError."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reports import reader

from marsad.contract.claim import DocumentMeta
from marsad.extract import (
    MAX_TEXT_CHARS,
    ExtractionError,
    InvalidTextError,
    TextTooLargeError,
    extract,
)
from marsad.lang import LanguagePackError, load_language_pack, load_pack_from

META = DocumentMeta(published="2023-10-25")


run = reader("2023-10-25", gazetteer=None)


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", ".", "—", "\x00\x01\x02"])
def test_empty_and_blank(text: str) -> None:
    assert run(text) == []


def test_not_text_is_a_clear_error() -> None:
    with pytest.raises(InvalidTextError):
        extract(b"bytes are not text")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        extract(None)  # type: ignore[arg-type]


def test_too_large_is_a_clear_error() -> None:
    big = "killed " * (MAX_TEXT_CHARS // 7 + 1)
    with pytest.raises(TextTooLargeError) as err:
        run(big)
    assert isinstance(err.value, ExtractionError) and isinstance(err.value, ValueError)
    assert "limit" in str(err.value)


def test_one_huge_word_and_many_words_finish_quickly() -> None:
    # Generous bounds: these guard against hangs (regex backtracking), not for speed.
    t0 = time.perf_counter()
    assert run("a" * (MAX_TEXT_CHARS - 1)) == []
    assert run("airstrike " * 90_000) is not None
    assert run("9" * 100_000) == []
    assert time.perf_counter() - t0 < 60


def test_binary_noise() -> None:
    rng = random.Random(3)
    noise = bytes(rng.randrange(256) for _ in range(20_000)).decode("latin-1")
    assert isinstance(run(noise), list)


def test_mixed_scripts() -> None:
    text = (
        "قصف جوي على معرة النعمان Russian warplanes struck Saraqib on Monday, "
        "killing 4 civilians في ريف إدلب الجنوبي."
    )
    claims = run(text)
    assert len(claims) == 1
    assert (claims[0].count("killed", "civilians") or pytest.fail()).low == 4


def test_absurd_numbers_are_dropped_and_lower_confidence() -> None:
    sane = run("Shelling on Ariha on Monday killed 12 people.")[0]
    claims = run("Shelling on Ariha on Monday killed 999999999999 people.")
    assert len(claims) == 1
    assert claims[0].counts == []
    assert claims[0].confidence < sane.confidence
    huge = run("Shelling killed " + "9" * 400 + " people on Monday.")
    assert all(c.low is None or c.low < 10**16 for x in huge for c in x.counts)


def test_odd_punctuation_and_unclosed_quotes() -> None:
    text = '"Airstrikes (on Saraqib killed 3 people ,,, ;;; -- -- "" 5-- -7 - 2023-13-45 31/31/31'
    assert isinstance(run(text), list)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_valid_spans(text: str) -> None:
    for c in run(text):
        for k in c.counts:
            assert text[k.evidence.start : k.evidence.end] == k.evidence.text
        assert text[c.evidence.start : c.evidence.end] == c.evidence.text


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "killed",
                "over",
                "60",
                "civilians",
                "dozens",
                "of",
                "on",
                "Friday",
                "since",
                "October",
                "5",
                ",",
                "2023",
                "one-third",
                "whom",
                "children",
                "airstrikes",
                "19",
                "which",
                "by",
                "Russian",
                "warplanes",
                "HTS",
                "protesters",
                ".",
                "\n",
                "activist",
                "Rana",
                "Haddad",
                "said",
                "between",
                "and",
                "to",
                "-",
                "a",
                "child",
            ]
        ),
        max_size=60,
    )
)
def test_vocabulary_soup_never_crashes(words: list[str]) -> None:
    text = " ".join(words)
    for c in run(text):
        assert c.event_type
        for k in c.counts:
            assert k.low is None or k.high is None or k.low <= k.high


def test_language_pack_errors_are_clear(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LanguagePackError):
        load_language_pack("xx")
    with pytest.raises(LanguagePackError):
        load_language_pack("../en")
    (tmp_path / "events.yaml").write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(LanguagePackError):
        load_pack_from(tmp_path, "zz")


def test_nul_characters_between_words() -> None:
    # A NUL byte standing alone between trigger words once reached the lexicon trie's own
    # end-of-phrase key and crashed the matcher; it is only noise.
    claims = extract("Regime shelling \x00 event killed five people in Idlib.", META)
    assert [c.event_type for c in claims] == ["shelling"]
    assert [(c.category, c.low) for c in claims[0].counts] == [("killed", 5)]


def test_ten_thousand_numbers_in_a_row_give_no_figure_from_the_run() -> None:
    """A table dumped as text: no count is read from the run of numbers, and the sentence's
    own toll still is."""
    run_of_numbers = " ".join(str(i) for i in range(10_000))
    claims = run(f"{run_of_numbers}. An air strike on Sarmin killed 4 people.")
    killed = [c for claim in claims for c in claim.counts if c.category == "killed"]
    assert [(c.low, c.high) for c in killed] == [(4, 4)]


def test_a_two_hundred_thousand_character_sentence_is_read_whole() -> None:
    clauses = "the villages around it and " * 7_500
    text = f"Shelling hit the town and {clauses}killed 4 civilians."
    assert len(text) > 200_000
    (claim,) = run(text)
    assert claim.event_type == "shelling"
    assert [(c.category, c.low) for c in claim.counts] == [("killed", 4)]
    assert claim.evidence.end == len(text) and claim.evidence.start == 0


def test_five_megabytes_of_one_word_is_refused_with_the_limit() -> None:
    with pytest.raises(TextTooLargeError, match="split it into documents"):
        run("bombardment" * 500_000)
