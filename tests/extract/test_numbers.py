"""Numbers and qualifiers as the extraction engine reads them."""

from __future__ import annotations

import pytest

from marsad.extract import engine_for
from marsad.extract.numbers import NumberMention, apply_qualifier, digits_value
from marsad.extract.text import split_sentences, tokenize
from marsad.lang import load_language_pack


def numbers(text: str) -> list[NumberMention]:
    engine = engine_for(load_language_pack("en"))
    tokens = tokenize(text)
    out: list[NumberMention] = []
    for s in split_sentences(tokens):
        matches = engine.matcher.match(tokens, s.start, s.end)
        out += engine.counts.numbers.read(tokens, s.start, s.end, set(), matches)
    return out


def one(text: str) -> NumberMention:
    found = numbers(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "low", "high", "qualifier"),
    [
        ("12 people", 12, 12, "exact"),
        ("over 60 people", 61, None, "over"),
        ("more than 285 people", 286, None, "over"),
        ("at least 8 people", 8, None, "at_least"),
        ("no fewer than 30 people", 30, None, "at_least"),
        ("nearly 100 people", 90, 99, "nearly"),
        ("almost 20 people", 18, 19, "nearly"),
        ("about 25,000 people", 25000, 25000, "about"),
        ("around 400 people", 400, 400, "about"),
        ("an estimated 25,000 people", 25000, 25000, "about"),
        ("up to 10 people", None, 10, "up_to"),
        ("less than 10 people", None, 9, "up_to"),
        ("dozens of people", 24, None, "vague"),
        ("hundreds of people", 200, None, "vague"),
        ("tens of thousands of people", 20000, None, "vague"),
        ("scores of people", 40, None, "vague"),
    ],
)
def test_qualifiers(text: str, low: int | None, high: int | None, qualifier: str) -> None:
    n = one(text)
    assert (n.low, n.high, n.qualifier) == (low, high, qualifier)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("seven", 7),
        ("twenty-two", 22),
        ("twenty two", 22),
        ("a dozen", 12),
        ("two dozen", 24),
        ("two hundred and fifty", 250),
        ("3 million", 3_000_000),
        ("three million", 3_000_000),
        ("2.5 million", 2_500_000),
        ("25,000", 25000),
        ("1,200", 1200),
        ("a hundred", 100),
    ],
)
def test_values(text: str, value: int) -> None:
    assert one(text + " people").value == value


def test_more_than_two_dozen_is_over_24() -> None:
    n = one("more than two dozen towns")
    assert (n.low, n.qualifier) == (25, "over")


def test_ranges() -> None:
    n = one("between 5 and 10 people")
    assert (n.low, n.high) == (5, 10)
    n = one("15 to 20 people")
    assert (n.low, n.high) == (15, 20)
    n = one("15-20 people")
    assert (n.low, n.high) == (15, 20)


def test_fraction() -> None:
    n = numbers("over 60 civilians, one-third of whom were children")[1]
    assert n.fraction == (1, 3)
    share = numbers("half of them were children")[0]
    assert share.fraction == (1, 2)


def test_a_alone_is_not_a_number() -> None:
    assert numbers("a school was hit") == []


def test_absurd_numbers_are_flagged_not_converted() -> None:
    n = one("999999999999 killed")
    assert n.absurd
    long_run = numbers("9" * 5000 + " killed")
    assert long_run and all(x.value <= 10**16 for x in long_run)
    assert any(x.absurd for x in long_run)


def test_digits_value() -> None:
    assert digits_value("25,000") == 25000
    assert digits_value("3.5") == 3.5
    assert digits_value("1,2") is None


def test_apply_qualifier_never_negative() -> None:
    assert apply_qualifier(0, "nearly") == (0, 0)
    assert apply_qualifier(1, "up_to", strict=True) == (None, 0)
