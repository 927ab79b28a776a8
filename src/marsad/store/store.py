"""The :class:`Store` facade: documents, claims, persons, custody and verification."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Engine,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Session, selectinload, sessionmaker

from marsad.contract import claim as contract
from marsad.contract.claim import parse_iso_date
from marsad.contract.document import NewDocument
from marsad.contract.incident import StoredClaim
from marsad.protect.names import canonical_name
from marsad.store import crypto, ledger, search
from marsad.store.accounts import AccountStoreMixin
from marsad.store.datasets import DatasetStoreMixin
from marsad.store.db import READ_ONLY, Lock, lock_transaction, make_engine, upgrade
from marsad.store.incidents import IncidentStoreMixin
from marsad.store.models import (
    Claim,
    Document,
    ExtractionRun,
    LedgerEntry,
    Original,
    Person,
    PersonMention,
    Source,
)
from marsad.store.protection import ProtectionStoreMixin
from marsad.store.reads import ReadStoreMixin
from marsad.store.resolution import ResolutionStoreMixin
from marsad.store.review import ReviewStoreMixin
from marsad.store.rows import claim_row, now
from marsad.store.search import SearchStoreMixin
from marsad.store.verify import VerifyReport, persons_payload, verify_store


@dataclass(frozen=True)
class AddResult:
    document_id: str
    status: str  # "stored" or "duplicate"
    original_name: str


class Store(
    ProtectionStoreMixin,
    IncidentStoreMixin,
    AccountStoreMixin,
    ReviewStoreMixin,
    ReadStoreMixin,
    DatasetStoreMixin,
    ResolutionStoreMixin,
    SearchStoreMixin,
):
    """Open (and migrate) a database by SQLAlchemy URL; see :func:`marsad.config.database_url`.

    With ``key`` a new store is encrypted from its first write, and an encrypted one is read
    (see :mod:`marsad.store.crypto`); an encrypted store opened without its key still answers
    what needs no decryption, and raises :class:`~marsad.store.crypto.KeyRequiredError` for the
    rest. A wrong key is refused here."""

    def __init__(
        self, url: str, *, migrate: bool = True, key: crypto.StoreKey | None = None
    ) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        try:
            if migrate:
                upgrade(self.engine)
            self.encrypted = crypto.attach(self.engine, key)
        except BaseException:
            self.engine.dispose()
            raise
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reads start a plain transaction (see db.READ_ONLY): they must not queue for the
        # write lock that every write transaction takes up front.
        self._read_sessions = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed whole on success, rolled back whole on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only; writes belong in :meth:`transaction`."""
        with self._read_sessions() as session:
            yield session

    # -- documents ---------------------------------------------------------------------------

    def _source_id(self, session: Session, name: str | None) -> int | None:
        if not name:
            return None
        found = session.execute(select(Source.id).where(Source.name == name)).scalar()
        if found is not None:
            return found
        src = Source(name=name, kind="outlet", created_at=now())
        session.add(src)
        session.flush()
        return src.id

    def add_document(self, doc: NewDocument, *, actor: str) -> AddResult:
        """Store one original and its document record, and log it, in a single transaction.

        The same bytes a second time are a duplicate: nothing is written."""
        digest = ledger.sha256_hex(doc.original)
        if doc.sensitivity not in contract.SENSITIVITY_LEVELS:
            raise ValueError(f"{doc.original_name}: unknown sensitivity {doc.sensitivity!r}")
        with self.transaction() as session:
            # two processes ingesting the same file (or naming one new source) take turns
            lock_transaction(session, Lock.ORIGINALS)
            if session.get(Original, digest) is not None:
                return AddResult(digest, "duplicate", doc.original_name)
            session.add(Original(sha256=digest, size=len(doc.original), content=doc.original))
            session.flush()  # the document row references the original
            session.add(
                Document(
                    id=digest,
                    source_id=self._source_id(session, doc.source),
                    title=doc.title,
                    url=doc.url,
                    language=doc.language,
                    published=parse_iso_date(doc.published),
                    retrieved_at=now(),
                    original_name=doc.original_name,
                    media_type=doc.media_type,
                    text=doc.text,
                    sensitivity=doc.sensitivity,
                    extra=doc.extra,
                )
            )
            session.flush()
            search.index_document(session, session.get(Document, digest))  # type: ignore[arg-type]
            ledger.append(  # the ledger encrypts original_name in an encrypted store
                session,
                actor=actor,
                action="ingest",
                subject_type="document",
                subject_id=digest,
                payload={
                    "sha256": digest,
                    "size": len(doc.original),
                    "original_name": doc.original_name,
                    "media_type": doc.media_type,
                    "source": doc.source,
                    "sensitivity": doc.sensitivity,
                    # what verify re-hashes: the row's text and title as stored here
                    "text_sha256": ledger.sha256_hex(doc.text),
                    "title_sha256": ledger.sha256_hex(doc.title) if doc.title else None,
                },
            )
        return AddResult(digest, "stored", doc.original_name)

    def document(self, document_id: str) -> Document | None:
        """By full id or by an unambiguous prefix of at least 8 hex characters."""
        with self.reading() as session:
            doc = session.get(Document, document_id)
            if doc is None and len(document_id) >= 8:
                found = (
                    session.execute(
                        select(Document).where(Document.id.startswith(document_id)).limit(2)
                    )
                    .scalars()
                    .all()
                )
                doc = found[0] if len(found) == 1 else None
            return doc

    def original(self, document_id: str) -> bytes | None:
        with self.reading() as session:
            row = session.get(Original, document_id)
            return row.content if row else None

    def iter_documents(self, batch: int = 500, *, unextracted: bool = False) -> Iterator[Document]:
        """All documents in id order, fetched in batches so memory stays flat.

        ``unextracted`` keeps only documents no extraction run has looked at yet."""
        last = ""
        while True:
            with self.reading() as session:
                q = select(Document).options(selectinload(Document.source))
                if unextracted:
                    done = select(LedgerEntry.subject_id).where(
                        LedgerEntry.action == "extract", LedgerEntry.subject_type == "document"
                    )
                    q = q.where(Document.id.not_in(done))
                rows = (
                    session.execute(q.where(Document.id > last).order_by(Document.id).limit(batch))
                    .scalars()
                    .all()
                )
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def count_documents(self) -> int:
        with self.reading() as session:
            return session.execute(select(func.count()).select_from(Document)).scalar_one()

    # -- claims ------------------------------------------------------------------------------

    def start_run(self, *, engine: str, engine_version: str, actor: str) -> int:
        with self.transaction() as session:
            run = ExtractionRun(
                engine=engine, engine_version=engine_version, started_at=now(), actor=actor
            )
            session.add(run)
            session.flush()
            ledger.append(
                session,
                actor=actor,
                action="extraction_run",
                subject_type="run",
                subject_id=str(run.id),
                payload={"engine": engine, "engine_version": engine_version},
            )
            return run.id

    def replace_claims(
        self,
        document_id: str,
        claims: Iterable[contract.Claim],
        *,
        run_id: int,
        actor: str,
        unless_extracted_meanwhile: bool = False,
    ) -> list[int] | None:
        """Store a run's claims for one document. Earlier claims are kept, marked superseded,
        so nothing an analyst looked at disappears; persons named are stored as restricted.

        Runs working at once take turns per document, so a document has one current set of
        claims however runs overlap. With ``unless_extracted_meanwhile``, a document that
        another run extracted after this one started is left as that run stored it, and None
        is returned: two ``marsad process`` runs share the new documents instead of each
        redoing them."""
        claims = list(claims)
        with self.transaction() as session:
            # shared: resolution waits for claim writers in flight (see resolve.runner); the
            # document's row lock is what makes runs take turns on it
            lock_transaction(session, Lock.CLAIMS, shared=True)
            doc = session.get(Document, document_id, with_for_update=True)
            if doc is None:
                raise KeyError(f"no document {document_id}")
            if unless_extracted_meanwhile and _extracted_since_run(session, document_id, run_id):
                return None
            session.execute(
                update(Claim)
                .where(Claim.document_id == document_id, Claim.superseded.is_(False))
                .values(superseded=True)
            )
            ids, persons = self._add_claims(session, doc, claims, run_id=run_id)
            search.index_claims(session, document_id)
            data = [c.to_dict() for c in claims]
            ledger.append(
                session,
                actor=actor,
                action="extract",
                subject_type="document",
                subject_id=document_id,
                payload={
                    "run": run_id,
                    "claims": ids,
                    "claims_sha256": ledger.sha256_hex(ledger.canonical_json(data)),
                    **persons_payload(persons),
                },
            )
            return ids

    def _add_claims(
        self, session: Session, doc: Document, claims: list[contract.Claim], *, run_id: int
    ) -> tuple[list[int], dict[int, str]]:
        """Add the claim rows and the persons they name; returns the claims' ids and the
        persons' names by id."""
        ids: list[int] = []
        persons: dict[int, str] = {}
        for position, claim in enumerate(claims):
            row = claim_row(claim, position=position, sensitivity=doc.sensitivity)
            row.document_id, row.run_id = doc.id, run_id
            session.add(row)
            session.flush()
            ids.append(row.id)
            for mention in claim.persons:
                person = self._add_person(session, mention, doc.id)
                persons[person.id] = person.name
        return ids, persons

    def name_key(self, name: str) -> str:
        """What ``persons.name_key`` holds for a person called ``name`` in this store."""
        return crypto.name_key(self.engine.dialect, name)

    def _add_person(
        self, session: Session, mention: contract.PersonMention, document_id: str
    ) -> Person:
        # by name_key, not by name: names may be stored encrypted, and two spellings that
        # differ only in case or spacing are the same person (the comparison of canonical
        # names guards against plain keys cut to the column's length)
        wanted = canonical_name(mention.name)
        # two transactions naming one new person would each add them
        lock_transaction(session, Lock.PERSONS)
        candidates = session.execute(
            select(Person).where(Person.name_key == self.name_key(mention.name)).order_by(Person.id)
        ).scalars()
        person = next((p for p in candidates if canonical_name(p.name) == wanted), None)
        if person is None:
            person = Person(name=mention.name, role=mention.role, created_at=now())
            session.add(person)
            session.flush()  # the before_insert hook below fills name_key
        session.add(
            PersonMention(
                person_id=person.id,
                document_id=document_id,
                start=mention.evidence.start,
                end=mention.evidence.end,
            )
        )
        return person

    def claims_for(self, document_id: str, *, include_superseded: bool = False) -> list[Claim]:
        with self.reading() as session:
            q = select(Claim).where(Claim.document_id == document_id)
            if not include_superseded:
                q = q.where(Claim.superseded.is_(False))
            return list(session.execute(q.order_by(Claim.position)).scalars())

    def iter_claims(self, *, since_id: int = 0, batch: int = 2000) -> Iterator[StoredClaim]:
        """Current claims in id order with their source's name, credibility and publication date,
        fetched in pages (for resolution over archive-sized stores)."""
        last = since_id
        while True:
            q = (
                select(Claim, Document, Source)
                .join(Document, Document.id == Claim.document_id, isouter=True)
                .join(Source, Source.id == Document.source_id, isouter=True)
                .where(Claim.id > last, Claim.superseded.is_(False))
                .order_by(Claim.id)
                .limit(batch)
            )
            with self.reading() as session:
                rows = session.execute(q).all()
            if not rows:
                return
            for claim, doc, src in rows:
                yield StoredClaim(
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
            last = rows[-1][0].id

    # -- custody -----------------------------------------------------------------------------

    def history(self, subject_type: str, subject_id: str) -> list[LedgerEntry]:
        with self.reading() as session:
            return ledger.history(session, subject_type, subject_id)

    def ledger_head(self) -> str:
        with self.reading() as session:
            return ledger.head_hash(session)

    def append_ledger(
        self,
        *,
        actor: str,
        action: str,
        subject_type: str,
        subject_id: str,
        payload: dict[str, Any],
    ) -> int:
        with self.transaction() as session:
            entry = ledger.append(
                session,
                actor=actor,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                payload=payload,
            )
            return entry.seq

    def verify(self, batch: int = 200) -> VerifyReport:
        """Recompute what the ledger recorded and name every row that differs, then walk the
        chain (see :mod:`marsad.store.verify`). In an encrypted store opened without its key
        what needs decrypting is counted as unchecked; the chain is always walked."""
        return verify_store(self.reading, self.engine.dialect, batch=batch)

    # -- summaries ---------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        with self.reading() as session:

            def grouped(column: Any) -> dict[str, int]:
                rows = session.execute(
                    select(column, func.count()).group_by(column).order_by(func.count().desc())
                ).all()
                return {str(k): int(v) for k, v in rows}

            return {
                "documents": session.execute(
                    select(func.count()).select_from(Document)
                ).scalar_one(),
                "documents_by_language": grouped(Document.language),
                "documents_by_sensitivity": grouped(Document.sensitivity),
                "sources": session.execute(select(func.count()).select_from(Source)).scalar_one(),
                "claims": session.execute(
                    select(func.count()).select_from(Claim).where(Claim.superseded.is_(False))
                ).scalar_one(),
                "claims_by_event_type": {
                    str(k): int(v)
                    for k, v in session.execute(
                        select(Claim.event_type, func.count())
                        .where(Claim.superseded.is_(False))
                        .group_by(Claim.event_type)
                        .order_by(func.count().desc())
                    ).all()
                },
                "persons": session.execute(select(func.count()).select_from(Person)).scalar_one(),
                "ledger_entries": session.execute(
                    select(func.count()).select_from(LedgerEntry)
                ).scalar_one(),
                "ledger_head": ledger.head_hash(session),
            }


def _extracted_since_run(session: Session, document_id: str, run_id: int) -> bool:
    """Whether another run recorded an extraction of the document after run ``run_id`` began
    (the ledger orders both: the run's ``extraction_run`` entry and each ``extract`` entry)."""
    started = session.execute(
        select(LedgerEntry.seq).where(
            LedgerEntry.action == "extraction_run",
            LedgerEntry.subject_type == "run",
            LedgerEntry.subject_id == str(run_id),
        )
    ).scalar()
    if started is None:
        return False
    later = session.execute(
        select(LedgerEntry.payload).where(
            LedgerEntry.subject_type == "document",
            LedgerEntry.subject_id == document_id,
            LedgerEntry.action == "extract",
            LedgerEntry.seq > started,
        )
    ).scalars()
    return any(json.loads(payload).get("run") != run_id for payload in later)


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _fill_name_key(_mapper: Any, connection: Any, person: Person) -> None:
    # every ORM write of a person keeps name_key in step with the name (it is how a person is
    # found by name when names are stored encrypted)
    fresh = inspect(person).attrs.name.history.has_changes() or person.name_key is None
    if person.name is not None and fresh:
        person.name_key = crypto.name_key(connection.dialect, person.name)
