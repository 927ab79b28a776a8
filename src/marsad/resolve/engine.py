"""Linking claims into incidents: blocking, pair scoring and anchored clustering. Pure: no SQL.

How a claim finds its incident (the rule is written out in ``docs/methodology.md``):

1. **Blocking.** Only incidents of a compatible event family (:func:`link_group`: an ``attack``
   of unstated means may be any remote violence) whose date interval overlaps the claim's are
   looked at, and among those only the ones nearby: incidents anchored on a precise place are
   indexed on a 0.1-degree grid, vaguer ones by governorate. A claim never meets the whole store.
2. **Compatibility and score.** Each candidate is compared with the claim on its *anchor* (the
   incident's most precise claim). No candidate when: the dates do not overlap (two stated days
   that differ are two days); both are dated only by their publication and were published on
   different days (unless the later one names the same place and an agreeing toll); the
   distance exceeds the larger of the two places' precision radii; or the event types cannot
   be one event. The score adds event type, place, date overlap, perpetrators, weapons,
   facilities, count compatibility and (to break near-ties) text similarity.
3. **Anchored clustering, not single-link.** A claim joins the best candidate scoring at least
   :data:`JOIN_SCORE`. Because every claim is compared with the anchor, not with whichever member
   is closest, a vague claim ("an air strike in Idlib") can never chain two different strikes
   together; a vague claim that fits several incidents about equally well stands alone rather
   than being guessed into one, and one that names only a governorate or a region (or no place)
   joins only where a toll agrees. Claims are linked month by month, precise places first
   within each month, so that anchors are precise.
4. **Order does not matter.** Every tie is broken on what the claims say
   (:func:`content_key`), never on arrival, and :meth:`Resolver.add` links every claim it was
   given so far again in one canonical order: the same claims give the same clusters in any
   order and however they were split into calls.
5. **Analysts decide last.** Merge decisions are must-link groups and split decisions cannot-link
   groups; they override scores.

The engine is incremental: :meth:`Resolver.add_existing` loads incidents already resolved (kept as
they are), and :meth:`Resolver.add` lets new claims join them or found new ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import count

from rapidfuzz import fuzz

from marsad.resolve.records import DATE_SLACK_DAYS, VAGUE_RANK, ClaimRecord, distance_km

GRID_DEGREES = 0.1
MAX_INDEX_DAYS = 45  # an interval longer than this is indexed on its first days only
JOIN_SCORE = 2.0
AMBIGUITY_MARGIN = 0.75

_WEIGHT_TYPE_SAME = 1.0
_WEIGHT_TYPE_FAMILY = 0.3
_WEIGHT_TYPE_GENERIC = 0.3

# A report that does not say how people were hurt ("an attack on the village") is typed
# ``attack``; other outlets tell the same event as an air strike, a shelling or a bombing. The
# generic type therefore links across the remote-violence family too, and both families are
# blocked together.
GENERIC_TYPES = frozenset({"attack"})
_LINK_GROUPS = {"remote_violence": "harm", "violence_against_civilians": "harm"}
_WEIGHT_PLACE = 1.5
_WEIGHT_PLACE_VAGUE = 0.3
_WEIGHT_DATE = 1.0
_WEIGHT_TEXT = 0.5

IndexKey = tuple[object, ...]


@dataclass(eq=False)
class Cluster:
    """One incident in the making. ``anchor`` is its most precise claim."""

    key: int
    members: list[ClaimRecord]
    anchor: ClaimRecord
    incident_id: int | None = None
    changed: bool = True
    notes: list[str] = field(default_factory=list)
    perpetrators: set[str] = field(default_factory=set)
    weapons: set[str] = field(default_factory=set)
    facilities: set[str] = field(default_factory=set)
    killed_min: int | None = None
    killed_max: int | None = None
    split_tags: dict[int, int] = field(default_factory=dict)  # split decision -> group
    retired: list[int] = field(default_factory=list)  # incident ids merged into this one
    alive: bool = True

    @property
    def claim_ids(self) -> list[int]:
        return sorted(m.id for m in self.members)

    def absorb(self, r: ClaimRecord) -> None:
        self.perpetrators.update(r.perpetrator_ids)
        self.weapons.update(r.weapons)
        self.facilities.update(r.facility_types)
        point = r.killed_point
        if point is not None:
            self.killed_min = point if self.killed_min is None else min(self.killed_min, point)
            self.killed_max = point if self.killed_max is None else max(self.killed_max, point)


@dataclass(frozen=True)
class _Snapshot:
    """A cluster as it stood before :meth:`Resolver.add` first linked new claims."""

    members: tuple[ClaimRecord, ...]
    anchor: ClaimRecord
    incident_id: int | None
    changed: bool
    notes: tuple[str, ...]
    retired: tuple[int, ...]

    @classmethod
    def of(cls, c: Cluster) -> _Snapshot:
        return cls(
            tuple(c.members), c.anchor, c.incident_id, c.changed, tuple(c.notes), tuple(c.retired)
        )


PROCESS_WINDOW_DAYS = 30


def content_key(r: ClaimRecord) -> tuple[object, ...]:
    """What a claim says, as a sortable key: the tie-break wherever two claims would otherwise
    be taken in the order they arrived. Store ids follow arrival, so breaking ties on them made
    the same claims, arriving in another order, give other incidents."""
    return (
        r.event_type,
        r.place_key or "",
        r.killed_point if r.killed_point is not None else -1,
        r.published if r.published is not None else -1,
        r.source or "",
        r.dataset or "",
        r.text,
        r.document_id or "",
        r.id,
    )


def process_order(r: ClaimRecord) -> tuple[object, ...]:
    """The order new claims are linked in: month by month (so the incidents being extended stay
    few and in cache), and within a month precise places first, then precise dates, so that
    anchors are precise before vague reports are placed; ties by what the claim says."""
    if r.day_lo is None:
        return (1 << 40, 1, 9, 0, content_key(r))
    return (
        r.day_lo // PROCESS_WINDOW_DAYS,
        0 if r.precise else 1,
        r.date_precision,
        r.day_lo,
        content_key(r),
    )


def anchor_rank(r: ClaimRecord) -> tuple[object, ...]:
    """Lower is a better anchor: precise place, then precise date, then narrow interval."""
    width = (r.day_hi - r.day_lo) if r.day_lo is not None and r.day_hi is not None else 10_000
    place = r.place_rank if r.lat is not None else r.place_rank + 10
    return (
        0 if r.precise else 1,
        place,
        r.radius_km,
        r.date_precision,
        width,
        content_key(r),
    )


class Resolver:
    """Incremental clustering of claim records into incidents."""

    def __init__(
        self,
        *,
        must_link: Sequence[Iterable[int]] = (),
        cannot_link: Sequence[Sequence[Iterable[int]]] = (),
    ) -> None:
        self.clusters: list[Cluster] = []
        self._index: dict[IndexKey, list[Cluster]] = {}
        self._keys = count(1)
        self._by_claim: dict[int, Cluster] = {}
        self._linked: dict[int, ClaimRecord] = {}  # every claim given to add()
        self._base: list[_Snapshot] | None = None  # the clusters before the first add()
        self._must: dict[int, int] = {}
        self._must_groups: list[list[int]] = [list(g) for g in must_link]
        for g, members in enumerate(self._must_groups):
            for cid in members:
                self._must.setdefault(cid, g)
        self._split: dict[int, list[tuple[int, int]]] = {}
        for s, groups in enumerate(cannot_link):
            for g, group in enumerate(groups):
                for cid in group:
                    self._split.setdefault(cid, []).append((s, g))

    # -- building ---------------------------------------------------------------------------

    def cluster_of(self, claim_id: int) -> Cluster | None:
        return self._by_claim.get(claim_id)

    def _new_cluster(self, first: ClaimRecord, incident_id: int | None = None) -> Cluster:
        c = Cluster(next(self._keys), [], first, incident_id)
        self.clusters.append(c)
        self._attach(c, first)
        self._register(c)
        return c

    def _attach(self, c: Cluster, r: ClaimRecord) -> None:
        c.members.append(r)
        c.absorb(r)
        c.changed = True
        self._by_claim[r.id] = c
        for s, g in self._split.get(r.id, ()):
            c.split_tags.setdefault(s, g)

    def _register(self, c: Cluster) -> None:
        a = c.anchor
        if a.day_lo is None or a.day_hi is None:
            return
        lo = a.day_lo - DATE_SLACK_DAYS
        hi = min(a.day_hi, a.day_lo + MAX_INDEX_DAYS) + DATE_SLACK_DAYS
        fam = link_group(a)
        # an anchor wider than one cell is also registered in the ring its radius needs
        cells = _cells(a, shrink=1) if a.precise else []
        index = self._index
        for day in range(lo, hi + 1):
            index.setdefault(("d", fam, day), []).append(c)
            if a.admin1:
                index.setdefault(("a", fam, day, a.admin1), []).append(c)
            if cells:
                for cx, cy in cells:
                    index.setdefault(("c", fam, day, cx, cy), []).append(c)
            elif a.admin1:
                index.setdefault(("va", fam, day, a.admin1), []).append(c)
            else:
                index.setdefault(("v", fam, day), []).append(c)

    def add_existing(self, records: Sequence[ClaimRecord], incident_id: int) -> Cluster:
        """Load an incident resolved earlier, as it is (no re-clustering)."""
        best = min(records, key=anchor_rank)
        c = Cluster(next(self._keys), [], best, incident_id, changed=False)
        self.clusters.append(c)
        for r in records:
            self._attach(c, r)
        c.changed = False
        self._register(c)
        if self._base is not None:
            self._base.append(_Snapshot.of(c))  # loaded after an add(): keep it on re-linking
        return c

    def add(self, records: Iterable[ClaimRecord]) -> list[Cluster]:
        """Resolve new claims; returns the clusters they joined or founded.

        Every claim given to :meth:`add` so far is linked again, in one canonical order, on top
        of the clusters as they stood before the first call: the same claims give the same
        clusters however they were split into calls and in whatever order they came."""
        fresh = {r.id: r for r in records if r.id not in self._by_claim}
        if not fresh:
            return []
        if self._base is None:
            self._base = [_Snapshot.of(c) for c in self.clusters]
        elif self._linked:
            self._restore(self._base)
        self._linked.update(fresh)
        for r in sorted(self._linked.values(), key=process_order):
            self.add_one(r)
        touched = {self._by_claim[cid].key: self._by_claim[cid] for cid in fresh}
        return sorted(touched.values(), key=lambda c: c.key)

    def _restore(self, base: Sequence[_Snapshot]) -> None:
        """Back to the clusters loaded before the first :meth:`add` (keys restart, so keys too
        do not depend on how the claims were split into calls)."""
        self.clusters = []
        self._index = {}
        self._by_claim = {}
        self._keys = count(1)
        for snap in base:
            c = Cluster(next(self._keys), [], snap.anchor, snap.incident_id)
            self.clusters.append(c)
            for r in snap.members:
                self._attach(c, r)
            c.changed, c.notes, c.retired = snap.changed, list(snap.notes), list(snap.retired)
            self._register(c)

    def add_one(self, r: ClaimRecord) -> Cluster:
        forced = self._forced(r)
        if forced is not None:
            self._join(forced, r)
            return forced
        compatible = [(s, c) for c in self._candidates(r) if (s := self.score(r, c)) is not None]
        joinable = [(s, c) for s, c in compatible if s >= JOIN_SCORE and self._allowed(r, c)]
        scored = [(s, c) for s, c in joinable if not self._wants_toll(r, c)]
        if not scored:
            if joinable:
                return self._ambiguous(r, [c for _, c in joinable])
            return self._new_cluster(r)
        if not r.precise:
            # Where and when cannot tell apart incidents of the same type that all fit a vague
            # place; perpetrator or toll alone must not pick one of them.
            same = [c for _, c in compatible if c.anchor.event_type == r.event_type]
            if len(same) > 1:
                return self._ambiguous(r, same)
        if len(scored) > 1:
            scored.sort(key=lambda sc: (-sc[0], sc[1].key))
            if scored[0][0] - scored[1][0] < AMBIGUITY_MARGIN + _WEIGHT_TEXT:
                # close call: let the wording break the tie
                top = scored[0][0] - AMBIGUITY_MARGIN - _WEIGHT_TEXT
                scored = [
                    (s + _WEIGHT_TEXT * text_similarity(r, c), c) for s, c in scored if s > top
                ]
                scored.sort(key=lambda sc: (-sc[0], sc[1].key))
            if not r.precise and scored[0][0] - scored[1][0] < AMBIGUITY_MARGIN:
                return self._ambiguous(r, [c for _, c in scored])
        best = scored[0][1]
        self._join(best, r)
        return best

    def _ambiguous(self, r: ClaimRecord, fits: list[Cluster]) -> Cluster:
        c = self._new_cluster(r)
        others = ", ".join(_label(x) for x in fits[:5])
        if len(fits) == 1:
            c.notes.append(
                f"place too vague to tell whether this report describes {others}, and no "
                "toll agrees; kept apart"
            )
        else:
            c.notes.append(
                f"place or date too vague to tell which of {len(fits)} incidents this report "
                f"describes ({others}); kept apart"
            )
        return c

    def _join(self, c: Cluster, r: ClaimRecord) -> None:
        self._attach(c, r)
        if anchor_rank(r) < anchor_rank(c.anchor):
            c.anchor = r
            self._register(c)

    def _forced(self, r: ClaimRecord) -> Cluster | None:
        g = self._must.get(r.id)
        if g is None:
            return None
        for cid in self._must_groups[g]:
            c = self._by_claim.get(cid)
            if c is not None and c.alive and self._allowed(r, c):
                return c
        return None

    def _allowed(self, r: ClaimRecord, c: Cluster) -> bool:
        return all(c.split_tags.get(s, g) == g for s, g in self._split.get(r.id, ()))

    # -- candidates and scores ----------------------------------------------------------------

    def _candidates(self, r: ClaimRecord) -> list[Cluster]:
        if r.day_lo is None or r.day_hi is None:
            return []
        fam = link_group(r)
        keys: list[IndexKey] = []
        hi = min(r.day_hi, r.day_lo + MAX_INDEX_DAYS)
        if r.precise:
            cells = _cells(r)
            for day in range(r.day_lo, hi + 1):
                for cx, cy in cells:
                    keys.append(("c", fam, day, cx, cy))
                if r.admin1:
                    keys.append(("va", fam, day, r.admin1))
                keys.append(("v", fam, day))
        elif r.admin1:
            for day in range(r.day_lo, hi + 1):
                keys.append(("a", fam, day, r.admin1))
                keys.append(("v", fam, day))
        else:
            keys = [("d", fam, day) for day in range(r.day_lo, hi + 1)]
        seen: dict[int, Cluster] = {}
        index = self._index
        for k in keys:
            for c in index.get(k, ()):
                if c.alive:
                    seen[c.key] = c
        return list(seen.values())

    def score(self, r: ClaimRecord, c: Cluster) -> float | None:
        """How well ``r`` fits ``c`` (None: incompatible on date or place)."""
        a = c.anchor
        type_score = _type_fit(r, a)
        if type_score is None or r.day_lo is None or a.day_lo is None:
            return None
        assert r.day_hi is not None and a.day_hi is not None
        date_score = _date_fit(r, a)
        if date_score is None:
            return None
        if r.lat is not None and a.lat is not None and r.lon is not None and a.lon is not None:
            if r.place_key is not None and r.place_key == a.place_key:
                place_score = _WEIGHT_PLACE
            else:
                limit = max(r.radius_km, a.radius_km)
                d = distance_km(r.lat, r.lon, a.lat, a.lon)
                if d > limit:
                    return None
                place_score = _WEIGHT_PLACE * (1.0 - 0.5 * d / limit)
        elif r.place_key is not None and r.place_key == a.place_key:
            place_score = _WEIGHT_PLACE
        else:
            if r.admin1 and a.admin1 and r.admin1 != a.admin1:
                return None
            place_score = _WEIGHT_PLACE_VAGUE
        s = date_score + place_score
        s += type_score
        perps = r.perpetrator_ids
        if perps and c.perpetrators:
            s += 0.5 if perps & c.perpetrators else -0.5
        if r.weapons and c.weapons:
            s += 0.3 if r.weapons & c.weapons else -0.3
        if r.facility_types and c.facilities:
            s += 0.5 if r.facility_types & c.facilities else -0.7
        point = r.killed_point
        if point is not None and c.killed_max is not None and c.killed_min is not None:
            s += _count_fit(point, c.killed_min, c.killed_max)
        return s

    def _wants_toll(self, r: ClaimRecord, c: Cluster) -> bool:
        """True when ``r`` and ``c`` agree on a vague place only and no toll backs the match.
        "The countryside of Homs", a governorate, or no place: on a busy day several events
        fit that, so an agreeing toll is the second piece of evidence such a link needs."""
        if not _vague_pair(r, c.anchor):
            return False
        point = r.killed_point
        if point is None or c.killed_min is None or c.killed_max is None:
            return True
        return _count_fit(point, c.killed_min, c.killed_max) <= 0

    # -- analyst decisions on loaded clusters ---------------------------------------------------

    def merge(self, clusters: Sequence[Cluster]) -> Cluster:
        """Make several clusters one (an analyst's merge). The one with the lowest incident id
        (else the oldest) keeps its identity; the others' incident ids are listed as retired."""
        ordered = sorted(clusters, key=lambda c: (c.incident_id is None, c.incident_id or 0, c.key))
        keep = ordered[0]
        for other in ordered[1:]:
            if other is keep:
                continue
            if other.incident_id is not None:
                keep.retired.append(other.incident_id)
            keep.retired.extend(other.retired)
            for r in other.members:
                self._attach(keep, r)
                if anchor_rank(r) < anchor_rank(keep.anchor):
                    keep.anchor = r
            keep.notes.extend(n for n in other.notes if n not in keep.notes)
            other.members = []
            other.alive = False
            self.clusters.remove(other)
        self._register(keep)
        keep.changed = True
        return keep

    def split(self, c: Cluster, groups: Sequence[Iterable[int]]) -> list[Cluster]:
        """Separate the listed claim groups of ``c`` (an analyst's split). Claims in no group
        stay with the first group, which keeps the incident id."""
        sets = [set(g) for g in groups]
        parts: list[list[ClaimRecord]] = [[] for _ in sets]
        rest: list[ClaimRecord] = []
        for r in c.members:
            for i, s in enumerate(sets):
                if r.id in s:
                    parts[i].append(r)
                    break
            else:
                rest.append(r)
        parts[0].extend(rest)
        parts = [p for p in parts if p]
        if len(parts) < 2:
            return [c]
        self.clusters.remove(c)
        c.alive = False
        out = []
        for i, p in enumerate(parts):
            n = Cluster(
                next(self._keys), [], min(p, key=anchor_rank), c.incident_id if i == 0 else None
            )
            self.clusters.append(n)
            for r in p:
                self._attach(n, r)
            self._register(n)
            out.append(n)
        return out


def _vague_pair(r: ClaimRecord, a: ClaimRecord) -> bool:
    """One of the two names only a governorate or a region, and not the same one as the other."""
    if r.place_rank < VAGUE_RANK and a.place_rank < VAGUE_RANK:
        return False
    return r.place_key != a.place_key


def _follow_up(r: ClaimRecord, a: ClaimRecord) -> bool:
    """Same named place and tolls that agree (see :func:`_date_fit`)."""
    if r.place_key is None or r.place_key != a.place_key:
        return False
    if r.killed_point is None or a.killed_point is None:
        return False
    return _count_fit(r.killed_point, a.killed_point, a.killed_point) > 0


def _date_fit(r: ClaimRecord, a: ClaimRecord) -> float | None:
    """Date agreement (None: the two cannot be one event). Intervals must overlap (widened by
    the slack). Two reports that state no date are dated only by publication, and a day's
    news is mostly that day's events: published on different days, they tell of different
    days unless a date phrase says otherwise."""
    assert r.day_lo is not None and r.day_hi is not None
    assert a.day_lo is not None and a.day_hi is not None
    if r.day_lo - DATE_SLACK_DAYS > a.day_hi or r.day_hi + DATE_SLACK_DAYS < a.day_lo:
        return None
    undated_apart = not r.date_stated and not a.date_stated and r.published != a.published
    # ... unless the next day's report names the same place and a toll that agrees: the
    # follow-up ("the toll of yesterday's strike on X rose to 12")
    if undated_apart and not _follow_up(r, a):
        return None
    overlap = min(r.day_hi, a.day_hi) - max(r.day_lo, a.day_lo) + 1
    if overlap <= 0:
        return 0.0  # within the slack only
    width = min(r.day_hi - r.day_lo, a.day_hi - a.day_lo) + 1
    return _WEIGHT_DATE * overlap / width


def link_group(r: ClaimRecord) -> str:
    """The blocking family: families whose claims may describe one event share one."""
    return _LINK_GROUPS.get(r.family, r.family)


def _type_fit(r: ClaimRecord, a: ClaimRecord) -> float | None:
    """Event-type agreement (None: no single event can be both)."""
    if r.event_type == a.event_type:
        return _WEIGHT_TYPE_SAME
    if r.family == a.family:
        return _WEIGHT_TYPE_FAMILY
    generic = r.event_type in GENERIC_TYPES or a.event_type in GENERIC_TYPES
    if generic and link_group(r) == link_group(a):
        return _WEIGHT_TYPE_GENERIC
    return None


def _cells(r: ClaimRecord, shrink: int = 0) -> list[tuple[int, int]]:
    """Grid cells within the record's place radius of its cell (``shrink`` rings fewer).

    Two places are compatible when their distance is within the larger radius; the claim looks
    in the ring its own radius needs and the anchor registers in its ring less one, so between
    them every compatible pair shares a cell."""
    assert r.lat is not None and r.lon is not None
    cx, cy = int(r.lat // GRID_DEGREES), int(r.lon // GRID_DEGREES)
    km_lat = 111.2 * GRID_DEGREES
    km_lon = km_lat * max(math.cos(math.radians(abs(r.lat) + GRID_DEGREES)), 0.05)
    kx = max(0, math.ceil(r.radius_km / km_lat) - shrink)
    ky = max(0, math.ceil(r.radius_km / km_lon) - shrink)
    return [(cx + dx, cy + dy) for dx in range(-kx, kx + 1) for dy in range(-ky, ky + 1)]


def _count_fit(point: int, lo: int, hi: int) -> float:
    """Tolls grow as bodies are found and differ between sources, so only far-apart figures
    (more than four times and more than ten apart) count against a match."""
    near = min(abs(point - lo), abs(point - hi))
    if lo <= point <= hi or near <= 3 or (point <= 2 * hi and 2 * point >= lo):
        return 0.3
    if near > 10 and (point > 4 * hi or 4 * point < lo):
        return -1.0
    return 0.0


def text_similarity(r: ClaimRecord, c: Cluster) -> float:
    """0..1: the best token-set similarity of the claim's passage with the anchor's or the
    latest member's."""
    if not r.text:
        return 0.0
    best = 0.0
    for m in (c.anchor, c.members[-1]):
        if m.text:
            best = max(best, fuzz.token_set_ratio(r.text, m.text) / 100.0)
    return best


def _label(c: Cluster) -> str:
    a = c.anchor
    where = a.place.name if a.place is not None else "unknown place"
    return f"incident {c.incident_id}" if c.incident_id else f"{a.event_type} at {where}"
