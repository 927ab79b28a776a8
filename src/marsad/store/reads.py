"""Reads for the API and dashboard: keyset pages, counts by dimension, claims, documents and
persons, each for a reader cleared up to one sensitivity level, with restricted names redacted.

Counts are computed only over incidents the reader may see: the same filter that hides a
restricted incident from a list hides it from every total.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from marsad.contract.incident import AggregateView, IncidentFilter, IncidentView, visible_levels
from marsad.protect.disclosure import (
    Disclosure,
    incident_as_shown,
    public_aggregate,
    public_incident_data,
)
from marsad.store.crypto import JSONText
from marsad.store.filters import (
    apply_filter,
    longest_span_days,
    matches_json_filters,
    matches_json_filters_dict,
)
from marsad.store.models import (
    Claim,
    Document,
    Incident,
    IncidentDayCount,
    Person,
    PersonMention,
    Source,
)
from marsad.store.rows import incident_dict_from_row, view_from_row

PageKey = tuple[date | None, int]
# dimensions held in columns (grouped in SQL) and in the JSON record (counted in Python)
COLUMN_DIMENSIONS = ("day", "month", "area", "type", "grade")
JSON_DIMENSIONS = ("perpetrator", "weapon", "facility")
DIMENSIONS = COLUMN_DIMENSIONS + JSON_DIMENSIONS
# what a list item is built from: every column but the timestamps (see incident_page_data)
# (the record as its JSON text, parsed by loads_json: faster than the drivers' decoders)
_LIST_COLUMNS: list[Any] = [
    c for c in Incident.__table__.columns if c.key not in ("created_at", "updated_at", "data")
] + [cast(Incident.data, JSONText("incidents.data")).label("data")]
# a name is masked with as many blocks as it has characters, so evidence offsets stay valid
MASK = "\u2588"


@dataclass
class CountRow:
    key: str | None
    label: str | None
    incidents: int
    killed: int  # sum of best estimates


@dataclass
class DocumentRecord:
    """A document as a reader may see it: restricted names already blacked out of the text."""

    id: str
    title: str | None
    source: str | None
    url: str | None
    language: str
    published: date | None
    retrieved_at: datetime
    original_name: str
    media_type: str
    sensitivity: str
    text: str
    redacted: bool = False
    claims: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PersonRecord:
    id: int
    name: str
    role: str
    sensitivity: str
    documents: list[str]


def _source_texts(source: dict[str, Any]) -> tuple[Any, ...]:
    return (source.get("title"), source.get("excerpt"), source.get("url"))


def _keyset(q: Any, after: PageKey | None) -> Any:
    """Newest first: date descending (undated last), then id descending."""
    if after is not None:
        d, i = after
        if d is not None:
            q = q.where(
                or_(
                    Incident.date_start < d,
                    and_(Incident.date_start == d, Incident.id < i),
                    Incident.date_start.is_(None),
                )
            )
        else:
            q = q.where(Incident.date_start.is_(None), Incident.id < i)
    return q.order_by(Incident.date_start.desc().nulls_last(), Incident.id.desc())


def _union_all(selects: list[Any]) -> Any:
    # a plain call: mypy 2.4 crashes expanding union_all's variadic generic signature
    return union_all(*selects)


class ReadStoreMixin:
    """Read methods of :class:`marsad.store.Store` used by the web application."""

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[Session]: ...

        def reading(self) -> AbstractContextManager[Session]: ...

        def incident(
            self, incident_id: int, *, max_sensitivity: str = "public"
        ) -> IncidentView | None: ...

        def aggregates(self, f: IncidentFilter | None = None) -> list[AggregateView]: ...

        def disclosure(self, max_sensitivity: str, texts: Iterable[str] = ()) -> Disclosure: ...

        def incident_disclosure(
            self, views: Iterable[IncidentView], max_sensitivity: str
        ) -> Disclosure: ...

    # -- incidents ---------------------------------------------------------------------------

    def incident_page(
        self, f: IncidentFilter, *, after: PageKey | None = None, limit: int = 50
    ) -> tuple[list[IncidentView], PageKey | None]:
        """One page of matching incidents, newest first, and the key to fetch the next page
        from (None on the last page). Restricted names in source excerpts are redacted."""
        out: list[IncidentView] = []
        key = after
        json_filters = bool(f.perpetrators or f.weapons or f.facilities)
        batch = limit + 1 if not json_filters else max(4 * limit, 200)
        while len(out) <= limit:
            q = _keyset(apply_filter(select(Incident), f), key).limit(batch)
            with self.reading() as session:
                q = self._narrowed(session, q, f)
                rows = list(session.execute(q).scalars())
                views = [view_from_row(r, f.max_sensitivity) for r in rows]
            for row, view in zip(rows, views, strict=True):
                key = (row.date_start, row.id)
                if matches_json_filters(view, f):
                    out.append(view)
                    if len(out) > limit:
                        break
            if len(rows) < batch:
                break
        more = len(out) > limit
        page = out[:limit]
        next_key = (page[-1].date_start, int(page[-1].id or 0)) if more and page else None
        return self.redact_incidents(page, f.max_sensitivity), next_key

    def incident_page_data(
        self, f: IncidentFilter, *, after: PageKey | None = None, limit: int = 50
    ) -> tuple[list[dict[str, Any]], PageKey | None]:
        """:meth:`incident_page` as plain JSON-ready data (what the API sends), built straight
        from table rows: the same rows, filtering and redaction at a quarter of the cost."""
        out: list[dict[str, Any]] = []
        keys: list[PageKey] = []
        key = after
        levels = visible_levels(f.max_sensitivity)
        json_filters = bool(f.perpetrators or f.weapons or f.facilities)
        batch = limit + 1 if not json_filters else max(4 * limit, 200)
        while len(out) <= limit:
            q = _keyset(apply_filter(select(*_LIST_COLUMNS), f), key).limit(batch)
            with self.reading() as session:
                q = self._narrowed(session, q, f)
                rows = session.connection().execute(q).all()  # Core rows: no ORM loading
            for row in rows:
                key = (row.date_start, row.id)
                item = incident_dict_from_row(row, levels)
                if not json_filters or matches_json_filters_dict(item, f):
                    out.append(item)
                    keys.append(key)
                    if len(out) > limit:
                        break
            if len(rows) < batch:
                break
        more = len(out) > limit
        page = out[:limit]
        next_key = keys[limit - 1] if more and page else None
        return self.redact_incident_data(page, f.max_sensitivity), next_key

    def redact_incident_data(
        self, items: list[dict[str, Any]], max_sensitivity: str
    ) -> list[dict[str, Any]]:
        """:meth:`redact_incidents` for the plain form: the same fields, the same rules."""
        if max_sensitivity == "restricted" or not items:
            return items
        texts = [
            t
            for i in items
            for t in (i.get("notes"), *(v for s in i["sources"] for v in _source_texts(s)))
            if t
        ]
        d = self.disclosure(max_sensitivity, texts)
        if d.public:
            return [public_incident_data(i, d) for i in items]
        shown: list[dict[str, Any]] = d.show(items)
        return shown

    def visible_incident(self, incident_id: int, max_sensitivity: str) -> IncidentView | None:
        """The incident as this reader may see it (None when missing or not cleared)."""
        view = self.incident(incident_id, max_sensitivity=max_sensitivity)
        if view is None:
            return None
        return self.redact_incidents([view], max_sensitivity)[0]

    def redact_incidents(
        self, views: list[IncidentView], max_sensitivity: str
    ) -> list[IncidentView]:
        """The incidents as a reader below ``restricted`` may see them: every protected name
        masked and, for public readers, the public form (free text only where approved)."""
        if max_sensitivity == "restricted" or not views:
            return views
        d = self.incident_disclosure(views, max_sensitivity)
        return [incident_as_shown(v, d) for v in views]

    def incident_counts(self, f: IncidentFilter, by: str) -> list[CountRow]:
        """Visible incidents matching ``f`` counted by one dimension, with killed (best) summed;
        largest first, except time dimensions which are in date order."""
        if by not in DIMENSIONS:
            raise ValueError(f"unknown dimension {by!r}; use one of {', '.join(DIMENSIONS)}")
        json_filters = bool(f.perpetrators or f.weapons or f.facilities)
        if by in COLUMN_DIMENSIONS and not json_filters:
            return self._column_counts(f, by)
        counts: Counter[str] = Counter()
        killed: Counter[str] = Counter()
        labels: dict[str, str] = {}
        for view in self._iter_matching(f):
            for key, label in _dimension_values(view, by):
                counts[key] += 1
                killed[key] += view.figure("killed").best or 0
                labels[key] = label
        rows = [CountRow(k, labels.get(k), n, killed[k]) for k, n in counts.items()]
        if by in ("day", "month"):
            return sorted(rows, key=lambda r: r.key or "")
        return sorted(rows, key=lambda r: (-r.incidents, r.key or ""))

    def _iter_matching(self, f: IncidentFilter, batch: int = 2000) -> Iterable[IncidentView]:
        key: PageKey | None = None
        while True:
            q = _keyset(apply_filter(select(Incident), f), key).limit(batch)
            with self.reading() as session:
                q = self._narrowed(session, q, f)
                rows = list(session.execute(q).scalars())
                views = [view_from_row(r, f.max_sensitivity) for r in rows]
            for row, view in zip(rows, views, strict=True):
                key = (row.date_start, row.id)
                if matches_json_filters(view, f):
                    yield view
            if len(rows) < batch:
                return

    def _narrowed(self, session: Session, q: Any, f: IncidentFilter) -> Any:
        """Add the lower bound on the start date that a period filter implies (nothing that
        overlaps the period starts before ``from`` minus the longest incident), so the date
        index is read as a two-sided range instead of from one end."""
        if f.date_from is None:
            return q
        return q.where(
            Incident.date_start >= f.date_from - timedelta(days=longest_span_days(session))
        )

    def _column_counts(self, f: IncidentFilter, by: str) -> list[CountRow]:
        return self._column_counts_and_totals(f, by)[0]

    def counts_and_totals(
        self, f: IncidentFilter, dims: list[str]
    ) -> tuple[dict[str, int], dict[str, list[CountRow]]]:
        """:meth:`incident_totals` and :meth:`incident_counts` for each of ``dims`` together.

        Every visible incident falls in exactly one group of a column dimension (day, month,
        area, type, grade), so the totals are the sums over the first such grouping: one query
        fewer per request (the aggregate endpoint's totals cost as much as a grouping)."""
        if (
            f.perpetrators
            or f.weapons
            or f.facilities
            or not any(d in COLUMN_DIMENSIONS for d in dims)
        ):
            return self.incident_totals(f), {d: self.incident_counts(f, d) for d in dims}
        if _day_counts_serve(f, dims):
            return self._day_counts(f, dims)
        first = next(d for d in dims if d in COLUMN_DIMENSIONS)
        rows, totals = self._column_counts_and_totals(f, first)
        out = {d: (rows if d == first else self.incident_counts(f, d)) for d in dims}
        return totals, out

    def _day_counts(
        self, f: IncidentFilter, dims: list[str]
    ) -> tuple[dict[str, int], dict[str, list[CountRow]]]:
        """Totals and counts by day, month or type from ``incident_day_counts`` (see migration
        0004): the same overlap test and clearance as :func:`apply_filter`, over a few rows per
        day instead of every incident, grouped in SQL. Each grouping (by day, serving months
        too, and by type) is one branch of a single UNION ALL: one round trip to the database
        whatever the dimensions (it matters on PostgreSQL); totals are the sums over one."""
        t = IncidentDayCount
        groupings = sorted({"type" if d == "type" else "day" for d in dims})
        branches = []
        with self.reading() as session:
            span = longest_span_days(session) if f.date_from else 0
            for g in groupings:
                column: Any = t.event_type if g == "type" else t.day
                # ISO text on both backends: no date objects to build and format again
                label: Any = t.event_type if g == "type" else cast(t.day, String)
                q: Any = select(
                    literal(g).label("grouping"),
                    label.label("key"),
                    func.sum(t.incidents),
                    func.sum(t.killed),
                    func.sum(t.injured),
                ).where(t.sensitivity.in_(visible_levels(f.max_sensitivity)))
                if f.event_types:
                    q = q.where(t.event_type.in_(f.event_types))
                if f.date_to:
                    q = q.where(t.day <= f.date_to)
                if f.date_from:
                    q = q.where(or_(t.day_end >= f.date_from, t.day >= f.date_from))
                    q = q.where(t.day >= f.date_from - timedelta(days=span))
                branches.append(q.group_by(column))
            query: Any = branches[0] if len(branches) == 1 else _union_all(branches)
            found = session.connection().execute(query).all()
        raw: dict[str, list[tuple[str, int, int, int]]] = {g: [] for g in groupings}
        for g, key, n, k, i in found:
            if n:
                raw[g].append((str(key), int(n), int(k), int(i)))
        first = raw[groupings[0]]
        totals = {
            "incidents": sum(r[1] for r in first),
            "killed": sum(r[2] for r in first),
            "injured": sum(r[3] for r in first),
        }
        out: dict[str, list[CountRow]] = {}
        for d in dims:
            if d == "month":
                n_by: Counter[str] = Counter()
                k_by: Counter[str] = Counter()
                for key, n, k, _i in raw["day"]:
                    n_by[key[:7]] += n
                    k_by[key[:7]] += k
                rows = [CountRow(m, m, n, k_by[m]) for m, n in n_by.items()]
            else:
                rows = [CountRow(key, key, n, k) for key, n, k, _i in raw[d]]
            if d in ("day", "month"):
                out[d] = sorted(rows, key=lambda r: r.key or "9999")
            else:
                out[d] = sorted(rows, key=lambda r: (-r.incidents, r.key or ""))
        return totals, out

    def _column_counts_and_totals(
        self, f: IncidentFilter, by: str
    ) -> tuple[list[CountRow], dict[str, int]]:
        killed = func.coalesce(func.sum(Incident.killed_best), 0)
        injured = func.coalesce(func.sum(Incident.injured_best), 0)
        q: Any
        if by == "area":
            q = select(
                Incident.admin1_pcode, func.max(Incident.admin1), func.count(), killed, injured
            )
            q = apply_filter(q.select_from(Incident), f).group_by(Incident.admin1_pcode)
        else:
            column: Any = {
                "day": Incident.date_start,
                "month": Incident.date_start,
                "type": Incident.event_type,
                "grade": Incident.grade,
            }[by]
            q = apply_filter(select(column, column, func.count(), killed, injured), f)
            q = q.select_from(Incident).group_by(column)
        with self.reading() as session:
            narrowed = self._narrowed(session, q, f)
            raw: list[Any] = list(session.connection().execute(narrowed).all())
        totals = {
            "incidents": sum(int(r[2]) for r in raw),
            "killed": sum(int(r[3]) for r in raw),
            "injured": sum(int(r[4]) for r in raw),
        }
        rows: list[CountRow] = []
        if by == "month":
            months: Counter[str] = Counter()
            month_killed: Counter[str] = Counter()
            for day, _, n, k, _i in raw:
                m = day.isoformat()[:7] if day else "undated"
                months[m] += int(n)
                month_killed[m] += int(k)
            rows = [CountRow(m, m, months[m], month_killed[m]) for m in months]
        else:
            for key, label, n, k, _i in raw:
                text = key.isoformat() if isinstance(key, date) else key
                lab = label.isoformat() if isinstance(label, date) else label
                rows.append(CountRow(text, lab, int(n), int(k)))
        if by in ("day", "month"):
            return sorted(rows, key=lambda r: r.key or "9999"), totals
        return sorted(rows, key=lambda r: (-r.incidents, r.key or "")), totals

    def incident_totals(self, f: IncidentFilter) -> dict[str, int]:
        """How many visible incidents match, and killed/injured best estimates summed."""
        if f.perpetrators or f.weapons or f.facilities:
            n = killed = injured = 0
            for v in self._iter_matching(f):
                n += 1
                killed += v.figure("killed").best or 0
                injured += v.figure("injured").best or 0
            return {"incidents": n, "killed": killed, "injured": injured}
        sums: Any = select(
            func.count(),
            func.coalesce(func.sum(Incident.killed_best), 0),
            func.coalesce(func.sum(Incident.injured_best), 0),
        ).select_from(Incident)
        q = apply_filter(sums, f)
        with self.reading() as session:
            n, k, i = session.execute(self._narrowed(session, q, f)).one()
        return {"incidents": int(n), "killed": int(k), "injured": int(i)}

    def reported_totals(self, f: IncidentFilter) -> list[AggregateView]:
        """Reported totals (aggregate claims) visible to the reader, names redacted."""
        found = self.aggregates(f)
        if f.max_sensitivity == "restricted" or not found:
            return found
        d = self.disclosure(f.max_sensitivity, [a.excerpt for a in found])
        if d.public:
            return [public_aggregate(a, d) for a in found]
        shown: list[AggregateView] = d.show(found)
        return shown

    # -- persons and redaction ---------------------------------------------------------------

    def persons_page(
        self, *, after: int = 0, limit: int = 50
    ) -> tuple[list[PersonRecord], int | None]:
        """Persons by id (restricted content: the caller checks the reader is cleared)."""
        with self.reading() as session:
            rows = list(
                session.execute(
                    select(Person).where(Person.id > after).order_by(Person.id).limit(limit + 1)
                ).scalars()
            )
            page = rows[:limit]
            docs: dict[int, list[str]] = {p.id: [] for p in page}
            if page:
                for pid, did in session.execute(
                    select(PersonMention.person_id, PersonMention.document_id)
                    .where(PersonMention.person_id.in_(list(docs)))
                    .distinct()
                ):
                    docs[pid].append(did)
        out = [PersonRecord(p.id, p.name, p.role, p.sensitivity, sorted(docs[p.id])) for p in page]
        return out, (page[-1].id if len(rows) > limit else None)

    # -- documents and claims ----------------------------------------------------------------

    def visible_document(self, document_id: str, max_sensitivity: str) -> DocumentRecord | None:
        """A document by full id (or unambiguous 8+ character prefix) with its current claims,
        or None when missing or above the reader's clearance."""
        levels = visible_levels(max_sensitivity)
        if not re.fullmatch(r"[0-9a-f]{8,64}", document_id):
            return None
        with self.reading() as session:
            q = (
                select(Document, Source.name)
                .join(Source, Source.id == Document.source_id, isouter=True)
                .where(Document.id.startswith(document_id))
                .limit(2)
            )
            found = session.execute(q).all()
            if len(found) != 1:
                return None
            doc, source_name = found[0]
            if doc.sensitivity not in levels:
                return None
            claims = list(
                session.execute(
                    select(Claim)
                    .where(Claim.document_id == doc.id, Claim.superseded.is_(False))
                    .where(Claim.sensitivity.in_(levels))
                    .order_by(Claim.position)
                ).scalars()
            )
            spans: list[tuple[int, int]] = []
            if max_sensitivity != "restricted":
                spans = [
                    (s, e)
                    for s, e in session.execute(
                        select(PersonMention.start, PersonMention.end)
                        .join(Person, Person.id == PersonMention.person_id)
                        .where(PersonMention.document_id == doc.id)
                        .where(Person.sensitivity.not_in(levels))
                    )
                ]
        d = self.disclosure(max_sensitivity, [doc.title or "", doc.url or "", doc.original_name])
        text = doc.text
        for s, e in sorted(spans, reverse=True):  # marked spans first, then every name form
            if 0 <= s < e <= len(text):
                text = text[:s] + MASK * (e - s) + text[e:]
        shown = d(text)
        return DocumentRecord(
            id=doc.id,
            title=d.optional_text(doc.title),
            source=d(source_name) or None,
            url=d.optional_text(doc.url),
            language=doc.language,
            published=doc.published,
            retrieved_at=doc.retrieved_at,
            original_name=d.free_text(doc.original_name),
            media_type=doc.media_type,
            sensitivity=doc.sensitivity,
            text=shown,
            redacted=shown != doc.text,
            claims=[_claim_dict(c, d) for c in claims],
        )

    def documents_page(
        self, max_sensitivity: str, *, after: str = "", limit: int = 50
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Document summaries (no text) in id order."""
        levels = visible_levels(max_sensitivity)
        q = (
            select(Document, Source.name)
            .join(Source, Source.id == Document.source_id, isouter=True)
            .where(Document.sensitivity.in_(levels), Document.id > after)
            .order_by(Document.id)
            .limit(limit + 1)
        )
        with self.reading() as session:
            rows = session.execute(q).all()
        page = rows[:limit]
        texts = [t for doc, _ in page for t in (doc.title, doc.url, doc.original_name) if t]
        shown = self.disclosure(max_sensitivity, texts)
        out = [
            {
                "id": doc.id,
                "title": shown.optional_text(doc.title),
                "source": shown(source) or None,
                "url": shown.optional_text(doc.url),
                "language": doc.language,
                "published": doc.published.isoformat() if doc.published else None,
                "sensitivity": doc.sensitivity,
                "original_name": shown.free_text(doc.original_name),
            }
            for doc, source in page
        ]
        return out, (page[-1][0].id if len(rows) > limit else None)

    def claims_page(
        self,
        max_sensitivity: str,
        *,
        after: int = 0,
        limit: int = 50,
        document_id: str | None = None,
        scope: str | None = None,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Current claims in id order whose claim and document are both visible."""
        levels = visible_levels(max_sensitivity)
        q = (
            select(Claim)
            .join(Document, Document.id == Claim.document_id, isouter=True)
            .where(Claim.superseded.is_(False), Claim.id > after)
            .where(Claim.sensitivity.in_(levels))
            .where(or_(Document.id.is_(None), Document.sensitivity.in_(levels)))
        )
        if document_id:
            q = q.where(Claim.document_id == document_id)
        if scope:
            q = q.where(Claim.scope == scope)
        with self.reading() as session:
            rows = list(session.execute(q.order_by(Claim.id).limit(limit + 1)).scalars())
        page = rows[:limit]
        d = self.disclosure(max_sensitivity)
        out = [_claim_dict(c, d) for c in page]
        return out, (page[-1].id if len(rows) > limit else None)

    # -- lookups for the command line ---------------------------------------------------------

    def documents_with_prefix(self, prefix: str, *, limit: int = 10) -> list[tuple[str, str]]:
        """``(id, original name)`` of up to ``limit`` documents whose id starts with
        ``prefix`` (lowercase hexadecimal), in id order: the caller tells one from several."""
        if not re.fullmatch(r"[0-9a-f]{1,64}", prefix):
            return []
        q = (
            select(Document.id, Document.original_name)
            .where(Document.id.startswith(prefix))
            .order_by(Document.id)
            .limit(limit)
        )
        with self.reading() as session:
            return [(str(i), str(n)) for i, n in session.execute(q).all()]

    def document_names(self, document_ids: list[str]) -> dict[str, str]:
        """The original file name of each given document that exists."""
        if not document_ids:
            return {}
        q = select(Document.id, Document.original_name).where(Document.id.in_(document_ids))
        with self.reading() as session:
            return {str(i): str(n) for i, n in session.execute(q).all()}

    def claim_counts(self, document_ids: list[str]) -> dict[str, int]:
        """Current claims per document, for the given documents only (one grouped query)."""
        if not document_ids:
            return {}
        q = (
            select(Claim.document_id, func.count())
            .where(Claim.document_id.in_(document_ids), Claim.superseded.is_(False))
            .group_by(Claim.document_id)
        )
        with self.reading() as session:
            return {str(d): int(n) for d, n in session.execute(q).all()}

    def incident_review_counts(self) -> dict[str, int]:
        """Incidents by review status (every incident, whatever its sensitivity: counts only)."""
        q = select(Incident.review_status, func.count()).group_by(Incident.review_status)
        with self.reading() as session:
            rows = session.execute(q.order_by(func.count().desc())).all()
        return {str(k): int(v) for k, v in rows}


def _day_counts_serve(f: IncidentFilter, dims: list[str]) -> bool:
    """Whether ``incident_day_counts`` answers this query: a period (undated incidents, which
    the table leaves out, never match one), only event types besides, and counts by day,
    month or type."""
    return (
        bool(f.date_from or f.date_to)
        and not f.reviewed_only
        and not (f.area or f.text or f.grades or f.perpetrators or f.weapons or f.facilities)
        and all(d in ("day", "month", "type") for d in dims)
    )


def _claim_dict(c: Claim, d: Disclosure) -> dict[str, Any]:
    data = dict(c.data)
    if not d.cleared:
        data["persons"] = []  # named individuals are restricted content
    return {
        "id": c.id,
        "document_id": c.document_id,
        "scope": c.scope,
        "event_type": c.event_type,
        "date_start": c.date_start.isoformat() if c.date_start else None,
        "date_end": c.date_end.isoformat() if c.date_end else None,
        "sensitivity": c.sensitivity,
        "data": d.show(data),
    }


def _dimension_values(view: IncidentView, by: str) -> list[tuple[str, str]]:
    if by == "perpetrator":
        return [(a.id, a.name) for a in view.perpetrators] or [("unknown", "unknown")]
    if by == "weapon":
        return [(w, w) for w in view.weapons] or [("unknown", "unknown")]
    if by == "facility":
        return [(t, t) for t in view.facilities]
    if by == "day":
        d = view.date_start.isoformat() if view.date_start else "undated"
        return [(d, d)]
    if by == "month":
        m = view.date_start.isoformat()[:7] if view.date_start else "undated"
        return [(m, m)]
    if by == "area":
        return [(view.admin1_pcode or "unknown", view.admin1 or "unknown")]
    if by == "type":
        return [(view.event_type, view.event_type)]
    return [(view.grade, view.grade)]
