"""From a group of claims to an incident record: figures, independence, grade, disagreements.

The rules are written out in ``docs/methodology.md``; in short:

* **Figures** (killed, injured and their breakdowns) are ``low``/``best``/``high``. Each outlet's
  latest report counts once. ``low`` is the larger of the smallest stated figure and the largest
  stated floor ("at least 8" is a floor), so an early "7" is superseded by a later "at least 8";
  ``high`` is the largest figure reported; ``best`` is the median (lower middle) of the
  independent sources' figures, kept within ``low``..``high``. Low and best use credible sources
  only (credibility at least :data:`CREDIBLE`); every claim's reading is kept in ``values``.
  A report that counts only civilians ("killing 7 civilians") gives its reading of the total.
* **Independence.** Reports from one outlet are one source; reports whose document texts are
  near-identical (a syndicated wire story) are one source.
* **Grade.** ``confirmed`` when a party to the incident acknowledges it; ``contested`` when
  independent sources blame different parties (disjoint perpetrators, or first-named parties on
  opposite sides; battles excepted) or disagree on whether civilians were harmed;
  ``fair`` with two or more independent credible sources; else ``weak``. ``discounted`` is only
  ever set by an analyst.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from marsad.contract.claim import ACLED_SUB_EVENT_TYPES, SENSITIVITY_LEVELS, groups_read_as
from marsad.contract.incident import Actor, Figure, IncidentView, SourceView
from marsad.resolve.records import ClaimRecord

CREDIBLE = 0.5
NEAR_DUPLICATE_RATIO = 85.0  # rapidfuzz ratio (0..100) above which two texts are one story
# Texts shorter than this (normalised) are too short to tell a copy from a coincidence.
MIN_DUPLICATE_CHARS = 60
_TEXT_CHARS = 1500
BREAKDOWN_GROUPS: tuple[str, ...] = (
    "civilians",
    "children",
    "women",
    "men",
    "rescue_workers",
    "combatants",
)
FIGURE_CATEGORIES: tuple[str, ...] = ("killed", "injured")
FIGURE_NAMES: tuple[tuple[str, str, str], ...] = tuple(
    (cat if group == "all" else f"{cat}_{group}", cat, group)
    for cat in FIGURE_CATEGORIES
    for group in ("all", *BREAKDOWN_GROUPS)
)
_CIVILIAN_GROUPS = frozenset({"civilians", "children", "women", "rescue_workers"})
_WORDS = re.compile(r"\w+")


def normalise_text(text: str) -> str:
    """Lower-cased words only, first characters: enough to recognise a copied story."""
    return " ".join(_WORDS.findall(text.lower()))[:_TEXT_CHARS]


def outlet_key(r: ClaimRecord) -> str:
    """One outlet is one source, however many reports it published."""
    return r.outlet


def independent_groups(
    members: Sequence[ClaimRecord], texts: Mapping[str, str] | None = None
) -> dict[str, int]:
    """Outlet key -> independent group number. Outlets whose documents are near-duplicates
    (syndicated copies of one story) share a group."""
    outlets: dict[str, list[str]] = {}
    for r in members:
        body = (texts or {}).get(r.document_id or "", "") or r.text
        outlets.setdefault(outlet_key(r), [])
        norm = normalise_text(body)
        if len(norm) >= MIN_DUPLICATE_CHARS and norm not in outlets[outlet_key(r)]:
            outlets[outlet_key(r)].append(norm)
    keys = sorted(outlets)
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if find(a) == find(b):
                continue
            if any(
                fuzz.ratio(x, y, score_cutoff=NEAR_DUPLICATE_RATIO)
                for x in outlets[a]
                for y in outlets[b]
            ):
                parent[find(b)] = find(a)
    roots: dict[str, int] = {}
    return {k: roots.setdefault(find(k), len(roots)) for k in keys}


def _reading(r: ClaimRecord, category: str, group: str) -> tuple[int | None, int | None, str, bool]:
    found = None
    for cat, grp, low, high, qualifier, derived in r.counts:
        if cat == category and grp == group:
            if not derived:
                return low, high, qualifier, derived
            found = found or (low, high, qualifier, derived)
    return found if found is not None else (None, None, "", False)


def point_value(low: int | None, high: int | None, qualifier: str) -> int | None:
    """One number for a reading: the stated figure ("nearly 100" -> 99, a range -> its middle)."""
    if low is None:
        return high
    if high is None or high == low:
        return low
    if qualifier == "nearly":
        return high
    return (low + high) // 2


def compute_figure(
    members: Sequence[ClaimRecord], category: str, group: str, groups: Mapping[str, int]
) -> Figure | None:
    """low/best/high for one figure by the written rule (see the module docstring)."""
    values: list[dict[str, Any]] = []
    latest: dict[str, tuple[tuple[int, int], ClaimRecord, int | None, int | None, str]] = {}
    for r in members:
        for read_group in groups_read_as(group):
            low, high, qualifier, derived = _reading(r, category, read_group)
            if low is not None or high is not None:
                break
        else:
            continue
        values.append(
            {
                "claim_id": r.id,
                "document_id": r.document_id,
                "source": r.source,
                "low": low,
                "high": high,
                "qualifier": qualifier,
                "derived": derived,
                "group": read_group,
                "published": date.fromordinal(r.published).isoformat() if r.published else None,
            }
        )
        key = outlet_key(r)
        order = (r.published or 0, r.id)
        if key not in latest or order > latest[key][0]:
            latest[key] = (order, r, low, high, qualifier)
    if not values:
        return None
    readings = list(latest.values())
    credible = [x for x in readings if x[1].credibility >= CREDIBLE] or readings
    closed = [lo for _, _, lo, hi, _ in credible if lo is not None and hi is not None]
    floors = [lo for _, _, lo, hi, _ in credible if lo is not None and hi is None]
    lows = ([min(closed)] if closed else []) + ([max(floors)] if floors else [])
    low = max(lows) if lows else None
    highs = [hi if hi is not None else lo for _, _, lo, hi, _ in readings]
    high = max(h for h in highs if h is not None)
    if low is not None and high < low:
        high = low
    # best: one figure per independent group (its latest credible reading), lower median
    per_group: dict[int, tuple[tuple[int, int], int]] = {}
    for order, r, lo, hi, qualifier in credible:
        p = point_value(lo, hi, qualifier)
        if p is None:
            continue
        g = groups.get(outlet_key(r), -1)
        if g not in per_group or order > per_group[g][0]:
            per_group[g] = (order, p)
    points = sorted(p for _, p in per_group.values())
    best = points[(len(points) - 1) // 2] if points else None
    if best is not None:
        if low is not None:
            best = max(best, low)
        best = min(best, high)
    values.sort(key=lambda v: (v["published"] or "", v["claim_id"]))
    return Figure(low=low, best=best, high=high, values=values)


def _label(r: ClaimRecord) -> str:
    return r.source or r.dataset or (r.document_id or "")[:12] or f"claim {r.id}"


def disagreements_and_grade(
    members: Sequence[ClaimRecord], groups: Mapping[str, int], figures: Mapping[str, Figure]
) -> tuple[str, list[str]]:
    notes: list[str] = []
    contested = False
    # perpetrators: independent sources blaming different parties. A battle has two sides by
    # nature, so only one-sided events (strikes, attacks) are checked.
    named: dict[int, tuple[frozenset[str], str, str, tuple[str, str, str]]] = {}
    for r in members:
        if r.perpetrators and r.family != "battle":
            g = groups.get(outlet_key(r), -1)
            names = ", ".join(dict.fromkeys(p[1] for p in r.perpetrators))
            named.setdefault(g, (r.perpetrator_ids, _label(r), names, r.perpetrators[0]))
    sets = list(named.values())
    for i, (a, la, na, pa) in enumerate(sets):
        for b, lb, nb, pb in sets[i + 1 :]:
            disjoint = not a & b
            # the party each source names first, on opposite sides (state / non-state)
            opposed = pa[0] != pb[0] and _side(pa[2]) != _side(pb[2])
            if disjoint or opposed:
                contested = True
                notes.append(f"perpetrator: {la} says {na}; {lb} says {nb}")
    # civilian harm: one source reports civilians harmed, another only combatants
    harmed = [r for r in members if _civilians_harmed(r)]
    denied = [r for r in members if _only_combatants(r)]
    if harmed and denied:
        contested = True
        notes.append(
            f"civilian harm: {_label(harmed[0])} reports civilians harmed; "
            f"{_label(denied[0])} reports only combatants"
        )
    for name in ("killed", "injured"):
        f = figures.get(name)
        if f is not None and f.values:
            lows = {(v["low"], v["high"]) for v in f.values}
            if len(lows) > 1 and f.low != f.high:
                notes.append(f"{name}: sources report {f.low}-{f.high} (best {f.best})")
    reporters = {x for r in members for x in r.reported_by}
    acknowledged = bool(reporters) and any(
        p[0].lower() in reporters or p[1].lower() in reporters
        for r in members
        for p in r.perpetrators
    )
    independent_credible = len(
        {groups.get(outlet_key(r), -1) for r in members if r.credibility >= CREDIBLE}
    )
    if acknowledged:
        grade = "confirmed"
    elif contested:
        grade = "contested"
    elif independent_credible >= 2:
        grade = "fair"
    else:
        grade = "weak"
    return grade, notes


_STATE_SIDE = frozenset({"state_forces", "foreign_state_forces"})


def _side(actor_type: str) -> str:
    return "state" if actor_type in _STATE_SIDE else "non-state"


def _civilians_harmed(r: ClaimRecord) -> bool:
    return any(
        grp in _CIVILIAN_GROUPS and cat in ("killed", "injured") and (low or high or 0) > 0
        for cat, grp, low, high, _q, _d in r.counts
    )


def _only_combatants(r: ClaimRecord) -> bool:
    comb = [c for c in r.counts if c[0] == "killed" and c[1] == "combatants"]
    return bool(comb) and not _civilians_harmed(r)


def _most_restrictive(levels: Iterable[str]) -> str:
    ranks = [SENSITIVITY_LEVELS.index(x) for x in levels if x in SENSITIVITY_LEVELS]
    return SENSITIVITY_LEVELS[max(ranks)] if ranks else "internal"


def build_incident(
    members: Sequence[ClaimRecord],
    anchor: ClaimRecord | None = None,
    *,
    texts: Mapping[str, str] | None = None,
    incident_id: int | None = None,
    notes: Sequence[str] = (),
) -> IncidentView:
    """The incident record for a group of claims (pure; the store is not touched)."""
    if not members:
        raise ValueError("an incident needs at least one claim")
    members = sorted(members, key=lambda r: r.id)
    anchor = anchor or members[0]
    types = Counter(r.event_type for r in members)
    top = max(types.values())
    event_type = (
        anchor.event_type if types[anchor.event_type] == top else types.most_common(1)[0][0]
    )
    # date: the interval every claim allows, else the anchor's
    dated = [r for r in members if r.day_lo is not None and r.day_hi is not None]
    lo = hi = None
    precision = anchor.date_precision
    if dated:
        lo = max(r.day_lo for r in dated if r.day_lo is not None)
        hi = min(r.day_hi for r in dated if r.day_hi is not None)
        if lo > hi:
            lo, hi = anchor.day_lo, anchor.day_hi
        precision = 1 if lo is not None and lo == hi else min(r.date_precision for r in dated)
    place = anchor.place
    groups = independent_groups(members, texts)
    figures: dict[str, Figure] = {}
    present = {(c[0], c[1]) for r in members for c in r.counts}
    for name, cat, group in FIGURE_NAMES:
        if (cat, group) not in present and not (group == "all" and (cat, "civilians") in present):
            continue
        f = compute_figure(members, cat, group, groups)
        if f is not None:
            figures[name] = f
    grade, disagreements = disagreements_and_grade(members, groups, figures)
    perps: Counter[tuple[str, str, str]] = Counter(p for r in members for p in set(r.perpetrators))
    targets: Counter[tuple[str, str, str]] = Counter(t for r in members for t in set(r.targets))
    facilities: dict[str, int | None] = {}
    for r in members:
        for ftype, n in r.facilities:
            old = facilities.get(ftype)
            facilities[ftype] = n if old is None else (old if n is None else max(old, n))
    sources = [
        SourceView(
            document_id=r.document_id,
            claim_id=r.id,
            source=r.source,
            title=r.title,
            url=r.url,
            published=date.fromordinal(r.published).isoformat() if r.published else None,
            sensitivity=r.sensitivity,
            excerpt=r.text,
            dataset=r.dataset,
        )
        for r in members
    ]
    return IncidentView(
        id=incident_id,
        event_type=event_type,
        date_start=date.fromordinal(lo) if lo is not None else None,
        date_end=date.fromordinal(hi) if hi is not None else None,
        date_precision=precision,
        acled_sub_event_type=ACLED_SUB_EVENT_TYPES.get(event_type),
        place_name=place.name if place else None,
        place_precision=place.precision if place else None,
        admin1=place.admin1 if place else None,
        admin1_pcode=place.admin1_pcode if place else None,
        admin2=place.admin2 if place else None,
        admin2_pcode=place.admin2_pcode if place else None,
        admin3=place.admin3 if place else None,
        admin3_pcode=place.admin3_pcode if place else None,
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        perpetrators=[Actor(i, n, t) for (i, n, t), _ in perps.most_common()],
        targets=[Actor(i, n, t) for (i, n, t), _ in targets.most_common()],
        weapons=sorted({w for r in members for w in r.weapons}),
        facilities=facilities,
        figures=figures,
        grade=grade,
        source_count=len({outlet_key(r) for r in members}),
        independent_source_count=len(set(groups.values())),
        sources=sources,
        disagreements=[*disagreements, *notes],
        sensitivity=_most_restrictive(r.sensitivity for r in members),
    )
