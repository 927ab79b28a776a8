"""Incidents and reported aggregates in the store: writing resolved incidents, reading views."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from marsad.contract.incident import (
    AggregateView,
    IncidentFilter,
    IncidentView,
    visible_levels,
)
from marsad.store import ledger, search
from marsad.store.filters import apply_filter, longest_span_days, matches_json_filters
from marsad.store.models import Claim, Document, Incident, IncidentClaim, Source
from marsad.store.rows import fill_row, view_from_row
from marsad.store.verify import incident_row_sha256, incident_values


class IncidentStoreMixin:
    """Incident methods of :class:`marsad.store.Store` (kept here to keep modules small)."""

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[Session]: ...

        def reading(self) -> AbstractContextManager[Session]: ...

    def save_incident(
        self,
        view: IncidentView,
        claim_ids: Iterable[int] = (),
        *,
        actor: str,
        action: str = "resolve",
    ) -> int:
        """Insert (``view.id`` None) or update an incident, link its claims, log it."""
        claim_ids = sorted(set(claim_ids))
        with self.transaction() as session:
            stamp = datetime.now(UTC)
            row = session.get(Incident, view.id) if view.id is not None else None
            if row is None:
                row = Incident(created_at=stamp)
                session.add(row)
            row.updated_at = stamp
            fill_row(row, view)
            session.flush()
            search.index_incident(session, row)
            session.execute(delete(IncidentClaim).where(IncidentClaim.incident_id == row.id))
            for cid in claim_ids:
                session.add(IncidentClaim(incident_id=row.id, claim_id=cid))
            ledger.append(
                session,
                actor=actor,
                action=action,
                subject_type="incident",
                subject_id=str(row.id),
                payload={
                    "claims": claim_ids,
                    "record_sha256": ledger.sha256_hex(ledger.canonical_json(row.data)),
                    "row_sha256": incident_row_sha256(incident_values(row)),
                    "grade": row.grade,
                    "killed": [row.killed_low, row.killed_best, row.killed_high],
                },
            )
            return row.id

    def incident(self, incident_id: int, *, max_sensitivity: str = "public") -> IncidentView | None:
        with self.reading() as session:
            row = session.get(Incident, incident_id)
            if row is None or row.sensitivity not in visible_levels(max_sensitivity):
                return None
            return view_from_row(row, max_sensitivity)

    def iter_incidents(
        self, f: IncidentFilter | None = None, *, batch: int = 1000
    ) -> Iterator[IncidentView]:
        """Matching incidents by date then id, fetched in keyset pages: memory stays flat."""
        f = f or IncidentFilter()
        last_key: tuple[date, int] | None = None
        floor = date(1, 1, 1)
        with self.reading() as session:
            span = longest_span_days(session)
        while True:
            q = apply_filter(select(Incident), f, span)
            if last_key is not None:
                d, i = last_key
                key_date = func.coalesce(Incident.date_start, floor)
                q = q.where(or_(key_date > d, (key_date == d) & (Incident.id > i)))
            q = q.order_by(func.coalesce(Incident.date_start, floor), Incident.id).limit(batch)
            with self.reading() as session:
                rows = list(session.execute(q).scalars())
                views = [view_from_row(r, f.max_sensitivity) for r in rows]
            if not rows:
                return
            for v in views:
                if matches_json_filters(v, f):
                    yield v
            last_key = (rows[-1].date_start or floor, rows[-1].id)

    def count_incidents(self, f: IncidentFilter | None = None) -> int:
        f = f or IncidentFilter()
        if f.perpetrators or f.weapons or f.facilities:
            return sum(1 for _ in self.iter_incidents(f))
        with self.reading() as session:
            return int(
                session.execute(
                    apply_filter(
                        select(func.count()).select_from(Incident), f, longest_span_days(session)
                    )
                ).scalar_one()
            )

    def incident_claim_ids(self, incident_id: int) -> list[int]:
        with self.reading() as session:
            return [
                cid
                for (cid,) in session.execute(
                    select(IncidentClaim.claim_id).where(IncidentClaim.incident_id == incident_id)
                )
            ]

    def aggregates(self, f: IncidentFilter | None = None) -> list[AggregateView]:
        """Reported totals (claims with scope ``aggregate``) overlapping the filter's period."""
        f = f or IncidentFilter()
        levels = visible_levels(f.max_sensitivity)
        q = (
            select(Claim, Document.sensitivity, Source.name)
            .join(Document, Document.id == Claim.document_id, isouter=True)
            .join(Source, Source.id == Document.source_id, isouter=True)
            .where(Claim.scope == "aggregate", Claim.superseded.is_(False))
            .where(Claim.sensitivity.in_(levels))
        )
        if f.date_from:
            q = q.where(or_(Claim.date_end.is_(None), Claim.date_end >= f.date_from))
        if f.date_to:
            q = q.where(or_(Claim.date_start.is_(None), Claim.date_start <= f.date_to))
        out: list[AggregateView] = []
        with self.reading() as session:
            for claim, doc_sensitivity, source_name in session.execute(q.order_by(Claim.id)):
                if doc_sensitivity is not None and doc_sensitivity not in levels:
                    continue
                data = claim.data
                places = data.get("places", [])
                out.append(
                    AggregateView(
                        claim_id=claim.id,
                        document_id=claim.document_id,
                        source=source_name,
                        reported_by=[o["name"] for o in data.get("reported_by", [])],
                        event_type=claim.event_type,
                        date_start=claim.date_start,
                        date_end=claim.date_end,
                        area=[p["name"] for p in places],
                        admin1_pcodes=sorted(
                            {p["admin1_pcode"] for p in places if p.get("admin1_pcode")}
                        ),
                        counts=list(data.get("counts", [])),
                        facilities=list(data.get("facilities", [])),
                        excerpt=data.get("evidence", {}).get("text", ""),
                        sensitivity=claim.sensitivity,
                    )
                )
        return out

    # -- bulk load (benchmarks, imports) -----------------------------------------------------

    def bulk_insert_incidents(
        self, views: Iterable[IncidentView], *, actor: str, batch: int = 5000
    ) -> int:
        """Insert many new incidents fast: one multi-row insert and one ledger entry per batch
        (the entry hashes the batch's records, so custody is kept without a row per incident)."""
        total = 0
        pending: list[IncidentView] = []

        def flush(items: list[IncidentView]) -> None:
            stamp = datetime.now(UTC)
            rows = []
            for v in items:
                row = Incident(created_at=stamp, updated_at=stamp)
                fill_row(row, v)
                values = {c.key: getattr(row, c.key) for c in Incident.__table__.columns}
                values.pop("id")
                rows.append(values)
            with self.transaction() as session:
                last = session.execute(select(func.max(Incident.id))).scalar() or 0
                session.execute(insert(Incident), rows)
                search.index_incidents_after(session, last)
                ledger.append(
                    session,
                    actor=actor,
                    action="bulk_load",
                    subject_type="incident_batch",
                    subject_id=str(len(rows)),
                    payload={
                        "incidents": len(rows),
                        "records_sha256": ledger.sha256_hex(
                            ledger.canonical_json([r["data"] for r in rows])
                        ),
                    },
                )

        for view in views:
            pending.append(view)
            if len(pending) >= batch:
                flush(pending)
                total += len(pending)
                pending = []
        if pending:
            flush(pending)
            total += len(pending)
        return total
