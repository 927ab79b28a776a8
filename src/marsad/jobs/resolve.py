"""Resolution against the store: incremental, and replaying analysts' decisions.

A run reads only the claims added since the last run (the saved resolver state holds the last
claim id) and loads the incidents of the same days. Incidents an analyst has touched (reviewed,
corrected, or named by a decision) are kept as they are and may only gain claims; the
machine-made ones are grouped afresh together with the new claims, in one canonical order, so
that claims resolved in three runs end up as they would in one. Each regrouped incident's id goes
to the new group holding most of its claims; an id left over is retired, saying where most of
its claims went. Only incidents whose claims changed are written back. Analysts' merge and split
decisions are applied to the incidents they name and kept as constraints on every later run;
discount and sensitivity decisions and field corrections are re-applied to every incident
written. ``full=True`` ignores the saved state and considers every current claim.

Writes go in batches of ``_SAVE_CHUNK`` incidents, one transaction each (see
:meth:`marsad.store.Store.save_incidents`): multi-row inserts and updates, and one chained ledger
append holding every incident's own entry; corrections are looked up once per batch and
retirements are written together, so the store side does not outweigh resolving itself
(figures in docs/benchmarks.md).

Runs at once take turns (:data:`marsad.store.db.Lock.RESOLVE`): a second run starts from the
state the first saved, so no claim joins two incidents. A run reads only claims below a
watermark that no claim still being written can fall under, so a claim committed late by a
concurrent ``marsad process`` is left for the next run instead of being skipped for good.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from marsad import alerts as _alerts
from marsad.resolve.engine import MAX_INDEX_DAYS, Cluster, Resolver, process_order
from marsad.resolve.incident import build_incident
from marsad.resolve.records import ClaimRecord, record_from_stored
from marsad.store.db import Lock, job_lock, lock_transaction

if TYPE_CHECKING:
    from marsad.store import Store

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stages ``load``, ``link`` and ``save``."""

STATE_VERSION = 1
_SAVE_CHUNK = 500


@dataclass
class ResolveReport:
    new_claims: int = 0
    aggregates: int = 0
    incidents_created: int = 0
    incidents_updated: int = 0
    incidents_retired: int = 0
    decisions_applied: int = 0
    incident_ids: list[int] = field(default_factory=list)  # written in this run

    def to_dict(self) -> dict[str, Any]:
        return {
            "new_claims": self.new_claims,
            "aggregates": self.aggregates,
            "incidents_created": self.incidents_created,
            "incidents_updated": self.incidents_updated,
            "incidents_retired": self.incidents_retired,
            "decisions_applied": self.decisions_applied,
        }


def _decision_constraints(
    decisions: Sequence[dict[str, Any]],
) -> tuple[list[list[int]], list[list[list[int]]]]:
    must: list[list[int]] = []
    cannot: list[list[list[int]]] = []
    for d in decisions:
        p = d["payload"]
        if d["kind"] == "merge":
            must.append(sorted({int(c) for ids in p.get("claims", {}).values() for c in ids}))
        elif d["kind"] == "split":
            cannot.append([[int(c) for c in g] for g in p.get("groups", [])])
    return must, cannot


def _decision_incidents(decisions: Iterable[dict[str, Any]]) -> tuple[set[int], set[int]]:
    """Incident ids and claim ids a set of decisions names."""
    incidents: set[int] = set()
    claims: set[int] = set()
    for d in decisions:
        p = d["payload"]
        incidents.update(int(i) for i in p.get("incidents", []))
        if "incident" in p:
            incidents.add(int(p["incident"]))
        for ids in p.get("claims", {}).values():
            claims.update(int(c) for c in ids)
        for g in p.get("groups", []):
            claims.update(int(c) for c in g)
    return incidents, claims


def apply_decision(resolver: Resolver, decision: dict[str, Any]) -> bool:
    """Apply one merge or split to the loaded clusters; True if anything changed."""
    p = decision["payload"]
    if decision["kind"] == "merge":
        ids = {int(c) for g in p.get("claims", {}).values() for c in g}
        clusters = _clusters_of(resolver, ids)
        if len(clusters) > 1:
            resolver.merge(clusters)
            return True
    elif decision["kind"] == "split":
        groups = [[int(c) for c in g] for g in p.get("groups", [])]
        changed = False
        for c in _clusters_of(resolver, {cid for g in groups for cid in g}):
            own = {m.id for m in c.members}
            present = [[cid for cid in g if cid in own] for g in groups]
            if sum(1 for g in present if g) > 1:
                resolver.split(c, [g for g in present if g])
                changed = True
        return changed
    return False


def _clusters_of(resolver: Resolver, claim_ids: Iterable[int]) -> list[Cluster]:
    found: dict[int, Cluster] = {}
    for cid in claim_ids:
        c = resolver.cluster_of(cid)
        if c is not None and c.alive:
            found[c.key] = c
    return list(found.values())


@contextmanager
def _fewer_collections(threshold: int = 100_000) -> Iterator[None]:
    """Run the cyclic garbage collector less often while resolving. A run allocates millions of
    small objects that live until it ends (records, tuples, rows), and the default thresholds
    (a young collection every 700 allocations, full ones as the heap grows) spent about a
    seventh of a 100,000-claim run collecting nothing. The thresholds are restored afterwards."""
    old = gc.get_threshold()
    gc.set_threshold(max(threshold, old[0]), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def resolve_store(
    store: Store,
    *,
    actor: str,
    progress: Progress | None = None,
    full: bool = False,
) -> ResolveReport:
    """Resolve the claims added since the last run into incidents, and save them."""
    with job_lock(store.engine, Lock.RESOLVE), _fewer_collections():
        report = _resolve_store(store, actor=actor, progress=progress, full=full)
    _alerts.raise_alerts(store, report.incident_ids, actor=actor)  # rules over what was written
    return report


def _settled_claim_id(store: Store) -> int:
    """The highest claim id such that no claim at or below it is still being written.

    On PostgreSQL a transaction can take claim id 101 and commit before the one holding 100
    does: a run that read up to 101 and saved it as its last claim would never see 100. Claim
    writers hold :data:`Lock.CLAIMS` shared for their transaction; taking it exclusively waits
    for those in flight, and every id handed out afterwards is higher than what is read here.
    (On SQLite writers take turns, so ids are committed in order and the lock is a no-op.)"""
    from sqlalchemy import func, select

    from marsad.store.models import Claim

    with store.transaction() as session:
        lock_transaction(session, Lock.CLAIMS)
        return int(session.execute(select(func.max(Claim.id))).scalar() or 0)


def _resolve_store(
    store: Store,
    *,
    actor: str,
    progress: Progress | None,
    full: bool,
) -> ResolveReport:
    report = ResolveReport()
    state = {} if full else store.resolver_state()
    last_claim = int(state.get("last_claim_id", 0))
    last_decision = int(state.get("last_decision_id", 0))

    new: list[ClaimRecord] = []
    max_claim = last_claim
    settled = _settled_claim_id(store)
    for stored in store.claims_since(last_claim):
        if stored.claim_id > settled:
            break  # the next run reads it, with whatever was written alongside
        max_claim = max(max_claim, stored.claim_id)
        if stored.data.get("scope") == "aggregate":
            report.aggregates += 1
            continue
        new.append(record_from_stored(stored))
        if progress is not None and len(new) % 1000 == 0:
            progress("load", len(new), 0)

    decisions = store.decisions()
    fresh = [d for d in decisions if d["id"] > last_decision]
    must, cannot = _decision_constraints(decisions)

    # the incidents the new claims and decisions may touch
    wanted: set[int] = set(store.incidents_with_superseded_claims())
    dec_incidents, dec_claims = _decision_incidents(fresh)
    wanted |= dec_incidents
    wanted |= set(store.incident_ids_for_claims(dec_claims).values())
    links: dict[int, dict[str, Any]] = {}
    days = [r.day_lo for r in new if r.day_lo is not None]
    days_hi = [r.day_hi for r in new if r.day_hi is not None]
    if days:
        margin = MAX_INDEX_DAYS + 5
        links = store.incident_links(
            date_from=date.fromordinal(min(days) - margin),
            date_to=date.fromordinal(max(days_hi) + margin),
        )
    missing = wanted - set(links)
    if missing:
        links.update(store.incident_links(incident_ids=missing))

    resolver = Resolver(must_link=must, cannot_link=cannot)
    existing_status: dict[int, str] = {}
    linked_ids = [cid for info in links.values() for cid in info["claims"]]
    records = {r.id: r for r in map(record_from_stored, store.stored_claims(linked_ids))}
    kept = _kept_as_they_are(store, links, decisions)
    relink: dict[int, list[ClaimRecord]] = {}  # machine-made incidents, grouped afresh
    emptied: list[tuple[int, str, int | None]] = []
    for iid in sorted(links):
        info = links[iid]
        recs = [records[c] for c in info["claims"] if c in records]
        existing_status[iid] = info["review_status"]
        if not recs:
            emptied.append((iid, "all its claims were superseded", None))
            report.incidents_retired += 1
            continue
        if iid not in kept:
            relink[iid] = recs
            continue
        c = resolver.add_existing(recs, iid)
        if len(recs) < len(info["claims"]):
            c.changed = True  # superseded claims dropped
    store.retire_incidents(emptied, actor=actor)
    for d in fresh if not full else decisions:
        if apply_decision(resolver, d):
            report.decisions_applied += 1

    pending = [r for r in new if resolver.cluster_of(r.id) is None]
    # claims already linked to an incident outside the loaded window (undated ones) stay put
    linked = store.incident_ids_for_claims(r.id for r in pending)
    pending = [r for r in pending if r.id not in linked]
    report.new_claims = len(pending)
    # The new claims and those of the machine-made incidents around them are linked together
    # in one canonical order, so that the incidents do not depend on how the claims were split
    # into runs (three runs give what one run over the same claims gives).
    pending += [r for recs in relink.values() for r in recs if resolver.cluster_of(r.id) is None]
    pending.sort(key=process_order)
    for i, r in enumerate(pending, 1):
        resolver.add_one(r)
        if progress is not None and (i % 500 == 0 or i == len(pending)):
            progress("link", i, len(pending))
    regrouped = _give_back_ids(resolver, relink, {iid: links[iid]["claims"] for iid in relink})

    changed = [c for c in resolver.clusters if c.changed and c.members]
    _save(store, changed, existing_status, decisions, actor, report, progress)
    merged = [(old, "merged by an analyst", c.incident_id) for c in changed for old in c.retired]
    merged += [
        (iid, "its claims were regrouped by resolution", _where_most_went(resolver, relink[iid]))
        for iid in regrouped
    ]
    store.retire_incidents(merged, actor=actor)
    report.incidents_retired += len(merged)

    store.save_resolver_state(
        {
            "version": STATE_VERSION,
            "last_claim_id": max_claim,
            "last_decision_id": max((d["id"] for d in decisions), default=last_decision),
        }
    )
    store.append_ledger(
        actor=actor,
        action="resolution_run",
        subject_type="run",
        subject_id="resolve",
        payload={**report.to_dict(), "last_claim_id": max_claim, "full": full},
    )
    return report


def _kept_as_they_are(
    store: Store, links: dict[int, dict[str, Any]], decisions: Sequence[dict[str, Any]]
) -> set[int]:
    """Loaded incidents an analyst has touched (reviewed, corrected, or named by a decision):
    they are extended, never regrouped. The others are machine-made and grouped afresh."""
    named_incidents, named_claims = _decision_incidents(decisions)
    kept = {iid for iid, info in links.items() if info["review_status"] != "new"}
    kept |= named_incidents & set(links)
    kept |= {iid for iid, info in links.items() if named_claims.intersection(info["claims"])}
    kept |= store.incidents_with_corrections(links)
    return kept


def _give_back_ids(
    resolver: Resolver, relink: dict[int, list[ClaimRecord]], stored: dict[int, list[int]]
) -> list[int]:
    """Give each regrouped incident's id to the new cluster holding most of its claims (ties:
    the lower id, then the earlier cluster), each id once; a cluster that got back exactly the
    claims stored with it is unchanged and not rewritten. Returns the ids left over, to retire."""
    owner = {r.id: iid for iid, recs in relink.items() for r in recs}
    votes: list[tuple[int, int, int, Cluster]] = []
    for c in resolver.clusters:
        if c.incident_id is not None or not c.members:
            continue
        counts: dict[int, int] = {}
        for m in c.members:
            if m.id in owner:
                counts[owner[m.id]] = counts.get(owner[m.id], 0) + 1
        votes += [(-n, iid, c.key, c) for iid, n in counts.items()]
    votes.sort(key=lambda v: v[:3])
    used: set[int] = set()
    for _, iid, _, c in votes:
        if iid in used or c.incident_id is not None:
            continue
        used.add(iid)
        c.incident_id = iid
        c.changed = c.claim_ids != sorted(stored[iid])  # as stored, superseded claims too
    return sorted(set(relink) - used)


def _where_most_went(resolver: Resolver, recs: list[ClaimRecord]) -> int | None:
    """The incident that now holds most of a retired incident's claims (lowest id on ties)."""
    counts: dict[int, int] = {}
    for r in recs:
        c = resolver.cluster_of(r.id)
        if c is not None and c.incident_id is not None:
            counts[c.incident_id] = counts.get(c.incident_id, 0) + 1
    return min(counts, key=lambda iid: (-counts[iid], iid)) if counts else None


def _save(
    store: Store,
    clusters: list[Cluster],
    existing_status: dict[int, str],
    decisions: Sequence[dict[str, Any]],
    actor: str,
    report: ResolveReport,
    progress: Progress | None,
) -> None:
    discounted: set[int] = set()
    sensitivity: dict[int, str] = {}
    for d in decisions:
        p = d["payload"]
        if d["kind"] == "discount" and "incident" in p:
            discounted.add(int(p["incident"]))
        elif d["kind"] == "sensitivity" and "incident" in p:
            sensitivity[int(p["incident"])] = str(p["to"])
    total = len(clusters)
    for start in range(0, total, _SAVE_CHUNK):
        chunk = clusters[start : start + _SAVE_CHUNK]
        texts = store.document_texts(
            m.document_id for c in chunk for m in c.members if m.document_id
        )
        corrected = store.incidents_with_corrections(
            c.incident_id for c in chunk if c.incident_id is not None
        )
        views = []
        for c in chunk:
            view = build_incident(
                c.members, c.anchor, texts=texts, incident_id=c.incident_id, notes=c.notes
            )
            if c.incident_id is not None:
                if existing_status.get(c.incident_id, "new") not in ("new", "changed"):
                    view.review_status = "changed"
                if c.incident_id in discounted:
                    view.grade = "discounted"
                if c.incident_id in sensitivity:
                    view.sensitivity = sensitivity[c.incident_id]
                if c.incident_id in corrected:
                    view = store.apply_corrections(view)
            views.append((view, c.claim_ids))
        ids = store.save_incidents(views, actor=actor)
        for c, iid in zip(chunk, ids, strict=True):
            if c.incident_id is None:
                report.incidents_created += 1
            else:
                report.incidents_updated += 1
            c.incident_id = iid
            c.changed = False
            report.incident_ids.append(iid)
        if progress is not None:
            progress("save", min(start + _SAVE_CHUNK, total), total)
