"""The claim schema: what the extraction engine produces and every later layer consumes.

A *claim* is one source's statement about one event (scope ``incident``) or about a total over a
period and area (scope ``aggregate``). Every value carries the evidence span it was read from, as
character offsets into the document text, so any published figure can be traced back to words.

These are plain dataclasses (no database, no web) so the engine stays pure and fast. The field names
are the public contract documented in ``docs/schema.md``; change them only with a version bump.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

SCHEMA_VERSION = 1

Sensitivity = Literal["public", "internal", "restricted"]
SENSITIVITY_LEVELS: tuple[Sensitivity, ...] = ("public", "internal", "restricted")

Scope = Literal["incident", "aggregate"]

EVENT_TYPES: tuple[str, ...] = (
    "air_strike",
    "shelling",
    "armed_clash",
    "government_regains_territory",
    "non_state_overtakes_territory",
    "remote_explosive",
    "suicide_bomb",
    "chemical_weapon",
    "grenade",
    "attack",
    "abduction",
    "sexual_violence",
    "arrest",
    "peaceful_protest",
    "protest_with_intervention",
    "excessive_force_against_protesters",
    "violent_demonstration",
    "mob_violence",
    "threat",
    "displacement",
    "agreement",
    "change_to_group_activity",
    "disrupted_weapons_use",
    "headquarters_established",
    "looting_property_destruction",
    "non_violent_territory_transfer",
    "strategic_development",
)

# ACLED sub-event type names for our event types; None where ACLED has none (a threat, people
# fleeing: neither is an event in ACLED's codebook).
ACLED_SUB_EVENT_TYPES: dict[str, str | None] = {
    "air_strike": "Air/drone strike",
    "shelling": "Shelling/artillery/missile attack",
    "armed_clash": "Armed clash",
    "government_regains_territory": "Government regains territory",
    "non_state_overtakes_territory": "Non-state actor overtakes territory",
    # stored data from before captures were split by who gains (no longer produced)
    "territory_change": "Government regains territory",
    "remote_explosive": "Remote explosive/landmine/IED",
    "suicide_bomb": "Suicide bomb",
    "chemical_weapon": "Chemical weapon",
    "grenade": "Grenade",
    "attack": "Attack",
    "abduction": "Abduction/forced disappearance",
    "sexual_violence": "Sexual violence",
    "arrest": "Arrests",
    "peaceful_protest": "Peaceful protest",
    "protest_with_intervention": "Protest with intervention",
    "excessive_force_against_protesters": "Excessive force against protesters",
    "violent_demonstration": "Violent demonstration",
    "mob_violence": "Mob violence",
    "threat": None,
    "displacement": None,
    "agreement": "Agreement",
    "change_to_group_activity": "Change to group/activity",
    "disrupted_weapons_use": "Disrupted weapons use",
    "headquarters_established": "Headquarters or base established",
    "looting_property_destruction": "Looting/property destruction",
    "non_violent_territory_transfer": "Non-violent transfer of territory",
    "strategic_development": "Other",
}

# Event families: types in one family may describe the same happening (used by resolution).
EVENT_FAMILIES: dict[str, str] = {
    "air_strike": "remote_violence",
    "shelling": "remote_violence",
    "remote_explosive": "remote_violence",
    "suicide_bomb": "remote_violence",
    "chemical_weapon": "remote_violence",
    "grenade": "remote_violence",
    "armed_clash": "battle",
    "government_regains_territory": "battle",
    "non_state_overtakes_territory": "battle",
    "territory_change": "battle",  # stored data from before the split
    "attack": "violence_against_civilians",
    "abduction": "violence_against_civilians",
    "sexual_violence": "violence_against_civilians",
    "arrest": "violence_against_civilians",
    "threat": "violence_against_civilians",
    "peaceful_protest": "protest",
    "protest_with_intervention": "protest",
    "excessive_force_against_protesters": "protest",
    "violent_demonstration": "protest",
    "mob_violence": "violence_against_civilians",
    "displacement": "strategic",
    "agreement": "strategic",
    "change_to_group_activity": "strategic",
    "disrupted_weapons_use": "strategic",
    "headquarters_established": "strategic",
    "looting_property_destruction": "strategic",
    # a side that withdraws hands over what the other side captures: the same happening
    "non_violent_territory_transfer": "battle",
    "strategic_development": "strategic",
}

DatePrecision = int
"""UCDP ``date_prec`` codes: 1 exact day; 2 within 2-6 days; 3 week known; 4 month known
(8-30 days); 5 longer than a month."""

PlacePrecision = Literal[
    "exact", "near", "subdistrict", "district", "governorate", "region", "country"
]
PLACE_PRECISIONS: tuple[str, ...] = (
    "exact",
    "near",
    "subdistrict",
    "district",
    "governorate",
    "region",
    "country",
)
# UCDP ``where_prec`` for each of our place precisions (ACLED geo_precision is derived from it).
UCDP_WHERE_PREC: dict[str, int] = {
    "exact": 1,
    "near": 2,
    "subdistrict": 3,
    "district": 3,
    "governorate": 4,
    "region": 5,
    "country": 6,
}

ActorType = Literal[
    "state_forces",
    "foreign_state_forces",
    "militia",
    "non_state_armed_group",
    "civilians",
    "protesters",
    "rescue_workers",
    "journalists",
    "activists",
    "unknown",
]

COUNT_CATEGORIES: tuple[str, ...] = (
    "killed",
    "injured",
    "missing",
    "displaced",
    "detained",
    "strikes",
    "places_targeted",
    "facilities_hit",
    "crowd_size",
    # "killed and injured 8 people": one figure for both harms, never split by guess
    "casualties",
)
VICTIM_GROUPS: tuple[str, ...] = (
    "all",
    "civilians",
    "children",
    "women",
    "men",
    "combatants",
    "rescue_workers",
)
QUALIFIERS: tuple[str, ...] = (
    "exact",
    "at_least",
    "over",
    "about",
    "nearly",
    "up_to",
    "vague",
)
# A report that counts only civilians ("killing 7 civilians") gives its reading of the total:
# the groups a total is read from, in order.
TOTAL_GROUPS: tuple[str, ...] = ("all", "civilians")


def groups_read_as(group: str) -> tuple[str, ...]:
    """The victim groups whose counts give a figure for ``group``, the first found winning."""
    return TOTAL_GROUPS if group == TOTAL_GROUPS[0] else (group,)


def stated_number(count: dict[str, Any]) -> tuple[str, dict[str, int | None]]:
    """A count's figure as its source stated it: the qualifier's form and the number(s) in it.

    A count holds the range its words imply, so the stated number is the bound the qualifier
    pins: "over 60" is low 61, "nearly 100" is 90..99 and "up to 10" is high 10; an exact
    reading with two ends is a range ("8 to 10")."""
    qualifier = str(count.get("qualifier") or "exact")
    low, high = count.get("low"), count.get("high")
    if qualifier == "over" and low is not None:
        return qualifier, {"n": low - 1}
    if qualifier == "nearly" and high is not None:
        return qualifier, {"n": high + 1}
    if qualifier == "up_to" and high is not None:
        return qualifier, {"n": high}
    if low is not None and high is not None and high != low and qualifier == "exact":
        return "range", {"low": low, "high": high}
    return qualifier, {"n": low if low is not None else high}


WEAPONS: tuple[str, ...] = (
    "air_dropped_bomb",
    "barrel_bomb",
    "cluster_munition",
    "artillery",
    "rocket",
    "missile",
    "drone",
    "chemical",
    "explosive_device",
    "car_bomb",
    "gunfire",
    "incendiary",
)
FACILITY_TYPES: tuple[str, ...] = (
    "school",
    "medical",
    "civil_defence",
    "mosque",
    "market",
    "bakery",
    "displacement_camp",
    "water_station",
    "power_station",
    "residential_building",
)


@dataclass(frozen=True, slots=True)
class Span:
    """Evidence: ``text == document_text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(slots=True)
class PlaceRef:
    name: str
    precision: str  # one of PLACE_PRECISIONS
    evidence: Span
    gazetteer_id: str | None = None
    kind: str | None = None  # city, town, village, neighbourhood, admin1, admin2, admin3, region
    admin1: str | None = None
    admin1_pcode: str | None = None
    admin2: str | None = None
    admin2_pcode: str | None = None
    admin3: str | None = None
    admin3_pcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    admin4_pcode: str | None = None  # the OCHA community (C-code), for a settlement
    # why the gazetteer chose this place, as codes joined by "+" (PLACE_REASONS)
    reason: str | None = None
    confidence: float | None = None  # how sure that choice is, 0 to 1


# Why the gazetteer chose a place for a mention (PlaceRef.reason, codes joined by "+"): the only
# place of that name, or of several the one in a governorate named within a few sentences, in a
# governorate the text names, nearest to the text's other places, spelled as written, or the
# largest; "consonants": no spelling folds alike and the name was matched by its consonants;
# "vouched_by_governorate": the name is also a common word or given name, kept because a place
# of its governorate stands near it; "after_place_word": such a name after "village of", "near".
PLACE_REASONS: tuple[str, ...] = (
    "only_candidate",
    "governorate_nearby",
    "governorate_in_text",
    "nearest_to_other_places",
    "spelled_as_written",
    "largest",
    "consonants",
    "vouched_by_governorate",
    "after_place_word",
)


# Why a name look-up (Gazetteer.rank_name) ranks a candidate where it does: its spelling as
# written, a folded spelling alike, or only its consonants alike; within the governorate asked
# for; of the kind a trailing word asked for ("X district").
NAME_MATCH_REASONS: tuple[str, ...] = (
    "spelled_as_written",
    "folds_alike",
    "consonants",
    "in_admin1",
    "kind_asked",
)


# Who says an actor did it (ActorRef.attribution).
ATTRIBUTIONS: tuple[str, ...] = ("stated", "alleged", "claimed_by_perpetrator", "denied")


@dataclass(slots=True)
class ActorRef:
    id: str  # canonical actor id from the language pack, e.g. "sy_gov_forces"
    name: str  # canonical display name
    type: str  # one of ActorType
    evidence: Span
    # who says so (one of ATTRIBUTIONS): the report itself ("stated"), someone's allegation
    # ("alleged": "reportedly", "accused X of", "blamed on"), the actor's own claim
    # ("claimed_by_perpetrator": "X claimed responsibility") or the actor's denial ("denied")
    attribution: str = "stated"


@dataclass(slots=True)
class WeaponRef:
    type: str  # one of WEAPONS
    evidence: Span


@dataclass(slots=True)
class FacilityRef:
    type: str  # one of FACILITY_TYPES
    evidence: Span
    count: int | None = None


@dataclass(slots=True)
class Count:
    """A reported number: ``low``..``high`` with how the source qualified it.

    "over 60" -> low 61, high None, qualifier "over"; "dozens" -> low 24, high None, "vague";
    a figure computed from another ("one-third of whom are children") has ``derived=True``.
    ``part_of`` is the index (in the claim's ``counts``) of the count this one is a subset of,
    and ``perpetrator`` an actor id when the sub-count names its own ("19 of which by Russia").
    """

    category: str  # one of COUNT_CATEGORIES
    low: int | None
    high: int | None
    qualifier: str  # one of QUALIFIERS
    evidence: Span
    group: str = "all"  # one of VICTIM_GROUPS
    derived: bool = False
    part_of: int | None = None
    perpetrator: str | None = None


@dataclass(slots=True)
class OrgRef:
    name: str  # canonical organisation name
    evidence: Span
    id: str | None = None


@dataclass(slots=True)
class PersonMention:
    """A named individual. Always sensitive: never published unless an analyst clears it."""

    name: str
    evidence: Span
    role: str = "unknown"  # victim, witness, activist, defender, official, journalist, unknown


@dataclass(slots=True)
class Claim:
    scope: str  # "incident" or "aggregate"
    event_type: str  # one of EVENT_TYPES
    evidence: Span  # the passage (sentence or sentences) the claim was assembled from
    acled_sub_event_type: str | None = None
    date_start: str | None = None  # ISO date
    date_end: str | None = None  # ISO date, inclusive
    date_precision: int | None = None  # UCDP date_prec, 1..5
    date_evidence: Span | None = None
    places: list[PlaceRef] = field(default_factory=list)
    perpetrators: list[ActorRef] = field(default_factory=list)
    targets: list[ActorRef] = field(default_factory=list)
    weapons: list[WeaponRef] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    facilities: list[FacilityRef] = field(default_factory=list)
    reported_by: list[OrgRef] = field(default_factory=list)
    persons: list[PersonMention] = field(default_factory=list)
    event_type_evidence: Span | None = None
    confidence: float = 0.5

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def total(self, category: str) -> Count | None:
        """The claim's total for ``category``: its count for all, else for civilians."""
        for group in TOTAL_GROUPS:
            found = self.count(category, group)
            if found is not None:
                return found
        return None

    def count(self, category: str, group: str = "all") -> Count | None:
        """The first count of ``category`` for ``group`` that is not a sub-count, if any."""
        for c in self.counts:
            if c.category == category and c.group == group and c.part_of is None:
                return c
        for c in self.counts:
            if c.category == category and c.group == group:
                return c
        return None


def _span(d: dict[str, Any] | None) -> Span | None:
    return Span(int(d["start"]), int(d["end"]), str(d["text"])) if d else None


def _actor(a: dict[str, Any]) -> ActorRef:
    """An ActorRef from its dict; claims stored before ``attribution`` existed read "stated"."""
    evidence = _span(a["evidence"])
    assert evidence is not None
    return ActorRef(
        str(a["id"]),
        str(a["name"]),
        str(a["type"]),
        evidence,
        str(a.get("attribution") or "stated"),
    )


def claim_from_dict(d: dict[str, Any]) -> Claim:
    """Inverse of :meth:`Claim.to_dict` (used by the store and the JSON Lines reader)."""

    def span(x: dict[str, Any]) -> Span:
        s = _span(x)
        assert s is not None
        return s

    return Claim(
        scope=d["scope"],
        event_type=d["event_type"],
        evidence=span(d["evidence"]),
        acled_sub_event_type=d.get("acled_sub_event_type"),
        date_start=d.get("date_start"),
        date_end=d.get("date_end"),
        date_precision=d.get("date_precision"),
        date_evidence=_span(d.get("date_evidence")),
        places=[PlaceRef(**{**p, "evidence": span(p["evidence"])}) for p in d.get("places", [])],
        perpetrators=[_actor(a) for a in d.get("perpetrators", [])],
        targets=[_actor(a) for a in d.get("targets", [])],
        weapons=[WeaponRef(**{**w, "evidence": span(w["evidence"])}) for w in d.get("weapons", [])],
        counts=[Count(**{**c, "evidence": span(c["evidence"])}) for c in d.get("counts", [])],
        facilities=[
            FacilityRef(**{**f, "evidence": span(f["evidence"])}) for f in d.get("facilities", [])
        ],
        reported_by=[
            OrgRef(**{**o, "evidence": span(o["evidence"])}) for o in d.get("reported_by", [])
        ],
        persons=[
            PersonMention(**{**p, "evidence": span(p["evidence"])}) for p in d.get("persons", [])
        ],
        event_type_evidence=_span(d.get("event_type_evidence")),
        confidence=float(d.get("confidence", 0.5)),
    )


@dataclass(slots=True)
class DocumentMeta:
    """What the engine may know about a document besides its text."""

    published: str | None = None  # ISO date; anchors relative dates ("yesterday")
    language: str = "en"
    title: str | None = None
    source: str | None = None


def parse_iso_date(value: str | None) -> date | None:
    """The calendar day of an ISO date or datetime string (a claim's dates, a document's
    publication date); None when absent or unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
