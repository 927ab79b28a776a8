"""The report's own date when no publication date comes with it: the datelines of news pages and
wire services. The sentences are written for these tests."""

from __future__ import annotations

from reports import reader

from marsad.contract.claim import DocumentMeta
from marsad.extract import extract

run = reader(None)


def dates(text: str) -> list[tuple[str | None, str | None]]:
    return [(c.date_start, c.date_end) for c in run(text)]


def test_a_wire_dateline_takes_its_year_from_the_text() -> None:
    text = (
        "BEIRUT, Oct 29 (Reuters) - Air strikes killed 12 people in Saraqib on Friday, the "
        "Observatory said. Rebels captured the town in 2016."
    )
    # 29 October 2016 was a Saturday: "on Friday" is the day before the dateline
    assert dates(text) == [("2016-10-28", "2016-10-28")]


def test_a_wire_dateline_after_the_headline() -> None:
    text = (
        "Air strikes kill 12 in Saraqib ALEPPO, Syria, Oct 29 (AP) — Air strikes killed 12 "
        "people in Saraqib on Friday, rescuers said. Rebels captured the town in 2016."
    )
    assert dates(text) == [("2016-10-28", "2016-10-28")]


def test_a_wire_dateline_with_no_year_anywhere_anchors_nothing() -> None:
    text = "BEIRUT, Oct 29 (Reuters) - Air strikes killed 12 people in Saraqib on Friday."
    assert dates(text) == [(None, None)]


def test_a_lead_with_no_date_of_its_own_is_dated_by_the_dateline() -> None:
    text = (
        "BEIRUT, Oct 29 (Reuters) - Shelling killed 4 people in Harasta, medics said. Rebels "
        "took the district in 2016."
    )
    (claim,) = run(text)
    assert (claim.date_start, claim.date_end) == ("2016-10-29", "2016-10-29")
    assert claim.date_evidence is not None and claim.date_evidence.text == "Oct 29"


def test_a_date_after_a_capitalised_word_mid_sentence_is_no_dateline() -> None:
    # "UN, Oct 29 ..." has no agency in brackets and no dash after it
    text = (
        "Observers from the UN, Oct 29 and later, counted 12 dead in Saraqib after shelling "
        "on Friday. Rebels took the town in 2016."
    )
    assert all(start is None for start, _ in dates(text))


def test_a_dated_page_header_still_anchors() -> None:
    text = "Wed 05 Apr 2017 Barrel bombs killed 9 people in Kafr Zita on Tuesday, activists said."
    assert dates(text) == [("2017-04-04", "2017-04-04")]


def test_the_day_before_a_named_date_counts_from_that_date() -> None:

    text = "Medics in Sarmin said on 9 March 2024 that shelling the day before had killed three."
    (claim,) = extract(text, DocumentMeta(published="2024-03-12"))
    assert (claim.date_start, claim.date_end, claim.date_precision) == (
        "2024-03-08",
        "2024-03-08",
        1,
    )
    assert claim.date_evidence is not None and claim.date_evidence.text == "the day before"
    # with no date before it, "the day before" counts from publication
    (claim,) = extract(
        "Shelling the day before killed three in Sarmin.", DocumentMeta(published="2024-03-12")
    )
    assert claim.date_start == "2024-03-11"
