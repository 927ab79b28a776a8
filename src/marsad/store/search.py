"""Full-text search over documents, claims and incidents, for a reader cleared to one level.

One row of ``search_entries`` per searchable thing holds its words as keys: Arabic written
the way the language pack keys words (alef forms, ta marbuta, alef maqsura, diacritics and
tatweel folded), so "إدلب" finds "ادلب"; Latin lower-cased. In an encrypted store each key
is an HMAC, so the index holds no readable word. SQLite searches the keys with FTS5 (the
``search_fts`` table, kept in step by triggers), PostgreSQL with a GIN index over
``to_tsvector('simple', terms)`` (see migration 0011).

The index only proposes candidates: each is read back as this reader may see it (clearance,
masked names, public forms) and kept only when the words are in what they are shown, so a
hidden name or an unapproved note never makes a hit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, Text, delete, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from marsad.contract.incident import IncidentView, visible_levels
from marsad.extract.text import NUM, WORD, tokenize
from marsad.lang import WritingSystem, load_language_pack
from marsad.store import crypto
from marsad.store.models import Base, Claim, Document, Incident

KINDS = ("document", "claim", "incident")
SNIPPET_CHARS = 80  # each side of the first word found


class SearchEntry(Base):
    """The words of one document, claim or incident, as keys (see the module docstring)."""

    __tablename__ = "search_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str | None] = mapped_column(String(64), index=True)  # a claim's document
    sensitivity: Mapped[str] = mapped_column(String(16))
    terms: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class SearchHit:
    kind: str  # document, claim or incident
    id: str
    label: str
    snippet: str
    sensitivity: str

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "snippet": self.snippet,
            "sensitivity": self.sensitivity,
        }


@lru_cache(maxsize=1)
def _writing() -> WritingSystem:
    # the Arabic pack's rules fold Arabic letters and leave Latin words lower-cased
    return load_language_pack("ar").writing


# text is keyed a piece at a time (cut at a space), so a document of many megabytes never has
# all its tokens in memory at once
_PIECE_CHARS = 20_000


def word_keys(value: str | None) -> list[str]:
    """The distinct search keys of the words and numbers of ``value``, in order of first use."""
    keys: dict[str, None] = {}
    writing = _writing()
    for piece in _pieces(value or ""):
        tokens = tokenize(piece, writing)
        for key, kind in zip(tokens.keys, tokens.kinds, strict=True):
            if kind in (WORD, NUM):
                keys.setdefault(key)
    return list(keys)


def _pieces(text: str) -> Iterator[str]:
    start = 0
    while start < len(text):
        end = min(start + _PIECE_CHARS, len(text))
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space + 1 if space > start else end
        yield text[start:end]
        start = end


def _stored_terms(session: Session, keys: Iterable[str]) -> list[str]:
    cipher = crypto.cipher_of(session.get_bind().dialect)
    if cipher is None:
        return list(keys)
    return [cipher.name_key(k)[:24] for k in keys]


def incident_texts(view: IncidentView) -> list[str]:
    """What an incident is found by: its place, notes and its sources' titles and excerpts."""
    texts = [view.place_name or "", view.notes]
    for s in view.sources:
        texts += [s.title or "", s.excerpt]
    return [t for t in texts if t]


def _claim_text(data: dict[str, Any]) -> str:
    evidence = data.get("evidence") or {}
    return str(evidence.get("text") or "")


def _put(
    session: Session,
    kind: str,
    subject: str,
    sensitivity: str,
    texts: Iterable[str],
    owner: str | None = None,
) -> None:
    session.execute(
        delete(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.subject == subject)
    )
    keys = [k for t in texts for k in word_keys(t)]
    if keys:
        session.add(
            SearchEntry(
                kind=kind,
                subject=subject,
                owner=owner,
                sensitivity=sensitivity,
                terms=joined_terms(_stored_terms(session, keys)),
            )
        )


# PostgreSQL refuses a tsvector over 1 MB: a record's distinct keys are indexed up to this many
# characters, the rest of an archive-sized document is not found by search
MAX_TERMS_CHARS = 200_000


def joined_terms(keys: Iterable[str]) -> str:
    """The distinct keys as the index stores them, cut to :data:`MAX_TERMS_CHARS`."""
    out: list[str] = []
    size = 0
    for key in dict.fromkeys(keys):
        size += len(key) + 1
        if size > MAX_TERMS_CHARS:
            break
        out.append(key)
    return " ".join(out)


def index_document(session: Session, doc: Document) -> None:
    _put(session, "document", doc.id, doc.sensitivity, [doc.title or "", doc.text])


def index_claims(session: Session, document_id: str) -> None:
    """The document's current claims in place of those indexed before."""
    session.execute(
        delete(SearchEntry).where(SearchEntry.kind == "claim", SearchEntry.owner == document_id)
    )
    claims = session.execute(
        select(Claim).where(Claim.document_id == document_id, Claim.superseded.is_(False))
    ).scalars()
    for c in claims:
        _put(session, "claim", str(c.id), c.sensitivity, [_claim_text(c.data)], document_id)


def index_incident(session: Session, row: Incident) -> None:
    from marsad.store.rows import view_from_row

    _put(session, "incident", str(row.id), row.sensitivity, incident_texts(view_from_row(row)))


def index_incidents_after(session: Session, last_id: int) -> None:
    """Every incident with an id above ``last_id`` (those a bulk insert just added)."""
    session.flush()
    for row in session.execute(select(Incident).where(Incident.id > last_id)).scalars():
        index_incident(session, row)


def _match_query(session: Session, keys: list[str], levels: list[str], limit: int) -> Any:
    terms = _stored_terms(session, keys)
    params: dict[str, Any] = {f"l{i}": level for i, level in enumerate(levels)}
    within = ", ".join(f":l{i}" for i in range(len(levels)))
    params["limit"] = limit
    if session.get_bind().dialect.name == "sqlite":
        params["q"] = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = (
            "SELECT e.kind, e.subject FROM search_fts JOIN search_entries e"
            " ON e.id = search_fts.rowid WHERE search_fts MATCH :q"
            f" AND e.sensitivity IN ({within}) ORDER BY search_fts.rank LIMIT :limit"
        )
    else:
        params["q"] = " ".join(terms)
        sql = (
            "SELECT kind, subject FROM search_entries"
            " WHERE to_tsvector('simple', terms) @@ plainto_tsquery('simple', :q)"
            f" AND sensitivity IN ({within})"
            " ORDER BY ts_rank(to_tsvector('simple', terms), plainto_tsquery('simple', :q))"
            " DESC, id LIMIT :limit"
        )
    return session.execute(text(sql), params).all()


def snippet(texts: Iterable[str], keys: list[str]) -> str | None:
    """A passage around the first of ``keys`` in ``texts`` when every key is in them, else
    None (the reader is not shown all the words searched for)."""
    found: dict[str, tuple[str, int]] = {}
    for t in texts:
        tokens = tokenize(t, _writing())
        for k, start in zip(tokens.keys, tokens.starts, strict=True):
            found.setdefault(k, (t, start))
    if not keys or any(k not in found for k in keys):
        return None
    t, start = found[keys[0]]
    lo, hi = max(0, start - SNIPPET_CHARS), min(len(t), start + SNIPPET_CHARS)
    return ("…" if lo else "") + t[lo:hi].strip() + ("…" if hi < len(t) else "")


class SearchStoreMixin:
    """Search methods of :class:`marsad.store.Store`."""

    if TYPE_CHECKING:  # provided by Store
        from marsad.protect.disclosure import Disclosure
        from marsad.store.reads import DocumentRecord

        def transaction(self) -> AbstractContextManager[Session]: ...

        def reading(self) -> AbstractContextManager[Session]: ...

        def disclosure(self, max_sensitivity: str, texts: Iterable[str] = ()) -> Disclosure: ...

        def visible_document(
            self, document_id: str, max_sensitivity: str
        ) -> DocumentRecord | None: ...

        def visible_incident(
            self, incident_id: int, max_sensitivity: str
        ) -> IncidentView | None: ...

    def search(
        self,
        query: str,
        max_sensitivity: str,
        *,
        limit: int = 20,
        kinds: Iterable[str] = KINDS,
    ) -> list[SearchHit]:
        """What a reader cleared for ``max_sensitivity`` finds with every word of ``query``,
        best first, each with a passage as they may see it."""
        keys = word_keys(query)
        wanted = set(kinds)
        # a protected name the reader may not see finds nothing: a hit would tell them where
        # the name is written
        if not keys or self.disclosure(max_sensitivity)(query) != query:
            return []
        levels = list(visible_levels(max_sensitivity))
        with self.reading() as session:
            rows = _match_query(session, keys, levels, limit * 5)
        hits: list[SearchHit] = []
        for kind, subject in rows:
            if kind not in wanted:
                continue
            hit = self._visible_hit(kind, subject, keys, max_sensitivity)
            if hit is not None:
                hits.append(hit)
                if len(hits) >= limit:
                    break
        return hits

    def _visible_hit(
        self, kind: str, subject: str, keys: list[str], max_sensitivity: str
    ) -> SearchHit | None:
        if kind == "document":
            doc = self.visible_document(subject, max_sensitivity)
            if doc is None:
                return None
            shown = snippet([doc.title or "", doc.text], keys)
            label = doc.title or doc.original_name or doc.id[:12]
            return SearchHit(kind, doc.id, label, shown, doc.sensitivity) if shown else None
        if kind == "incident":
            view = self.visible_incident(int(subject), max_sensitivity)
            if view is None:
                return None
            shown = snippet(incident_texts(view), keys)
            label = f"{view.event_type} · {view.place_name or view.admin1 or ''}".strip(" ·")
            return SearchHit(kind, subject, label, shown, view.sensitivity) if shown else None
        return self._visible_claim(subject, keys, max_sensitivity)

    def _visible_claim(
        self, subject: str, keys: list[str], max_sensitivity: str
    ) -> SearchHit | None:
        levels = visible_levels(max_sensitivity)
        with self.reading() as session:
            found = session.execute(
                select(Claim, Document.sensitivity)
                .join(Document, Document.id == Claim.document_id, isouter=True)
                .where(Claim.id == int(subject), Claim.superseded.is_(False))
            ).first()
        if found is None:
            return None
        claim, doc_level = found
        if claim.sensitivity not in levels or (doc_level is not None and doc_level not in levels):
            return None
        shown = snippet([self.disclosure(max_sensitivity)(_claim_text(claim.data))], keys)
        if shown is None:
            return None
        return SearchHit("claim", subject, claim.event_type, shown, claim.sensitivity)

    def reindex_search(self) -> int:
        """Rebuild the whole index (after opening an encrypted store with its key, say);
        returns the entries written."""
        with self.transaction() as session:
            session.execute(delete(SearchEntry))
            for doc in _all(session, select(Document)):
                index_document(session, doc)
            for (document_id,) in session.execute(select(Document.id)):
                index_claims(session, document_id)
            for row in _all(session, select(Incident)):
                index_incident(session, row)
            session.flush()
            return len(session.execute(select(SearchEntry.id)).all())


def _all(session: Session, q: Any) -> Iterator[Any]:
    yield from session.execute(q).scalars()
