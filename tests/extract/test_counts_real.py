"""Counts people can publish: error classes seen in real reports, on invented sentences."""

from __future__ import annotations

import time

import pytest

from marsad.extract import engine_for, extract
from marsad.extract.counts import CountMention
from marsad.extract.numbers import NumberMention
from marsad.extract.text import split_sentences, tokenize
from marsad.lang import load_language_pack

Row = tuple[str, str, int | None, int | None]


def counts(text: str) -> list[Row]:
    """(category, group, low, high) of every count of every claim, in order."""
    return [(c.category, c.group, c.low, c.high) for cl in extract(text) for c in cl.counts]


def read(text: str) -> tuple[list[CountMention], list[NumberMention]]:
    """What the count reader makes of each sentence, before the engine builds claims (the
    dates' tokens claimed first, as the engine does)."""
    engine = engine_for(load_language_pack("en"))
    tokens = tokenize(text)
    found: list[CountMention] = []
    figures: list[NumberMention] = []
    for s in split_sentences(tokens):
        matches = engine.matcher.match(tokens, s.start, s.end)
        claimed = {
            k
            for d in engine.dates.read(tokens, s.start, s.end, matches, None)
            for k in range(d.start, d.end)
        }
        c, n = engine.counts.read(tokens, s.start, s.end, claimed, matches, True)
        found += c
        figures += n
    return found, figures


def figures(text: str) -> list[int]:
    return [n.value for n in read(text)[1]]


# -- figures that count nothing -------------------------------------------------------------


def test_an_age_is_no_count_and_the_person_is_one() -> None:
    text = "Samir Haddad, a 31-year-old media activist, was killed in an air strike on Saraqib."
    assert counts(text) == [("killed", "all", 1, 1)]


@pytest.mark.parametrize(
    "text",
    [
        "2015 Airstrikes on Kafr Nabl",
        "In 2019 airstrikes hit Ariha again.",
        "The shell landed on Tue 14 Mar 2017 at 0745.",
        "The shell landed at 07:45 near the bakery.",
        "The shell landed at 1530 near the bakery.",
        "Fighters of the 11th Division and the 4th Corps moved north.",
        "Brigade 52 moved its artillery to the hills.",
        "Call +963 933 112 447 for the clinic.",
        "The shell landed on a flat at 14 Omar Mukhtar Street.",
    ],
)
def test_units_addresses_times_years_and_phones_are_no_figures(text: str) -> None:
    assert figures(text) == []


def test_a_year_before_a_count_noun_is_no_strike_count() -> None:
    rows = counts("2015 Airstrikes on Kafr Nabl killed 6 civilians")
    assert ("strikes", "all", 2015, 2015) not in rows
    assert ("killed", "civilians", 6, 6) in rows


def test_a_count_after_a_date_is_still_a_count() -> None:
    assert figures("On 3 May 2016 41 martyrs were buried in Ariha.") == [41]


# -- bounds ----------------------------------------------------------------------------------


def test_half_of_an_odd_toll_is_a_range_not_an_inverted_one() -> None:
    found, _ = read("Shelling on Jisr al-Shughur killed 13 people, half of them children.")
    assert [(c.category, c.group, c.low, c.high, c.derived) for c in found] == [
        ("killed", "all", 13, 13, False),
        ("killed", "children", 6, 7, True),
    ]


# -- protesters ------------------------------------------------------------------------------


def test_protesters_killed_are_a_toll_not_a_crowd() -> None:
    rows = counts("Police opened fire on a march in Bosra, killing three protesters.")
    assert rows == [("killed", "all", 3, 3)]


def test_a_crowd_is_read_from_crowd_phrasing() -> None:
    assert counts("A crowd of 350 gathered in Kafr Nabl on Friday.") == [
        ("crowd_size", "all", 350, 350)
    ]


# -- one victim, named in the singular -------------------------------------------------------


def test_a_farmer_and_his_son_are_two_killed() -> None:
    rows = counts("Regime shelling on Habit killed a shepherd and his son.")
    assert rows[0] == ("killed", "civilians", 2, 2)
    assert rows[1:] == [("killed", "civilians", 1, 1), ("killed", "civilians", 1, 1)]


def test_a_militant_killed_is_one_combatant() -> None:
    assert counts("A militant was killed in clashes near Tafas.") == [
        ("killed", "combatants", 1, 1)
    ]


def test_a_fighter_behind_a_modifier_is_one_combatant() -> None:
    rows = counts("Snipers shot and killed a regime soldier in Busra al-Harir.")
    assert rows == [("killed", "combatants", 1, 1)]


def test_a_child_killed_is_one_child() -> None:
    assert counts("A child was killed by shelling on Kafr Batna.") == [("killed", "children", 1, 1)]


def test_an_adjective_before_a_toll_is_no_victim() -> None:
    found, _ = read("The raids caused a heavy civilian death toll in the town.")
    assert found == []


# -- lists and their totals ------------------------------------------------------------------


def test_a_list_of_fighters_keeps_each_group_and_a_derived_total() -> None:
    text = "Four IS fighters and three rebel soldiers were killed in clashes near Marea."
    [claim] = extract(text)
    got = [(c.category, c.group, c.low, c.high, c.derived, c.part_of) for c in claim.counts]
    assert got == [
        ("killed", "combatants", 7, 7, True, None),
        ("killed", "combatants", 4, 4, False, 0),
        ("killed", "combatants", 3, 3, False, 0),
    ]


def test_an_item_with_its_own_verb_ends_the_list() -> None:
    found, _ = read("Two medics were killed and a nurse in Kafr Zita.")
    assert not any(c.derived for c in found)


def test_among_them_belongs_to_the_killed() -> None:
    text = (
        "Air strikes hit Maarat al-Numan, killing at least 14 civilians, among them five "
        "children, and wounding more than 40."
    )
    assert counts(text) == [
        ("killed", "civilians", 14, None),
        ("killed", "children", 5, 5),
        ("injured", "civilians", 41, None),
    ]


def test_including_before_the_verb_gives_the_whole_its_harm() -> None:
    text = (
        "Seven civilians, including two children and a woman, were killed and more than 60 "
        "injured in shelling on Hamouria."
    )
    [claim] = extract(text)
    got = [(c.category, c.group, c.low, c.high, c.part_of) for c in claim.counts]
    assert got == [
        ("killed", "civilians", 7, 7, None),
        ("killed", "children", 2, 2, 0),
        ("killed", "women", 1, 1, 0),
        ("injured", "civilians", 61, None, None),
    ]


# -- killed and injured together -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Shelling on Kafr Sousa killed and injured 9 people.",
        "In Kafr Sousa, 9 people were killed or wounded by shelling.",
    ],
)
def test_a_combined_figure_is_one_count(text: str) -> None:
    assert counts(text) == [("casualties", "all", 9, 9)]


def test_no_one_killed_or_injured_is_a_zero_of_each() -> None:
    found, _ = read("The shell hit an empty school in Ariha; no one was killed or injured.")
    assert sorted((c.category, c.low, c.high) for c in found) == [
        ("injured", 0, 0),
        ("killed", 0, 0),
    ]


# -- running totals --------------------------------------------------------------------------


def test_a_toll_since_the_start_of_a_campaign_is_an_aggregate() -> None:
    text = "The toll since the start of the campaign on Idlib rose to 310, the monitor said."
    claims = [c for c in extract(text) if any(k.low == 310 for k in c.counts)]
    assert [c.scope for c in claims] == ["aggregate"]


def test_a_toll_to_date_is_an_aggregate() -> None:
    text = "Air strikes on Khan Shaykhun have killed 96 people to date, the monitor said."
    claims = [c for c in extract(text) if any(k.low == 96 for k in c.counts)]
    assert [c.scope for c in claims] == ["aggregate"]


# -- hostile input ---------------------------------------------------------------------------


def test_an_absurd_figure_is_flagged() -> None:
    found, _ = read("Shelling on Ariha: 888888888888 killed.")
    assert [(c.category, c.absurd) for c in found] == [("killed", True)]


def test_ten_thousand_figures_in_a_row_are_fast_and_no_counts() -> None:
    text = "Shelling killed " + " ".join(str(k % 97 + 1) for k in range(10_000)) + " people."
    t0 = time.perf_counter()
    found, _ = read(text)
    assert time.perf_counter() - t0 < 30  # a guard against hangs, not a speed goal
    assert found == []


def test_a_sentence_of_200000_characters_is_fast() -> None:
    filler = "and the shelling killed 3 people in the town " * 4500
    text = ("Shelling on Ariha " + filler)[:200_000] + "."
    t0 = time.perf_counter()
    found, _ = read(text)
    assert time.perf_counter() - t0 < 30  # a guard against hangs, not a speed goal
    assert found and all(c.low is None or c.high is None or c.low <= c.high for c in found)


def test_the_running_total_is_marked_and_the_days_toll_is_not() -> None:
    found, _ = read(
        "Shelling on Harasta killed 6 people on Sunday, bringing the toll to 41 since Friday."
    )
    assert [(c.category, c.low, c.running_total) for c in found] == [
        ("killed", 6, False),
        ("killed", 41, True),
    ]


def test_a_running_total_beside_the_days_toll_leaves_the_incident_its_own_toll() -> None:
    text = "Shelling on Harasta killed 6 people on Sunday, bringing the toll to 41 since Friday."
    (claim,) = extract(text)
    assert claim.scope == "incident"
    assert [(c.category, c.low) for c in claim.counts] == [("killed", 6)]


def test_a_combined_figure_alone_makes_an_attack() -> None:
    (claim,) = extract("Shelling on the market in Ariha killed or wounded 14 people on Monday.")
    assert claim.event_type == "shelling"
    assert [(c.category, c.low) for c in claim.counts] == [("casualties", 14)]
    (claim,) = extract("In Sarmin, 9 people were killed or wounded on Monday.")
    assert [(c.category, c.low) for c in claim.counts] == [("casualties", 9)]
