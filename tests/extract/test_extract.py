"""End-to-end extraction on reports written for these tests.

Each report restates the facts of one seed document (figures, places, dates) in new words.
Places come from a small stand-in locator so these tests do not depend on the gazetteer data;
tests/extract/test_extract_places.py runs the same reports through the real gazetteer.
"""

from __future__ import annotations

import re

import pytest
from reports import reader

from marsad.contract.claim import (
    ACLED_SUB_EVENT_TYPES,
    COUNT_CATEGORIES,
    EVENT_TYPES,
    FACILITY_TYPES,
    QUALIFIERS,
    VICTIM_GROUPS,
    WEAPONS,
    Claim,
    DocumentMeta,
    PlaceRef,
    Span,
    claim_from_dict,
)
from marsad.extract import extract


class StandInLocator:
    """Finds a fixed set of names (a test double for the gazetteer's ``locate``)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names  # surface form -> precision
        self.pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len)[::-1]))

    def locate(self, text: str) -> list[PlaceRef]:
        return [
            PlaceRef(
                name=m.group(),
                precision=self.names[m.group()],
                evidence=Span(m.start(), m.end(), m.group()),
                gazetteer_id=f"test:{m.group().lower()}",
            )
            for m in self.pattern.finditer(text)
        ]


LOCATOR = StandInLocator(
    {
        "Idlib": "governorate",
        "Idlib city": "exact",
        "Saraqib": "exact",
        "western rural Aleppo": "region",
        "Maarat al-Numan": "exact",
        "Maaret al-Numan": "exact",
        "Ma'arrat al-Nu'man": "exact",
        "Maarat al-Nouman": "exact",
        "Maara al-Nouman": "exact",
        "Binnish": "exact",
        "Ariha": "exact",
    }
)


run = reader("2023-10-25", gazetteer=LOCATOR)


def check_invariants(text: str, claims: list[Claim]) -> None:
    """Every value is from the controlled vocabularies and every span points into the text."""
    for c in claims:
        assert c.scope in ("incident", "aggregate")
        assert c.event_type in EVENT_TYPES
        assert c.acled_sub_event_type == ACLED_SUB_EVENT_TYPES.get(c.event_type)
        assert c.date_precision is None or 1 <= c.date_precision <= 5
        spans = [c.evidence, *(x.evidence for x in c.counts), *(x.evidence for x in c.places)]
        spans += [x.evidence for x in c.perpetrators + c.targets]
        spans += [x.evidence for x in c.weapons] + [x.evidence for x in c.facilities]
        spans += [x.evidence for x in c.reported_by] + [x.evidence for x in c.persons]
        spans += [s for s in (c.date_evidence, c.event_type_evidence) if s is not None]
        for s in spans:
            assert text[s.start : s.end] == s.text
        for k in c.counts:
            assert k.category in COUNT_CATEGORIES
            assert k.group in VICTIM_GROUPS
            assert k.qualifier in QUALIFIERS
            assert k.part_of is None or 0 <= k.part_of < len(c.counts)
            if k.low is not None and k.high is not None:
                assert k.low <= k.high
        assert all(w.type in WEAPONS for w in c.weapons)
        assert all(f.type in FACILITY_TYPES for f in c.facilities)
        assert claim_from_dict(c.to_dict()) == c


STRIKES_REPORT = """Idlib under fire again

IDLIB, Syria — On December 22nd, Syria Civil Defence teams recorded 57 airstrikes that hit 16 \
locations across the province, 19 of which were carried out by Russian aircraft. More than \
3 million civilians now live in Idlib, many of them displaced from elsewhere in Syria.

We urge everyone to sign the statement, call their representatives and donate to relief appeals.
"""


def test_strikes_with_sub_count_by_russian_aircraft() -> None:
    claims = run(STRIKES_REPORT, published="2019-12-24")
    check_invariants(STRIKES_REPORT, claims)
    assert len(claims) == 1
    c = claims[0]
    assert c.event_type == "air_strike"
    assert (c.date_start, c.date_end, c.date_precision) == ("2019-12-22", "2019-12-22", 1)
    strikes = c.count("strikes")
    assert strikes is not None and (strikes.low, strikes.high) == (57, 57)
    places = c.count("places_targeted")
    assert places is not None and places.low == 16
    subs = [k for k in c.counts if k.part_of is not None]
    assert len(subs) == 1
    sub = subs[0]
    assert (sub.category, sub.low, sub.perpetrator) == ("strikes", 19, "ru_forces")
    assert c.counts[sub.part_of] is strikes
    assert "ru_forces" in {a.id for a in c.perpetrators}
    assert [o.id for o in c.reported_by] == ["white_helmets"]
    # "3 million civilians" live there: not a casualty figure
    assert all(k.low != 3_000_000 for k in c.counts)
    assert {p.name for p in c.places} >= {"Idlib"}


def test_partial_date_is_past_biased() -> None:
    c = run(STRIKES_REPORT, published="2020-01-03")[0]
    assert c.date_start == "2019-12-22"


ESCALATION_REPORT = """Northwest Syria: three weeks of escalation

Since October 5, 2023, government forces and their Russian allies have stepped up attacks on \
northwest Syria, firing cluster munitions and other banned weapons at populated areas. Idlib city \
and western rural Aleppo have been hit hardest.

According to the Syria Response Coordinators, more than 60 civilians have been killed, a third \
of them children, and over 285 people have been injured. Over 88 civilian facilities were \
struck, among them schools, medical facilities, civil-defence centres and vehicles, mosques and \
displacement camps.

We call on the Security Council to act at once to halt the bombardment.
"""


def test_aggregate_with_derived_children_and_facilities() -> None:
    claims = run(ESCALATION_REPORT)
    check_invariants(ESCALATION_REPORT, claims)
    assert len(claims) == 1
    c = claims[0]
    assert c.scope == "aggregate"
    assert (c.date_start, c.date_end) == ("2023-10-05", "2023-10-25")
    killed = c.count("killed", "civilians")
    assert killed is not None and (killed.low, killed.high, killed.qualifier) == (61, None, "over")
    children = c.count("killed", "children")
    assert children is not None and children.derived
    assert (children.low, children.high) == (21, None)  # ceil(61 / 3)
    assert children.part_of is not None and c.counts[children.part_of] is killed
    injured = c.count("injured")
    assert injured is not None and injured.low == 286
    facilities = c.count("facilities_hit")
    assert facilities is not None and facilities.low == 89
    assert {f.type for f in c.facilities} == {
        "school",
        "medical",
        "civil_defence",
        "mosque",
        "displacement_camp",
    }
    assert [w.type for w in c.weapons] == ["cluster_munition"]
    assert {a.id for a in c.perpetrators} >= {"sy_gov_forces"}
    assert "rescue_workers" not in {a.id for a in c.targets}  # civil-defence centres are a facility
    assert [o.id for o in c.reported_by] == ["src"]
    assert {p.name for p in c.places} >= {"Idlib city", "western rural Aleppo"}


PROTEST_REPORT = """Thousands rally in Idlib against the offensive

Protesters filled the streets of more than two dozen towns and villages in Idlib province on \
Friday, activists said.

The largest rally was in {town}, where an estimated 25,000 people gathered after midday prayers, \
local organisers said. "We are not terrorists, we want to live in freedom," said Khaled Barakat, \
41, a pharmacist.

In 2016, residents drove the Nusra Front's fighters out of the town after days of clashes with a \
local rebel brigade.

On September 7, during protests in Idlib city, HTS members opened fire on demonstrators who \
chanted against the group, activist Lina Haddad told reporters.
"""

SPELLINGS = [
    "Maarat al-Numan",
    "Maaret al-Numan",
    "Ma'arrat al-Nu'man",
    "Maarat al-Nouman",
    "Maara al-Nouman",
]


@pytest.mark.parametrize("town", SPELLINGS)
def test_protest_crowd_under_each_spelling(town: str) -> None:
    text = PROTEST_REPORT.format(town=town)
    claims = run(text, published="2018-09-15")  # a Saturday: "Friday" is 14 September
    check_invariants(text, claims)
    protest = [c for c in claims if c.event_type == "peaceful_protest"]
    assert len(protest) == 1
    p = protest[0]
    crowd = p.count("crowd_size")
    assert crowd is not None
    assert (crowd.low, crowd.high, crowd.qualifier) == (25000, 25000, "about")
    assert p.date_start == "2018-09-14"
    assert town in {pl.name for pl in p.places}
    assert p.perpetrators == []
    assert "Khaled Barakat" in {x.name for x in p.persons}


def test_armed_group_firing_on_protesters_is_a_separate_claim() -> None:
    text = PROTEST_REPORT.format(town="Maarat al-Numan")
    claims = run(text, published="2018-09-15")
    force = [c for c in claims if c.event_type == "excessive_force_against_protesters"]
    assert len(force) == 1
    f = force[0]
    assert f.acled_sub_event_type == "Excessive force against protesters"
    assert (f.date_start, f.date_precision) == ("2018-09-07", 1)
    assert [a.id for a in f.perpetrators] == ["hts"]
    assert "protesters" in {a.id for a in f.targets}
    assert "Idlib city" in {pl.name for pl in f.places}
    assert ("Lina Haddad", "activist") in {(x.name, x.role) for x in f.persons}


def test_background_history_is_not_an_incident() -> None:
    text = PROTEST_REPORT.format(town="Maarat al-Numan")
    claims = run(text, published="2018-09-15")
    assert all(c.event_type != "armed_clash" for c in claims)
    assert all(not (c.date_start or "").startswith("2016") for c in claims)
    assert len(claims) == 2


THREATS_REPORT = """Women activists in Idlib face threats

Activist Huda Sarraj says she has received repeated death threats from armed groups because she \
campaigns for women's seats on local councils.

"They threatened to kill me if I did not stop my workshops," said activist Nisreen Khalaf, who \
is now barred from public meetings in Idlib city.

Rights defender Mariam Othman, 33, told us she continues her work online.
"""


def test_threats_hold_named_activists_as_persons() -> None:
    claims = run(THREATS_REPORT)
    check_invariants(THREATS_REPORT, claims)
    threats = [c for c in claims if c.event_type == "threat"]
    assert len(threats) == 1
    t = threats[0]
    roles = {(p.name, p.role) for p in t.persons}
    assert roles == {
        ("Huda Sarraj", "activist"),
        ("Nisreen Khalaf", "activist"),
        ("Mariam Othman", "defender"),
    }
    assert "armed_opposition" in {a.id for a in t.perpetrators}
    assert "activists" in {a.id for a in t.targets}
    # persons are never invented from place names
    assert all("Idlib" not in p.name for p in t.persons)


def test_several_incidents_in_one_report() -> None:
    text = (
        "Regime helicopters dropped barrel bombs on Binnish on Monday, killing a child and two "
        "women, rescuers said.\n\n"
        "Separately, artillery shells hit Ariha on Tuesday, wounding seven people.\n"
    )
    claims = run(text)
    check_invariants(text, claims)
    assert [c.event_type for c in claims] == ["air_strike", "shelling"]
    first, second = claims
    assert first.date_start == "2023-10-23" and second.date_start == "2023-10-24"
    assert (first.count("killed", "children") or pytest.fail()).low == 1
    assert (first.count("killed", "women") or pytest.fail()).low == 2
    assert [w.type for w in first.weapons] == ["barrel_bomb"]
    assert [p.name for p in first.places] == ["Binnish"]
    assert (second.count("injured") or pytest.fail()).low == 7
    assert [p.name for p in second.places] == ["Ariha"]
    assert [a.id for a in first.perpetrators] == ["sy_gov_forces"]


def test_including_sub_count_and_inherited_category() -> None:
    text = "At least 22 people, including six children, were killed in airstrikes on Saraqib."
    c = run(text)[0]
    check_invariants(text, [c])
    total = c.count("killed")
    children = c.count("killed", "children")
    assert total is not None and (total.low, total.qualifier) == (22, "at_least")
    assert children is not None and children.low == 6
    assert children.part_of is not None and c.counts[children.part_of] is total


def test_death_toll_phrasing() -> None:
    text = "The death toll from Sunday's car bomb in Idlib has risen to 17, a monitor said."
    c = run(text)[0]
    assert c.event_type == "remote_explosive"
    assert (c.count("killed") or pytest.fail()).low == 17


def test_vague_quantities_are_never_exact() -> None:
    text = "Dozens of civilians were killed in Russian air raids on Saraqib yesterday."
    c = run(text)[0]
    killed = c.count("killed", "civilians")
    assert killed is not None
    assert (killed.low, killed.high, killed.qualifier) == (24, None, "vague")
    assert c.date_start == "2023-10-24"


def test_no_publication_date_means_no_relative_date() -> None:
    text = "Russian warplanes struck Saraqib yesterday, killing four civilians."
    c = run(text, published=None)[0]
    assert c.date_start is None and c.date_end is None and c.date_precision is None


def test_calls_to_action_and_hypotheticals_make_no_claims() -> None:
    text = (
        "We call on all parties to stop the bombardment of civilians.\n"
        "Officials warned that a ground offensive could cause a bloodbath.\n"
        "No such attacks took place on Friday."
    )
    assert run(text) == []


def test_negated_casualties_are_not_counted() -> None:
    text = "Shelling hit Ariha on Monday; no casualties were reported."
    claims = run(text)
    assert len(claims) == 1
    assert claims[0].counts == []


def test_dateline_anchors_relative_dates_without_metadata() -> None:
    text = "Wed 05 Apr 2017 Air strikes on Saraqib killed 12 civilians on Tuesday, activists said."
    c = run(text, published=None)[0]
    assert c.date_start == "2017-04-04"


def test_deterministic() -> None:
    assert run(ESCALATION_REPORT) == run(ESCALATION_REPORT)


def test_engine_reads_all_language_knowledge_from_the_pack(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A pack with one changed data file changes what the engine finds; no code changes."""
    import shutil

    from marsad.lang import LANG_DIR, load_pack_from

    pack_dir = tmp_path / "xx"
    shutil.copytree(LANG_DIR / "en", pack_dir)
    events = (pack_dir / "events.yaml").read_text(encoding="utf-8")
    (pack_dir / "events.yaml").write_text(
        events.replace("  air_strike:\n", "  air_strike:\n    - skyfire\n"), encoding="utf-8"
    )
    pack = load_pack_from(pack_dir, "xx")
    text = "Skyfire hit Saraqib on Monday, killing five civilians."
    assert [c.event_type for c in extract(text, META, gazetteer=None, pack=pack)] == ["air_strike"]
    assert [c.event_type for c in extract(text, META, gazetteer=None)] == ["attack"]


META = DocumentMeta(published="2023-10-25")
