"""Store functions that incremental resolution needs: its saved state, the incidents and claims
around a date window, document texts for independence, and retiring merged incidents."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

import orjson
from sqlalchemy import (
    Row,
    Select,
    Table,
    bindparam,
    delete,
    insert,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from marsad.contract.incident import IncidentView, StoredClaim
from marsad.store import ledger
from marsad.store.crypto import JSONText
from marsad.store.models import (
    Claim,
    Correction,
    Document,
    Incident,
    IncidentClaim,
    ResolverState,
    Source,
)
from marsad.store.rows import incident_columns
from marsad.store.verify import incident_row_sha256

_CHUNK = 500


def _chunks(ids: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(ids)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


_INCIDENTS = cast(Table, Incident.__table__)
_LINKS = cast(Table, IncidentClaim.__table__)


def _claim_query() -> Select[Any]:
    """Columns of a current claim, its document and its source (outer joins: imported claims
    have no document). The JSON columns come as text, parsed by :func:`_json`."""
    query: Select[Any] = (
        select(
            Claim.id,
            Claim.document_id,
            Claim.sensitivity,
            type_coerce(Claim.data, JSONText("claims.data")),
            type_coerce(Claim.provenance, JSONText("claims.provenance")),
            Claim.date_start,
            Source.id,
            Source.name,
            Source.credibility,
            Document.id,
            Document.published,
            Document.title,
            Document.url,
        )
        .join(Document, Document.id == Claim.document_id, isouter=True)
        .join(Source, Source.id == Document.source_id, isouter=True)
        .where(Claim.superseded.is_(False))
    )
    return query


def _json(value: Any) -> Any:
    """A JSON column read as text (see :func:`_claim_query`), parsed with orjson: the standard
    library's decoder dominates reading an archive's claims. Drivers that
    hand back parsed JSON already (psycopg) pass through; what orjson refuses (NaN, huge
    integers) falls back to the standard library, so the values are the same either way."""
    if isinstance(value, (str, bytes)):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return json.loads(value)
    return value


def _stored(row: Row[Any]) -> StoredClaim:
    """A :class:`StoredClaim` from a :func:`_claim_query` row, exactly as the ORM reading of
    :meth:`Store.iter_claims` builds it."""
    cid, doc_id, sens, data, prov, day, src_id, src_name, cred, has_doc, pub, title, url = tuple(
        row
    )
    data = _json(data)
    prov = _json(prov)
    return StoredClaim(
        claim_id=cid,
        document_id=doc_id,
        source_id=src_id,
        source_name=src_name if src_id is not None else prov.get("dataset"),
        source_credibility=cred if src_id is not None else 1.0,
        published=pub if has_doc is not None else day,
        sensitivity=sens,
        data=data,
        provenance=prov,
        title=title,
        url=url,
    )


def _insert_returning_ids(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert new incident rows and return their ids in order.

    On PostgreSQL the ids are drawn from the table's own sequence first and the rows go in as a
    plain executemany (psycopg pipelines it with one parsed statement): a multi-row ``INSERT ...
    RETURNING`` of hundreds of wide rows spent most of its time in the driver re-parsing the
    giant statement. SQLite has no such cost, so there it is one multi-row insert with
    ``RETURNING`` in parameter order."""
    if session.get_bind().dialect.name == "postgresql":
        drawn = session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('incidents', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": len(rows)},
        ).scalars()
        ids = sorted(int(i) for i in drawn)
        session.execute(
            insert(_INCIDENTS), [{**r, "id": i} for r, i in zip(rows, ids, strict=True)]
        )
        return ids
    returned = session.execute(
        insert(_INCIDENTS).returning(_INCIDENTS.c.id, sort_by_parameter_order=True), rows
    ).scalars()
    return [int(i) for i in returned]


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

    def claims_since(self, since_id: int = 0, *, batch: int = 5000) -> Iterator[StoredClaim]:
        """Current claims after ``since_id`` in id order, as :meth:`Store.iter_claims` gives
        them, read as plain rows (no ORM objects: loading three mapped entities per claim cost
        more than resolving it) in pages of ``batch``."""
        last = since_id
        while True:
            with self.reading() as session:
                rows = session.execute(
                    _claim_query().where(Claim.id > last).order_by(Claim.id).limit(batch)
                ).all()
            if not rows:
                return
            yield from map(_stored, rows)
            last = rows[-1][0]

    def stored_claims(self, claim_ids: Iterable[int]) -> list[StoredClaim]:
        """Current (not superseded) claims by id, as :meth:`Store.iter_claims` gives them."""
        out: list[StoredClaim] = []
        with self.reading() as session:
            for chunk in _chunks(sorted(set(claim_ids))):
                rows = session.execute(
                    _claim_query().where(Claim.id.in_(chunk)).order_by(Claim.id)
                ).all()
                out.extend(map(_stored, rows))
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

    def incidents_with_corrections(self, incident_ids: Iterable[int]) -> set[int]:
        """Which of these incidents an analyst has corrected (one query per 500 ids), so that
        saving a batch re-applies corrections only where there are some."""
        out: set[int] = set()
        with self.reading() as session:
            for chunk in _chunks(sorted({str(i) for i in incident_ids})):
                for (sid,) in session.execute(
                    select(Correction.subject_id)
                    .where(Correction.subject_type == "incident", Correction.subject_id.in_(chunk))
                    .distinct()
                ):
                    out.add(int(sid))
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
        Returns the incident ids in order.

        Written in bulk: one multi-row insert for the new incidents (ids returned in order), one
        executemany update for the existing ones, one delete and one insert for their claim
        links, and one chained ledger append (:func:`ledger.append_many`) holding every
        incident's own entry. An id that names no row any more gets a new row, as before."""
        items = [(view, sorted(set(claim_ids))) for view, claim_ids in items]
        if not items:
            return []
        table = _INCIDENTS
        stamp = datetime.now(UTC)
        with self.transaction() as session:
            present: set[int] = set()
            for chunk in _chunks(sorted({v.id for v, _ in items if v.id is not None})):
                present.update(
                    session.execute(select(Incident.id).where(Incident.id.in_(chunk))).scalars()
                )
            values = [{**incident_columns(view), "updated_at": stamp} for view, _ in items]
            ids: list[int | None] = [
                v.id if v.id is not None and v.id in present else None for v, _ in items
            ]
            new_at = [i for i, iid in enumerate(ids) if iid is None]
            old_at = [i for i, iid in enumerate(ids) if iid is not None]
            if new_at:
                rows = [{**values[i], "created_at": stamp} for i in new_at]
                for i, iid in zip(new_at, _insert_returning_ids(session, rows), strict=True):
                    ids[i] = iid
            if old_at:
                updates = []
                for i in old_at:
                    v = {k: x for k, x in values[i].items() if k != "created_at"}
                    v["b_id"] = ids[i]
                    updates.append(v)
                keys = [k for k in updates[0] if k != "b_id"]
                session.execute(
                    update(table)
                    .where(table.c.id == bindparam("b_id"))
                    .values({k: bindparam(k) for k in keys}),
                    updates,
                )
            # claim links: drop those of every incident that had an id, then insert all afresh
            relinked = sorted({v.id for v, _ in items if v.id is not None})
            for chunk in _chunks(relinked):
                session.execute(delete(_LINKS).where(IncidentClaim.incident_id.in_(chunk)))
            links = [
                {"incident_id": iid, "claim_id": c}
                for iid, (_, cids) in zip(ids, items, strict=True)
                for c in cids
            ]
            if links:
                session.execute(insert(_LINKS), links)
            ledger.append_many(
                session,
                [
                    ledger.NewEntry(
                        actor=actor,
                        action=action,
                        subject_type="incident",
                        subject_id=str(iid),
                        payload={
                            "claims": cids,
                            "record_sha256": ledger.sha256_hex(ledger.canonical_json(v["data"])),
                            "row_sha256": incident_row_sha256(v),
                            "grade": v["grade"],
                            "killed": [v["killed_low"], v["killed_best"], v["killed_high"]],
                        },
                    )
                    for iid, (_, cids), v in zip(ids, items, values, strict=True)
                ],
            )
        return [int(i) for i in ids if i is not None]

    def retire_incidents(
        self, retirements: Iterable[tuple[int, str, int | None]], *, actor: str
    ) -> int:
        """Remove many incidents, each ``(incident id, reason, merged into)``, in one
        transaction: claim links, rows, and one ledger entry each saying where it went, as
        :meth:`retire_incident` writes them. Returns how many existed and were removed."""
        wanted = list(retirements)
        if not wanted:
            return 0
        with self.transaction() as session:
            present: set[int] = set()
            for chunk in _chunks(sorted({iid for iid, _, _ in wanted})):
                present.update(
                    session.execute(select(Incident.id).where(Incident.id.in_(chunk))).scalars()
                )
            done: list[tuple[int, str, int | None]] = []
            for iid, reason, merged_into in wanted:
                if iid in present:
                    present.discard(iid)
                    done.append((iid, reason, merged_into))
            gone = [iid for iid, _, _ in done]
            for chunk in _chunks(gone):
                session.execute(delete(_LINKS).where(IncidentClaim.incident_id.in_(chunk)))
                session.execute(delete(_INCIDENTS).where(Incident.id.in_(chunk)))
            ledger.append_many(
                session,
                [
                    ledger.NewEntry(
                        actor=actor,
                        action="retire",
                        subject_type="incident",
                        subject_id=str(iid),
                        payload={"reason": reason[:2000], "merged_into": merged_into},
                    )
                    for iid, reason, merged_into in done
                ],
            )
        return len(done)

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
