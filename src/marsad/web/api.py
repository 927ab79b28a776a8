"""The JSON API under ``/api``. Every read goes through the reader's clearance; every write is a
ledger entry naming the account."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from marsad.contract.incident import AggregateView, IncidentFilter, IncidentView
from marsad.protect.disclosure import first_span
from marsad.publish.formats import FORMATS as EXPORT_FORMATS
from marsad.publish.labels import count_words
from marsad.store.accounts import MAX_TOKEN_DAYS, TOKEN_DAYS, TokenInfo
from marsad.store.reads import DIMENSIONS, CountRow
from marsad.store.search import KINDS as SEARCH_KINDS
from marsad.web.access import (
    Admin,
    ReadAccess,
    Reviewer,
    SignedIn,
    forget_tokens,
    store_of,
)
from marsad.web.auth import Reader, audit_reads, check_csrf
from marsad.web.params import (
    MAX_PAGE,
    BadInput,
    decode_document_cursor,
    decode_id_cursor,
    decode_incident_cursor,
    encode_cursor,
    has_nul,
    parse_filter,
    parse_id,
)

try:  # optional (see fast_json)
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on what is installed
    _orjson = None  # type: ignore[assignment, unused-ignore]

router = APIRouter(prefix="/api")


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page size, 1-{MAX_PAGE}")]
Cursor = Annotated[str | None, Query(max_length=200, description="from the previous page")]
Text = Annotated[str | None, Query(max_length=200)]


async def incident_filter(
    request: Request,
    reader: ReadAccess,
    from_: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    to: Annotated[str | None, Query(max_length=10)] = None,
    area: Text = None,
    type: Text = None,
    perpetrator: Text = None,
    weapon: Text = None,
    facility: Text = None,
    grade: Text = None,
    q: Text = None,
) -> IncidentFilter:
    """Filters (comma-separated for several values); declared for the OpenAPI document and
    parsed from the query string so repeated parameters work too."""
    store = store_of(request)

    def known(area: str) -> bool:
        probe = IncidentFilter(area=area, max_sensitivity=reader.max_sensitivity)
        return bool(store.count_incidents(probe))

    return parse_filter(request.query_params, reader.max_sensitivity, known)


Filter = Annotated[IncidentFilter, Depends(incident_filter)]


@lru_cache(maxsize=64)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def plain(value: Any) -> Any:
    """Dataclasses, lists and dicts as plain JSON-ready data, dates as ISO text.

    The same result as :func:`dataclasses.asdict` followed by date formatting, without
    ``asdict``'s deep copy of every leaf, which on a page of incidents rivals the database
    query."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _field_names(type(value))}
    return value


def incident_json(view: IncidentView) -> dict[str, Any]:
    """The incident as JSON data; equal to ``view.to_dict()`` with every date as ISO text."""
    out: dict[str, Any] = plain(view)
    return out


def reported_total_json(total: AggregateView) -> dict[str, Any]:
    """A reported total as JSON data, with each figure worded as its source stated it."""
    out: dict[str, Any] = plain(total)
    out["stated"] = [count_words(c, "en") for c in total.counts]
    return out


def count_rows_json(rows: list[CountRow]) -> list[Any]:
    """Count rows as JSON data; :func:`plain` gives the same but walked 1,800 rows (a year by
    day and type) generically, a third of that request's time. orjson writes dataclasses
    itself (fields in order: the same JSON), so with it the rows are passed as they are."""
    if _orjson is not None:
        return list(rows)
    return [
        {"key": r.key, "label": r.label, "incidents": r.incidents, "killed": r.killed} for r in rows
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def fast_json(payload: dict[str, Any]) -> Response:
    """Plain data straight to JSON: skips FastAPI's generic encoder, which costs more than the
    database query on a page of incidents. With orjson installed the page is encoded in C;
    the bytes mean the same."""
    body: bytes | str
    if _orjson is not None:
        body = _orjson.dumps(payload, default=_plain)
    else:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return Response(body, media_type="application/json")


# -- reads ---------------------------------------------------------------------------------


@router.get("/health")
async def health() -> dict[str, Any]:
    # async and touching nothing: it answers while every worker thread waits on the database
    return {"ok": True}


@router.get("/me")
def me(reader: SignedIn) -> dict[str, Any]:
    return {"username": reader.name, "role": reader.role, "clearance": reader.max_sensitivity}


@router.get("/documents")
def list_documents(
    request: Request, reader: ReadAccess, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    after = decode_document_cursor(cursor)
    items, nxt = store_of(request).documents_page(reader.max_sensitivity, after=after, limit=limit)
    audit_reads(request, reader, "documents", (i["sensitivity"] for i in items))
    return {"items": items, "next_cursor": encode_cursor((nxt,)) if nxt else None}


@router.get("/documents/{document_id}")
def get_document(request: Request, document_id: str, reader: ReadAccess) -> dict[str, Any]:
    if len(document_id) > 64:
        raise BadInput("a document id is at most 64 hexadecimal characters")
    record = store_of(request).visible_document(document_id.lower(), reader.max_sensitivity)
    if record is None:
        raise HTTPException(404, "no such document")
    audit_reads(request, reader, "document", [record.sensitivity], subject=record.id)
    out = asdict(record)
    out["published"] = record.published.isoformat() if record.published else None
    out["retrieved_at"] = record.retrieved_at.isoformat()
    return out


@router.get("/claims")
def list_claims(
    request: Request,
    reader: ReadAccess,
    document: Annotated[str | None, Query(max_length=64)] = None,
    scope: Annotated[str | None, Query(pattern="^(incident|aggregate)$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    after = decode_id_cursor(cursor)
    items, nxt = store_of(request).claims_page(
        reader.max_sensitivity, after=after, limit=limit, document_id=document, scope=scope
    )
    audit_reads(request, reader, "claims", (i["sensitivity"] for i in items))
    return {"items": items, "next_cursor": encode_cursor((nxt,)) if nxt else None}


@router.get("/incidents")
def list_incidents(
    request: Request, f: Filter, reader: ReadAccess, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    items, nxt = store_of(request).incident_page_data(
        f, after=decode_incident_cursor(cursor), limit=limit
    )
    audit_reads(request, reader, "incidents", (i["sensitivity"] for i in items))
    return fast_json({"items": items, "next_cursor": encode_cursor(nxt)})


SearchKinds = Annotated[
    str | None, Query(pattern="^(document|claim|incident)(,(document|claim|incident))*$")
]


@router.get("/search")
def search(
    request: Request,
    reader: ReadAccess,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: SearchKinds = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Documents, claims and incidents with every word of ``q``, as this reader may see them
    (Arabic letter forms folded; see :mod:`marsad.store.search`)."""
    if has_nul(q):
        raise BadInput("'q' must not hold a NUL character")
    kinds = kind.split(",") if kind else SEARCH_KINDS
    store = store_of(request)
    hits = store.search(q, reader.max_sensitivity, limit=limit, kinds=kinds)
    audit_reads(request, reader, "search", (h.sensitivity for h in hits))
    # the words are echoed as any text is shown: a protected name typed in comes back masked
    shown = store.disclosure(reader.max_sensitivity)(q)
    return {"query": shown, "items": [h.to_dict() for h in hits]}


@router.get("/incidents/{incident_id}")
def get_incident(request: Request, incident_id: str, reader: ReadAccess) -> Response:
    iid = parse_id(incident_id, "an incident")
    view = store_of(request).visible_incident(iid, reader.max_sensitivity)
    if view is None:
        raise HTTPException(404, "no such incident")
    audit_reads(request, reader, "incident", [view.sensitivity], subject=str(iid))
    return fast_json(incident_json(view))


@router.get("/incidents/{incident_id}/history")
def incident_history(request: Request, incident_id: str, reader: Reviewer) -> dict[str, Any]:
    iid = parse_id(incident_id, "an incident")
    store = store_of(request)
    if store.visible_incident(iid, reader.max_sensitivity) is None:
        raise HTTPException(404, "no such incident")
    return {
        "ledger": [
            {
                "seq": e.seq,
                "time": e.time,
                "actor": e.actor,
                "action": e.action,
                "payload": e.payload,
                "entry_hash": e.entry_hash,
            }
            for e in store.history("incident", str(iid))
        ],
        "corrections": store.corrections_for(iid),
    }


@router.get("/persons")
def list_persons(
    request: Request, reader: Reviewer, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    items, nxt = store_of(request).persons_page(after=decode_id_cursor(cursor), limit=limit)
    audit_reads(request, reader, "persons", (p.sensitivity for p in items))
    return {
        "items": [asdict(p) for p in items],
        "next_cursor": encode_cursor((nxt,)) if nxt else None,
    }


@router.get("/aggregates")
def aggregates(
    request: Request,
    f: Filter,
    by: Annotated[
        str, Query(max_length=200, description=f"comma-separated: {', '.join(DIMENSIONS)}")
    ] = "type",
    reported: bool = False,
) -> Response:
    """Counts of visible incidents by dimension, computed only over what the reader may see;
    ``reported=true`` adds the totals sources reported (aggregate claims)."""
    dims = [d.strip() for d in by.split(",") if d.strip()]
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown or not dims:
        raise BadInput(f"'by' takes {', '.join(DIMENSIONS)}", unknown)
    store = store_of(request)
    totals, counts = store.counts_and_totals(f, list(dict.fromkeys(dims)))
    out: dict[str, Any] = {"totals": totals, "by": {d: count_rows_json(counts[d]) for d in dims}}
    if reported:
        out["reported_totals"] = [reported_total_json(a) for a in store.reported_totals(f)]
    return fast_json(out)


@router.get("/export")
def export(
    request: Request,
    f: Filter,
    reader: ReadAccess,
    format: Annotated[
        str, Query(max_length=20, description=f"one of {', '.join(EXPORT_FORMATS)}")
    ] = "geojson",
    include_unreviewed: Annotated[
        bool, Query(description="public exports hold only reviewed incidents unless true")
    ] = False,
) -> StreamingResponse:
    """Every visible incident matching the filters, in one of the published formats.

    The export runs through the publishing layer with the reader's clearance as its ceiling, so
    a viewer's file holds exactly what the viewer's list and counts show; a wider export is
    recorded in the ledger under the account's name. The file is spooled (memory up to a few
    megabytes, disk beyond) so a 100,000-row export does not sit in memory."""
    from marsad.publish.export import export_incidents

    if format not in EXPORT_FORMATS:
        raise BadInput(f"'format' takes {', '.join(EXPORT_FORMATS)}", format[:20])
    media, ext = EXPORT_FORMATS[format].media_type, EXPORT_FORMATS[format].extension
    # closed by the streaming generator below once sent (or here if the export fails)
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+b")  # noqa: SIM115
    try:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        result = export_incidents(
            store_of(request),
            format,
            text,
            f,
            actor=reader.name,
            include_unreviewed=include_unreviewed,
        )
        text.flush()
        text.detach()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def chunks() -> Iterator[bytes]:
        try:
            while block := spool.read(1 << 16):
                yield block
        finally:
            spool.close()

    headers = {
        "Content-Disposition": f'attachment; filename="marsad-incidents.{ext}"',
        "X-Marsad-Rows": str(result.rows),
        "X-Marsad-SHA256": result.sha256,
        "X-Marsad-Unreviewed-Left-Out": str(result.unreviewed_left_out),
    }
    return StreamingResponse(chunks(), media_type=media, headers=headers)


@router.get("/review/queue")
def review_queue(request: Request, reader: Reviewer, limit: Limit = 50) -> dict[str, Any]:
    items = store_of(request).review_queue(max_sensitivity=reader.max_sensitivity, limit=limit)
    audit_reads(request, reader, "review_queue", (i.incident.sensitivity for i in items))
    return {
        "items": [
            {"incident": incident_json(i.incident), "priority": i.priority, "reasons": i.reasons}
            for i in items
        ]
    }


# -- review actions ------------------------------------------------------------------------


def _nul_anywhere(value: Any) -> bool:
    if isinstance(value, str):
        return has_nul(value)
    if isinstance(value, list | tuple):
        return any(_nul_anywhere(v) for v in value)
    return False


class Body(BaseModel):
    """A JSON request body. No text in it may hold a NUL (PostgreSQL cannot store one): such a
    body is refused with 400 (the app maps the ``nul_byte`` error), on every backend alike."""

    @model_validator(mode="after")
    def _no_nul(self) -> Body:
        for name in type(self).model_fields:
            if _nul_anywhere(getattr(self, name)):
                raise PydanticCustomError("nul_byte", "text may not contain a NUL character")
        return self


class ConfirmBody(Body):
    note: str = Field("", max_length=2000)


class CorrectionBody(Body):
    field: str = Field(max_length=80)
    value: str | int | list[str] | None = None
    reason: str = Field("", max_length=2000)


class SensitivityBody(Body):
    level: str = Field(max_length=16)
    reason: str = Field("", max_length=2000)


class MergeBody(Body):
    incidents: list[int] = Field(min_length=2, max_length=100)
    reason: str = Field("", max_length=2000)


class SplitBody(Body):
    groups: list[list[int]] = Field(min_length=2, max_length=100)
    reason: str = Field("", max_length=2000)


class PersonBody(Body):
    name: str = Field(min_length=2, max_length=300)
    aliases: list[str] = Field(default_factory=list, max_length=50)
    role: str = Field("unknown", max_length=40)
    document_id: str | None = Field(None, max_length=64)


class ApprovalBody(Body):
    text: str = Field(min_length=1, max_length=20000)
    field: str = Field("text", max_length=40)


class TokenBody(Body):
    label: str = Field("api", min_length=1, max_length=120)
    expires_days: int = Field(
        TOKEN_DAYS, ge=1, le=MAX_TOKEN_DAYS, description="days the token works for"
    )


def _reviewable(request: Request, reader: Reader, incident_id: str) -> int:
    check_csrf(request, reader, None)
    iid = parse_id(incident_id, "an incident")
    if store_of(request).visible_incident(iid, reader.max_sensitivity) is None:
        raise HTTPException(404, "no such incident")
    return iid


@router.post("/persons")
def protect_person(request: Request, body: PersonBody, reader: Reviewer) -> dict[str, Any]:
    """Mark a person as protected (or add other forms of their name): every form is masked in
    every output for readers not cleared for restricted records, from the next request on."""
    check_csrf(request, reader, None)
    store = store_of(request)
    span = None
    doc_id = None
    if body.document_id:
        doc = store.visible_document(body.document_id.lower(), reader.max_sensitivity)
        if doc is None:
            raise HTTPException(404, "no such document")
        doc_id, span = doc.id, first_span(doc.text, body.name)
    try:
        pid = store.add_protected_person(
            body.name,
            aliases=body.aliases,
            role=body.role,
            actor=reader.name,
            document_id=doc_id,
            span=span,
        )
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return {"ok": True, "id": pid, "mention": list(span) if span else None}


@router.post("/approvals")
def approve_text(request: Request, body: ApprovalBody, reader: Reviewer) -> dict[str, Any]:
    """Approve a free text (a source's title or excerpt, a note) word for word for public
    outputs; refused while it names a protected person."""
    check_csrf(request, reader, None)
    try:
        digest = store_of(request).approve_text(body.text, field=body.field, actor=reader.name)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return {"ok": True, "sha256": digest}


@router.post("/incidents/{incident_id}/confirm")
def confirm(
    request: Request, incident_id: str, body: ConfirmBody, reader: Reviewer
) -> dict[str, Any]:
    iid = _reviewable(request, reader, incident_id)
    seq = store_of(request).confirm_incident(iid, actor=reader.name, note=body.note)
    return {"ok": True, "ledger_seq": seq}


@router.post("/incidents/{incident_id}/corrections")
def correct(
    request: Request, incident_id: str, body: CorrectionBody, reader: Reviewer
) -> dict[str, Any]:
    iid = _reviewable(request, reader, incident_id)
    try:
        seq = store_of(request).correct_incident(
            iid, body.field, body.value, actor=reader.name, reason=body.reason
        )
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return {"ok": True, "ledger_seq": seq}


@router.post("/incidents/{incident_id}/sensitivity")
def set_sensitivity(
    request: Request, incident_id: str, body: SensitivityBody, reader: Reviewer
) -> dict[str, Any]:
    iid = _reviewable(request, reader, incident_id)
    try:
        seq = store_of(request).set_incident_sensitivity(
            iid, body.level, actor=reader.name, reason=body.reason
        )
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return {"ok": True, "ledger_seq": seq}


@router.post("/incidents/{incident_id}/split")
def split(request: Request, incident_id: str, body: SplitBody, reader: Reviewer) -> dict[str, Any]:
    iid = _reviewable(request, reader, incident_id)
    try:
        seq = store_of(request).record_split(
            iid, body.groups, actor=reader.name, reason=body.reason
        )
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return {"ok": True, "ledger_seq": seq}


@router.post("/decisions/merge")
def merge(request: Request, body: MergeBody, reader: Reviewer) -> dict[str, Any]:
    check_csrf(request, reader, None)
    store = store_of(request)
    for iid in body.incidents:
        if (
            not 1 <= iid <= 2_147_483_647
            or store.visible_incident(iid, reader.max_sensitivity) is None
        ):
            raise HTTPException(404, f"no such incident {iid}")
    try:
        seq = store.record_merge(body.incidents, actor=reader.name, reason=body.reason)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return {"ok": True, "ledger_seq": seq}


# -- tokens and users ------------------------------------------------------------------------


def token_json(t: TokenInfo, now: datetime) -> dict[str, Any]:
    return {
        "id": t.id,
        "username": t.username,
        "label": t.label,
        "created_at": t.created_at.isoformat(),
        "age_days": t.age_days(now),
        "expires_at": t.expires_at.isoformat(),
        "expired": t.expired(now),
        "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
    }


@router.get("/tokens")
def list_tokens(request: Request, reader: SignedIn) -> dict[str, Any]:
    owner = None if reader.is_admin else reader.name
    now = datetime.now(UTC)
    return {"items": [token_json(t, now) for t in store_of(request).tokens(owner)]}


@router.post("/tokens")
def create_token(request: Request, body: TokenBody, reader: SignedIn) -> dict[str, Any]:
    check_csrf(request, reader, None)
    try:
        token = store_of(request).create_token(
            reader.name, label=body.label, actor=reader.name, days=body.expires_days
        )
    except (KeyError, ValueError) as exc:
        raise BadInput(str(exc.args[0] if exc.args else exc)) from exc
    expires = datetime.now(UTC) + timedelta(days=body.expires_days)
    return {
        "token": token,
        "expires_at": expires.isoformat(timespec="seconds"),
        "note": "shown once; only its SHA-256 is stored",
    }


@router.delete("/tokens/{token_id}")
def revoke_token(request: Request, token_id: str, reader: SignedIn) -> dict[str, Any]:
    check_csrf(request, reader, None)
    tid = parse_id(token_id, "a token")
    store = store_of(request)
    mine = {t.id for t in store.tokens(None if reader.is_admin else reader.name)}
    if tid not in mine:
        raise HTTPException(404, "no such token")
    revoked = store.revoke_token(actor=reader.name, token_id=tid)
    forget_tokens(request)
    return {"revoked": revoked}


@router.get("/users")
def list_users(request: Request, reader: Admin) -> dict[str, Any]:
    return {"items": [asdict(u) for u in store_of(request).users()]}
