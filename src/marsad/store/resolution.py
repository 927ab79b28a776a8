"""Store functions that incremental resolution needs: its saved state, the incidents and claims
around a date window, document texts for independence, and retiring merged incidents."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from marsad.store import ledger
from marsad.store.incidents import _fill_row
from marsad.store.models import Claim, Document, Incident, IncidentClaim, ResolverState, Source
from marsad.store.views import IncidentView, StoredClaim

_CHUNK = 500


def _chunks(ids: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(ids)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class ResolutionStoreMixin:
    """Resolution methods of :class:`marsad.store.Store`."""

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[Session]: ...

        def reading(self) -> AbstractContextManager[Session]: ...

    def resolver_state(self) -> dict[str, Any]:
        """The incremental state saved by the last resolution run (empty before the first)."""
        with self.reading() as session:
            row = session.get(ResolverState, 1)
            return dict(row.state) if row is not None else {}

    def save_resolver_state(self, state: dict[str, Any]) -> None:
        with self.transaction() as session:
            row = session.get(ResolverState, 1)
            if row is None:
                session.add(ResolverState(id=1, state=state, updated_at=datetime.now(UTC)))
            else:
                row.state = state
                row.updated_at = datetime.now(UTC)

    def incident_links(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        incident_ids: Iterable[int] | None = None,
    ) -> dict[int, dict[str, Any]]:
        """Incidents overlapping a date window (or the listed ones) with their claim ids, review
        status and sensitivity: what resolution loads to extend incidents incrementally."""
        out: dict[int, dict[str, Any]] = {}
        with self.reading() as session:
            queries = []
            if incident_ids is not None:
                for chunk in _chunks(sorted(set(incident_ids))):
                    queries.append(select(Incident).where(Incident.id.in_(chunk)))
            else:
                q = select(Incident)
                if date_from is not None:
                    q = q.where(
                        or_(Incident.date_end >= date_from, Incident.date_start >= date_from)
                    )
                if date_to is not None:
                    q = q.where(Incident.date_start <= date_to)
                queries.append(q)
            for q in queries:
                for row in session.execute(q).scalars():
                    out[row.id] = {
                        "claims": [],
                        "review_status": row.review_status,
                        "sensitivity": row.sensitivity,
                    }
            for chunk in _chunks(sorted(out)):
                for iid, cid in session.execute(
                    select(IncidentClaim.incident_id, IncidentClaim.claim_id).where(
                        IncidentClaim.incident_id.in_(chunk)
                    )
                ):
                    out[iid]["claims"].append(cid)
        return out

    def incident_ids_for_claims(self, claim_ids: Iterable[int]) -> dict[int, int]:
        """Claim id -> the incident it is linked to."""
        out: dict[int, int] = {}
        with self.reading() as session:
            for chunk in _chunks(sorted(set(claim_ids))):
                for iid, cid in session.execute(
                    select(IncidentClaim.incident_id, IncidentClaim.claim_id).where(
                        IncidentClaim.claim_id.in_(chunk)
                    )
                ):
                    out[cid] = iid
        return out

    def incidents_with_superseded_claims(self) -> list[int]:
        """Incidents still linked to a claim a later extraction run replaced."""
        with self.reading() as session:
            return sorted(
                {
                    iid
                    for (iid,) in session.execute(
                        select(IncidentClaim.incident_id)
                        .join(Claim, Claim.id == IncidentClaim.claim_id)
                        .where(Claim.superseded.is_(True))
                    )
                }
            )

    def stored_claims(self, claim_ids: Iterable[int]) -> list[StoredClaim]:
        """Current (not superseded) claims by id, as :meth:`Store.iter_claims` gives them."""
        out: list[StoredClaim] = []
        with self.reading() as session:
            for chunk in _chunks(sorted(set(claim_ids))):
                rows = session.execute(
                    select(Claim, Document, Source)
                    .join(Document, Document.id == Claim.document_id, isouter=True)
                    .join(Source, Source.id == Document.source_id, isouter=True)
                    .where(Claim.id.in_(chunk), Claim.superseded.is_(False))
                    .order_by(Claim.id)
                ).all()
                for claim, doc, src in rows:
                    out.append(
                        StoredClaim(
                            claim_id=claim.id,
                            document_id=claim.document_id,
                            source_id=src.id if src else None,
                            source_name=src.name if src else claim.provenance.get("dataset"),
                            source_credibility=src.credibility if src else 1.0,
                            published=doc.published if doc else claim.date_start,
                            sensitivity=claim.sensitivity,
                            data=claim.data,
                            provenance=claim.provenance,
                            title=doc.title if doc else None,
                            url=doc.url if doc else None,
                        )
                    )
        return out

    def document_texts(self, document_ids: Iterable[str], limit: int = 4000) -> dict[str, str]:
        """The first ``limit`` characters of each document's text (for near-duplicate tests)."""
        out: dict[str, str] = {}
        with self.reading() as session:
            for chunk in _chunks(sorted({d for d in document_ids if d})):
                for did, text in session.execute(
                    select(Document.id, Document.text).where(Document.id.in_(chunk))
                ):
                    out[did] = (text or "")[:limit]
        return out

    def save_incidents(
        self,
        items: Iterable[tuple[IncidentView, Iterable[int]]],
        *,
        actor: str,
        action: str = "resolve",
    ) -> list[int]:
        """Insert or update many incidents in one transaction, each with its claim links and its
        own ledger entry (as :meth:`save_incident` writes them, without a commit per incident).
        Returns the incident ids in order."""
        ids: list[int] = []
        with self.transaction() as session:
            stamp = datetime.now(UTC)
            for view, claim_ids in items:
                cids = sorted(set(claim_ids))
                row = session.get(Incident, view.id) if view.id is not None else None
                if row is None:
                    row = Incident(created_at=stamp)
                    session.add(row)
                row.updated_at = stamp
                _fill_row(row, view)
                session.flush()
                if view.id is not None:
                    session.execute(
                        delete(IncidentClaim).where(IncidentClaim.incident_id == row.id)
                    )
                session.add_all(IncidentClaim(incident_id=row.id, claim_id=c) for c in cids)
                ledger.append(
                    session,
                    actor=actor,
                    action=action,
                    subject_type="incident",
                    subject_id=str(row.id),
                    payload={
                        "claims": cids,
                        "record_sha256": ledger.sha256_hex(ledger.canonical_json(row.data)),
                        "grade": row.grade,
                        "killed": [row.killed_low, row.killed_best, row.killed_high],
                    },
                )
                ids.append(row.id)
        return ids

    def retire_incident(
        self, incident_id: int, *, actor: str, reason: str, merged_into: int | None = None
    ) -> None:
        """Remove an incident whose claims now belong elsewhere (merged by an analyst, or all its
        claims superseded). The ledger keeps its history and says where it went."""
        with self.transaction() as session:
            row = session.get(Incident, incident_id)
            if row is None:
                return
            session.execute(delete(IncidentClaim).where(IncidentClaim.incident_id == incident_id))
            session.delete(row)
            ledger.append(
                session,
                actor=actor,
                action="retire",
                subject_type="incident",
                subject_id=str(incident_id),
                payload={"reason": reason[:2000], "merged_into": merged_into},
            )
