"""Date expressions resolved against the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from marsad.contract.claim import parse_iso_date
from marsad.extract import engine_for
from marsad.extract.dates import DateMention, precision_for
from marsad.extract.text import split_sentences, tokenize
from marsad.lang import load_language_pack

PUBLISHED = date(2023, 10, 25)  # a Wednesday


def dates(text: str, anchor: date | None = PUBLISHED) -> list[DateMention]:
    engine = engine_for(load_language_pack("en"))
    tokens = tokenize(text)
    out: list[DateMention] = []
    for s in split_sentences(tokens):
        matches = engine.matcher.match(tokens, s.start, s.end)
        out += engine.dates.read(tokens, s.start, s.end, matches, anchor)
    return out


def one(text: str, anchor: date | None = PUBLISHED) -> tuple[str | None, str | None, int | None]:
    found = dates(text, anchor)
    assert len(found) == 1, found
    d = found[0]
    return (
        d.first.isoformat() if d.first else None,
        d.last.isoformat() if d.last else None,
        d.precision,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It happened on October 5, 2023.", ("2023-10-05", "2023-10-05", 1)),
        ("It happened on 5 October 2023.", ("2023-10-05", "2023-10-05", 1)),
        ("It happened on 5th of October 2023.", ("2023-10-05", "2023-10-05", 1)),
        ("It happened on 2023-10-05.", ("2023-10-05", "2023-10-05", 1)),
        ("It happened on 5/10/2023.", ("2023-10-05", "2023-10-05", 1)),
        ("It happened on 10/25/2023.", ("2023-10-25", "2023-10-25", 1)),
        ("It happened in October 2023.", ("2023-10-01", "2023-10-31", 4)),
        ("It happened in 2016.", ("2016-01-01", "2016-12-31", 5)),
        ("Wed 05 Apr 2017 a strike hit", ("2017-04-05", "2017-04-05", 1)),
    ],
)
def test_absolute(text: str, expected: tuple[str, str, int]) -> None:
    assert one(text) == expected


def test_partial_date_takes_publication_year_past_biased() -> None:
    assert one("On December 22nd, strikes hit.") == ("2022-12-22", "2022-12-22", 1)
    assert one("On October 20, strikes hit.") == ("2023-10-20", "2023-10-20", 1)
    # two days of slack for reports filed across midnight or time zones
    assert one("On October 27, strikes hit.") == ("2023-10-27", "2023-10-27", 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Strikes hit yesterday.", ("2023-10-24", "2023-10-24", 1)),
        ("Strikes hit today.", ("2023-10-25", "2023-10-25", 1)),
        ("Strikes hit overnight.", ("2023-10-24", "2023-10-25", 2)),
        ("Strikes hit on Friday.", ("2023-10-20", "2023-10-20", 1)),
        ("Strikes hit on Wednesday.", ("2023-10-25", "2023-10-25", 1)),
        ("Strikes hit last week.", ("2023-10-18", "2023-10-24", 3)),
        ("Strikes hit earlier this month.", ("2023-10-01", "2023-10-25", 4)),
        ("Strikes hit last month.", ("2023-09-01", "2023-09-30", 4)),
        ("Strikes hit in early September.", ("2023-09-01", "2023-09-10", 4)),
        ("Strikes hit in late September.", ("2023-09-21", "2023-09-30", 4)),
        ("Strikes hit three days ago.", ("2023-10-22", "2023-10-22", 1)),
    ],
)
def test_relative(text: str, expected: tuple[str, str, int]) -> None:
    assert one(text) == expected


def test_since_runs_to_publication() -> None:
    found = dates("Since October 5, 2023, attacks have continued.")
    assert len(found) == 1
    d = found[0]
    assert d.since
    assert (d.first, d.last, d.precision) == (date(2023, 10, 5), PUBLISHED, 4)


def test_day_range_within_month() -> None:
    assert one("Between 5 and 25 October 2023 the attacks went on.") == (
        "2023-10-05",
        "2023-10-25",
        4,
    )
    assert one("From October 5 to October 9, 2023 the attacks went on.")[0:2] == (
        "2023-10-05",
        "2023-10-09",
    )


def test_relative_dates_need_a_publication_date() -> None:
    for text in ("Strikes hit yesterday.", "Strikes hit on Friday.", "On December 22nd it began."):
        assert one(text, anchor=None) == (None, None, None)
    # an absolute date does not
    assert one("On 5 October 2023 it began.", anchor=None)[0] == "2023-10-05"


def test_modal_may_is_not_a_month() -> None:
    assert dates("The offensive may start soon.") == []


def test_invalid_dates_do_not_crash() -> None:
    assert one("It happened on 31/02/2023.") == (None, None, None)
    assert one("It happened on February 30, 2023.") == (None, None, None)


def test_precision_codes() -> None:
    d = date(2023, 1, 1)
    assert precision_for(d, d) == 1
    assert precision_for(d, date(2023, 1, 3)) == 2
    assert precision_for(d, date(2023, 1, 7)) == 3
    assert precision_for(d, date(2023, 1, 20)) == 4
    assert precision_for(d, date(2023, 3, 1)) == 5


def test_parse_iso_date() -> None:
    assert parse_iso_date("2023-10-25T10:00:00Z") == PUBLISHED
    assert parse_iso_date("not a date") is None
    assert parse_iso_date(None) is None
