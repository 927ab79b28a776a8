"""The claims the issue asks for, from reports we wrote ourselves, and the examples' answer key.

The first half restates the facts of each seed document in ``../shared/seeds`` in new words (the
names of people are invented) and checks the claims the engine reads from them. The second half
reads every report in ``examples/reports`` through the ingest parser, exactly as ``marsad
process`` does, and checks the event types, dates and key counts of ``examples/README.md``.
Places come from the real gazetteer.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from reports import reader

from marsad.contract.claim import Claim, Count, DocumentMeta
from marsad.contract.document import NewDocument
from marsad.ingest.parse import parse_file
from paths import REPO

EXAMPLES = REPO / "examples" / "reports"


run = reader(None)


def only(claims: list[Claim]) -> Claim:
    assert len(claims) == 1, [(c.event_type, c.scope, c.evidence.text[:60]) for c in claims]
    return claims[0]


def need(claim: Claim, category: str, group: str = "all") -> Count:
    found = claim.count(category, group)
    assert found is not None, (category, group, [(c.category, c.group) for c in claim.counts])
    return found


def place_names(claim: Claim) -> str:
    return " | ".join(f"{p.name} {p.admin1 or ''} {p.admin2 or ''}".lower() for p in claim.places)


# -- seed 001: 57 strikes on 16 locations, 19 of them Russian ----------------------------------

STRIKES = """\
Idlib under fire

On December 22nd, rescue teams of the White Helmets counted 57 airstrikes on 16 locations in \
Idlib province, 19 of which were carried out by Russian warplanes. Families from Saraqeb and \
Maaret al-Numan were again on the move north.
"""


def test_strikes_locations_and_russian_sub_count() -> None:
    claim = only(run(STRIKES, "2019-12-24"))
    assert claim.event_type == "air_strike"
    assert claim.date_start == claim.date_end == "2019-12-22"
    strikes = need(claim, "strikes")
    assert (strikes.low, strikes.high, strikes.qualifier) == (57, 57, "exact")
    places = need(claim, "places_targeted")
    assert places.low == 16
    russian = [c for c in claim.counts if c.category == "strikes" and c.low == 19]
    assert len(russian) == 1
    assert russian[0].perpetrator == "ru_forces"
    assert russian[0].part_of is not None and claim.counts[russian[0].part_of] is strikes
    assert "white helmets" in " ".join(o.name.lower() for o in claim.reported_by) or any(
        o.id and "white" in o.id for o in claim.reported_by
    )


# -- seed 002: a period total with a derived share, facilities and cluster munitions ------------

PERIOD = """\
Since October 5, 2023, the Syrian government and its Russian ally have stepped up their attacks \
on Idlib city and its countryside and on the western countryside of Aleppo, at times using \
cluster munitions.

The Syria Response Coordinators have recorded the killing of over 60 civilians, one-third of whom \
are children, and the injury of more than 285 people. Over 88 civilian facilities have been hit, \
among them schools, medical facilities, civil defence centres and vehicles, mosques and camps for \
displaced people.

Wednesday, October 25, 2023.
"""


def test_period_total_with_derived_children_and_facilities() -> None:
    claims = run(PERIOD, "2023-10-25")
    claim = only(claims)
    assert claim.scope == "aggregate"
    assert (claim.date_start, claim.date_end) == ("2023-10-05", "2023-10-25")
    killed = need(claim, "killed", "civilians")
    assert (killed.low, killed.high, killed.qualifier) == (61, None, "over")
    children = need(claim, "killed", "children")
    assert children.derived and children.low == 21 and children.qualifier == "over"
    assert children.part_of is not None and claim.counts[children.part_of] is killed
    injured = need(claim, "injured")
    assert (injured.low, injured.qualifier) == (286, "over")
    facilities = need(claim, "facilities_hit")
    assert (facilities.low, facilities.qualifier) == (89, "over")
    kinds = {f.type for f in claim.facilities}
    assert {"school", "medical", "civil_defence", "mosque", "displacement_camp"} <= kinds
    assert "cluster_munition" in {w.type for w in claim.weapons}
    assert {p.id for p in claim.perpetrators} >= {"sy_gov_forces", "ru_forces"}
    names = place_names(claim)
    assert "idlib" in names and "aleppo" in names


# -- seed 004: a 25,000-strong protest under every spelling, and shots at protesters ------------

SPELLINGS = [
    "Maarat al-Numan",
    "Maaret al-Numan",
    "Ma'arrat al-Nu'man",
    "Maarat al-Nouman",
    "Maara al-Nouman",
]

PROTEST = """\
Crowds return to the streets of Idlib

Protests were held on Friday in more than two dozen towns across Idlib province. The largest \
was in {town}, where about 25,000 people took part after the noon prayer, according to the local \
council. "We are asking the world to see us," said Fares Halabi, 41, a teacher from {town}.
"""


@pytest.mark.parametrize("town", SPELLINGS)
def test_protest_crowd_in_maarat_al_numan_under_each_spelling(town: str) -> None:
    claims = run(PROTEST.format(town=town), "2019-09-01")
    protest = [c for c in claims if c.event_type == "peaceful_protest"]
    assert len(protest) == 1
    claim = protest[0]
    assert claim.date_start == "2019-08-30"
    crowd = need(claim, "crowd_size")
    assert (crowd.low, crowd.qualifier) == (25000, "about")
    assert not claim.perpetrators
    assert "maarat al-num" in place_names(claim)
    assert any(p.evidence.text == town for p in claim.places)


def test_every_spelling_is_one_place() -> None:
    ids = set()
    for town in SPELLINGS:
        claims = run(PROTEST.format(town=town), "2019-09-01")
        found = {p.gazetteer_id for c in claims for p in c.places if p.evidence.text == town}
        assert len(found) == 1 and None not in found, (town, found)
        ids |= found
    assert len(ids) == 1


FIRED_ON = """\
On 7 September, fighters of Hay'at Tahrir al-Sham opened fire on demonstrators in the centre of \
Idlib city, wounding two of them, witnesses said.
"""


def test_armed_group_opening_fire_on_protesters() -> None:
    claim = only(run(FIRED_ON, "2019-09-13"))
    assert claim.event_type in ("excessive_force_against_protesters", "protest_with_intervention")
    assert claim.date_start == "2019-09-07"
    assert "hts" in {p.id for p in claim.perpetrators}
    assert need(claim, "injured").low == 2


# -- seed 000: threats against named activists ----------------------------------------------------

THREATS = """\
Women activists in Idlib say threats will not stop them

Idlib - Activist Hala Darwish, who runs literacy classes for displaced women, said she has \
received threats from members of an armed group because of her work. "They want us to stay at \
home," said activist Nisreen Omari, who has also been threatened. Both now teach online.
"""


def test_threats_hold_named_activists_as_sensitive_persons() -> None:
    claims = run(THREATS, "2023-03-08")
    threat = [c for c in claims if c.event_type == "threat"]
    assert threat, [(c.event_type, c.evidence.text[:60]) for c in claims]
    names = {p.name for c in threat for p in c.persons}
    assert {"Hala Darwish", "Nisreen Omari"} <= names
    for c in threat:
        assert not any(x.category in ("killed", "injured") for x in c.counts)
        for p in c.persons:
            assert p.evidence.text == p.name


# -- examples/reports against the answer key in examples/README.md --------------------------------


def read(name: str) -> tuple[str, DocumentMeta]:
    docs = [d for d in parse_file(EXAMPLES / name, max_bytes=1_000_000)]
    assert len(docs) == 1 and isinstance(docs[0], NewDocument), docs
    doc = docs[0]
    published = doc.published[:10] if doc.published else None
    return doc.text, DocumentMeta(published=published, language="en")


# Reports whose displacement total is a claim of its own next to the casualty total.
FLIGHT_OVER_THE_PERIOD = {"2023-10-25-ngo-statement-period-totals.md"}

# file, event type, scope, date_start, {(category, group): (low, high)} (None: do not check)
Expected = dict[tuple[str, str], tuple[int | None, int | None]]
KEY: list[tuple[str, str | None, str, str, Expected]] = [
    ("2023-10-06-ariha-market-outlet-a.md", "air_strike", "incident", "2023-10-06",
     {("killed", "civilians"): (7, 7), ("injured", "all"): (15, 15)}),
    ("2023-10-06-ariha-market-outlet-b.md", "air_strike", "incident", "2023-10-06",
     {("killed", "all"): (8, None), ("killed", "children"): (3, 3),
      ("injured", "all"): (21, None)}),
    ("2023-10-07-ariha-market-outlet-c.md", "air_strike", "incident", "2023-10-06",
     {("killed", "civilians"): (10, 10), ("killed", "women"): (2, 2),
      ("injured", "all"): (22, 22)}),
    ("2023-10-07-ariha-market-syndicated.md", "air_strike", "incident", "2023-10-06",
     {("killed", "civilians"): (10, 10), ("killed", "women"): (2, 2),
      ("injured", "all"): (22, 22)}),
    ("2023-10-09-kansafra-airstrike.md", "air_strike", "incident", "2023-10-09",
     {("killed", "civilians"): (3, 3), ("injured", "all"): (4, 4)}),
    ("2023-10-09-al-bara-airstrike.md", "air_strike", "incident", "2023-10-09",
     {("killed", "civilians"): (5, 5), ("injured", "all"): (2, 2)}),
    ("2023-10-10-civil-defence-daily-tally.md", None, "aggregate", "2023-10-10",
     {("strikes", "all"): (14, 14), ("places_targeted", "all"): (9, 9),
      ("killed", "civilians"): (5, 5), ("killed", "children"): (2, 2),
      # "5 civilians killed ... and 17 injured": the bare figure counts the same civilians
      ("injured", "civilians"): (17, 17), ("injured", "women"): (4, 4)}),
    ("2023-10-11-darat-izza-shelling-government.md", "shelling", "incident", "2023-10-11",
     {("killed", "civilians"): (4, 4), ("injured", "civilians"): (9, None)}),
    ("2023-10-11-darat-izza-shelling-hts.md", "shelling", "incident", "2023-10-11",
     {("killed", "all"): (3, 5)}),
    ("2023-10-13-binnish-strike-women-children.md", "air_strike", "incident", "2023-10-12",
     {("killed", "civilians"): (6, 6), ("killed", "children"): (3, 3),
      ("killed", "women"): (2, 2), ("injured", "all"): (9, 9)}),
    ("2023-10-13-maarat-misrin-protest-wire.md", "peaceful_protest", "incident", "2023-10-13",
     {("crowd_size", "all"): (200, None)}),
    ("2023-10-13-maarat-misrin-protest-whatsapp.md", "peaceful_protest", "incident", "2023-10-13",
     {("crowd_size", "all"): (1500, 1500)}),
    ("2023-10-14-maarat-misrin-protest-monitor.md", "peaceful_protest", "incident", "2023-10-13",
     {("crowd_size", "all"): (2000, 2000)}),
    ("2023-10-16-atarib-drone-car.txt", None, "incident", "2023-10-16",
     {("killed", "men"): (1, 1)}),
    ("2023-10-18-jisr-al-shughur-school-strike.html", "shelling", "incident", "2023-10-18",
     {("killed", "all"): (0, 0), ("injured", "all"): (0, 0)}),
    ("2023-10-18-sarmada-activists-threats-restricted.md", "arrest", "incident", "2023-10-16", {}),
    ("2023-10-21-al-bab-market-explosion.md", "remote_explosive", "incident", "2023-10-21",
     {("killed", "civilians"): (2, 2), ("injured", "all"): (9, 9)}),
    ("2023-10-25-ngo-statement-period-totals.md", None, "aggregate", "2023-10-05",
     {("killed", "civilians"): (61, None), ("killed", "children"): (21, None),
      ("injured", "all"): (281, None), ("displaced", "all"): (120001, None)}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "event_type", "scope", "day", "counts"), KEY, ids=[k[0] for k in KEY]
)
def test_examples_match_the_answer_key(
    name: str,
    event_type: str | None,
    scope: str,
    day: str,
    counts: Expected,
) -> None:
    text, meta = read(name)
    claims = run(text, meta.published or "")
    if name in FLIGHT_OVER_THE_PERIOD:
        # the flight is a displacement total of its own, over the same period as the killings
        claim, flight = claims
        assert (flight.event_type, flight.scope) == ("displacement", "aggregate")
        assert (flight.date_start, flight.date_end) == (claim.date_start, claim.date_end)
        claim = replace(claim, counts=claim.counts + flight.counts)
    else:
        claim = only(claims)
    if event_type is not None:
        assert claim.event_type == event_type
    assert claim.scope == scope
    assert claim.date_start == day
    for (category, group), (low, high) in counts.items():
        found = need(claim, category, group)
        assert (found.low, found.high) == (low, high), (category, group)
    # every piece of evidence points at the words it came from
    for c in claim.counts:
        assert text[c.evidence.start : c.evidence.end] == c.evidence.text


def test_no_script_figures_and_a_school_hit() -> None:
    text, meta = read("2023-10-18-jisr-al-shughur-school-strike.html")
    claim = only(run(text, meta.published or ""))
    assert not any(c.low in (99, 12) for c in claim.counts)
    assert "school" in {f.type for f in claim.facilities}
    assert "rocket" in {w.type for w in claim.weapons}


def test_unconfirmed_upper_bound_stays_with_the_incident() -> None:
    text, meta = read("2023-10-21-al-bab-market-explosion.md")
    claim = only(run(text, meta.published or ""))
    bounds = [c for c in claim.counts if c.category == "injured" and c.qualifier == "up_to"]
    assert [(c.low, c.high) for c in bounds] == [(None, 12)]


def test_detention_names_the_activists() -> None:
    text, meta = read("2023-10-18-sarmada-activists-threats-restricted.md")
    claim = only(run(text, meta.published or ""))
    assert {"Lamis Haddour", "Ruwaida Kanaan", "Yara Shamdin"} <= {p.name for p in claim.persons}
    assert "hts" in {p.id for p in claim.perpetrators}
    assert not any(c.category in ("killed", "injured") for c in claim.counts)


def test_period_statement_facilities_by_type() -> None:
    text, meta = read("2023-10-25-ngo-statement-period-totals.md")
    claim = run(text, meta.published or "")[0]
    assert claim.date_end == "2023-10-25"
    by_type = {f.type: f.count for f in claim.facilities}
    assert by_type.get("school") == 11 and by_type.get("medical") == 6
    assert by_type.get("civil_defence") == 4 and by_type.get("mosque") == 9
    assert by_type.get("displacement_camp") == 7
    assert "cluster_munition" in {w.type for w in claim.weapons}
