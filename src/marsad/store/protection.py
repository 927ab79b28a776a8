"""Protected persons and what may be published about them: the store's side of protection.

Every person known anywhere in the store (found by the extractor in any document, or added by an
analyst) whose sensitivity is above a reader's clearance is masked in everything that reader is
shown, whichever document the text came from. The masker for a clearance is built once and kept
until the persons table changes (a cheap fingerprint query tells; another process adding a
person is seen on the next read).

Free text (titles, excerpts, notes) appears in public forms only once an analyst approved that
exact text: ``approved_texts`` holds the approved texts by SHA-256.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from marsad.contract.claim import PersonMention as PersonMention_
from marsad.contract.incident import IncidentView, visible_levels
from marsad.protect.disclosure import Disclosure, free_texts, text_sha256
from marsad.protect.names import NameMasker, ProtectedName
from marsad.store import ledger
from marsad.store.db import READ_ONLY, Lock, lock_transaction
from marsad.store.models import ApprovedText, Document, Person, PersonMention
from marsad.store.verify import aliases_sha256, persons_payload

PERSON_ROLES_DEFAULT = "unknown"
# one plain statement (no ORM session, nothing to compile): it runs for every masked response
_PERSONS_STAMP_SQL = (
    "SELECT count(*), max(id), sum(length(CAST(aliases AS TEXT))), sum(length(sensitivity)) "
    "FROM persons"
)


class ApprovalRefused(ValueError):
    """Text that still names a protected person cannot be approved for publication."""


@dataclass(frozen=True)
class ProtectedPersonRecord:
    id: int
    name: str
    aliases: tuple[str, ...]
    role: str
    sensitivity: str
    origin: str


class ProtectionStoreMixin:
    """Protected persons, the name masker for each clearance, approved texts, read audits."""

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[Session]: ...

        def reading(self) -> AbstractContextManager[Session]: ...

        engine: Engine

        def name_key(self, name: str) -> str: ...

        def _add_person(
            self, session: Session, mention: PersonMention_, document_id: str
        ) -> Person: ...

    _maskers: dict[str, tuple[Any, NameMasker]]
    _maskers_lock: threading.Lock

    # -- protected persons -------------------------------------------------------------------

    def add_protected_person(
        self,
        name: str,
        *,
        aliases: Sequence[str] = (),
        role: str = PERSON_ROLES_DEFAULT,
        actor: str,
        document_id: str | None = None,
        span: tuple[int, int] | None = None,
        origin: str | None = None,
    ) -> int:
        """Record a person at risk (restricted), or add ``aliases`` to the person of that name;
        with ``document_id`` and ``span``, the passage naming them is recorded as a mention.
        The masking applies to every output from the next read on. Returns the person's id."""
        name = " ".join(name.split())
        if len(name) < 2:
            raise ValueError("a protected person needs a name of at least two characters")
        clean_aliases = _clean_aliases(aliases, name)
        with self.transaction() as session:
            lock_transaction(session, Lock.PERSONS)  # two writers must not add one person twice
            person = self._person_by_name(session, name)
            if person is None:
                person = Person(
                    name=name,
                    role=role[:40] or PERSON_ROLES_DEFAULT,
                    sensitivity="restricted",
                    created_at=datetime.now(UTC),
                    aliases=clean_aliases,
                    origin=(origin or f"analyst:{actor}")[:160],
                )
                session.add(person)
                session.flush()
                action = "protect_person"
            else:
                merged = list(dict.fromkeys([*(person.aliases or []), *clean_aliases]))
                unchanged = merged == (person.aliases or []) and person.sensitivity == "restricted"
                if unchanged and span is None:
                    return int(person.id)  # known already, nothing new: nothing to record
                person.aliases = merged
                person.sensitivity = "restricted"
                action = "add_person_alias"
            if document_id is not None and span is not None:
                self._add_mention(session, person.id, document_id, span)
            ledger.append(
                session,
                actor=actor,
                action=action,
                subject_type="person",
                subject_id=str(person.id),
                # names stay out of the ledger (it is shown to auditors): their hash is enough
                payload={
                    "name_sha256": ledger.sha256_hex(name),
                    "aliases": len(clean_aliases),
                    "document": document_id,
                    "span": list(span) if span else None,
                    "aliases_sha256": aliases_sha256(person.aliases or []),
                },
            )
            person_id = int(person.id)
        self.forget_maskers()
        return person_id

    def record_persons(
        self, document_id: str, persons: Iterable[PersonMention_], *, actor: str
    ) -> int:
        """Store persons found in a document that gave no claims (a language the engine does
        not read yet): each is restricted and masked everywhere like any other. Returns how
        many mentions were stored."""
        found = list(persons)
        if not found:
            return 0
        with self.transaction() as session:
            lock_transaction(session, Lock.PERSONS)
            known = set(
                session.execute(
                    select(PersonMention.start, PersonMention.end).where(
                        PersonMention.document_id == document_id
                    )
                ).all()
            )
            # a second run over the same document finds the same passages: store each once
            found = [m for m in found if (m.evidence.start, m.evidence.end) not in known]
            if not found:
                return 0
            stored = {}
            for mention in found:
                person = self._add_person(session, mention, document_id)
                stored[person.id] = person.name
            ledger.append(
                session,
                actor=actor,
                action="record_persons",
                subject_type="document",
                subject_id=document_id,
                payload={"mentions": len(found), **persons_payload(stored)},
            )
        self.forget_maskers()
        return len(found)

    def _person_by_name(self, session: Session, name: str) -> Person | None:
        found: Person | None = session.execute(
            select(Person).where(Person.name_key == self.name_key(name)).limit(1)
        ).scalar()
        return found

    def _add_mention(
        self, session: Session, person_id: int, document_id: str, span: tuple[int, int]
    ) -> None:
        doc = session.get(Document, document_id)
        if doc is None:
            raise KeyError(f"no document {document_id}")
        start, end = span
        if not 0 <= start < end <= len(doc.text):
            raise ValueError(f"span {start}-{end} is outside the document's text")
        session.add(PersonMention(person_id=person_id, document_id=doc.id, start=start, end=end))

    def protected_persons(self, max_sensitivity: str = "public") -> list[ProtectedPersonRecord]:
        """Persons a reader cleared for ``max_sensitivity`` may not see (every person when
        ``max_sensitivity`` is ``public`` and all are restricted)."""
        levels = visible_levels(max_sensitivity)
        with self.reading() as session:
            rows = session.execute(
                select(Person).where(Person.sensitivity.not_in(levels)).order_by(Person.id)
            ).scalars()
            return [
                ProtectedPersonRecord(
                    p.id,
                    p.name,
                    tuple(p.aliases or ()),
                    p.role,
                    p.sensitivity,
                    p.origin or "extractor",
                )
                for p in rows
            ]

    # -- the masker --------------------------------------------------------------------------

    def name_masker(self, max_sensitivity: str) -> NameMasker:
        """The masker of every name a reader cleared for ``max_sensitivity`` may not see."""
        if max_sensitivity == "restricted":
            return NameMasker(())
        stamp = self._persons_stamp()
        lock = self.__dict__.setdefault("_maskers_lock", threading.Lock())
        with lock:
            cached = self.__dict__.setdefault("_maskers", {}).get(max_sensitivity)
            if cached is not None and cached[0] == stamp:
                return cached[1]
        masker = NameMasker(
            ProtectedName(p.name, p.aliases) for p in self.protected_persons(max_sensitivity)
        )
        with lock:
            self._maskers[max_sensitivity] = (stamp, masker)
        return masker

    def forget_maskers(self) -> None:
        self.__dict__.get("_maskers", {}).clear()

    def _persons_stamp(self) -> tuple[Any, ...]:
        """Changes whenever a person is added, gains an alias or changes sensitivity (read on
        every use, so a person protected in another process is masked here at once)."""
        reader = self.engine.execution_options(**{READ_ONLY: True})  # takes no write lock
        with reader.connect() as connection:
            return tuple(connection.exec_driver_sql(_PERSONS_STAMP_SQL).one())

    # -- approved texts ----------------------------------------------------------------------

    def approve_text(self, text: str, *, field: str, actor: str) -> str:
        """Approve ``text`` word for word for public outputs; refused while it names a
        protected person in any form. Returns the text's SHA-256."""
        if not text.strip():
            raise ValueError("there is no text to approve")
        found = self.name_masker("public").found(text)
        if found:
            raise ApprovalRefused(
                f"the text names {len(found)} protected person(s); edit it before approving"
            )
        digest = text_sha256(text)
        with self.transaction() as session:
            if session.get(ApprovedText, digest) is None:
                session.add(
                    ApprovedText(
                        sha256=digest,
                        text=text,
                        field=field[:40],
                        approved_by=actor[:120],
                        approved_at=datetime.now(UTC),
                    )
                )
                ledger.append(
                    session,
                    actor=actor,
                    action="approve_text",
                    subject_type="text",
                    subject_id=digest,
                    payload={"field": field, "sha256": digest, "length": len(text)},
                )
        return digest

    def approved_hashes(self, hashes: Iterable[str]) -> frozenset[str]:
        """Which of these text hashes an analyst approved for publication."""
        wanted = sorted(set(hashes))
        if not wanted:
            return frozenset()
        found: set[str] = set()
        with self.reading() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found.update(
                    session.execute(
                        select(ApprovedText.sha256).where(ApprovedText.sha256.in_(chunk))
                    ).scalars()
                )
        return frozenset(found)

    def disclosure(self, max_sensitivity: str, texts: Iterable[str] = ()) -> Disclosure:
        """What a reader cleared for ``max_sensitivity`` may be shown; ``texts`` are the free
        texts about to be shown, whose approval is looked up (public forms only)."""
        public = max_sensitivity == "public"
        approved = self.approved_hashes(text_sha256(t) for t in texts if t) if public else ()
        return Disclosure(self.name_masker(max_sensitivity), public=public, approved=approved)

    def incident_disclosure(
        self, views: Iterable[IncidentView], max_sensitivity: str
    ) -> Disclosure:
        texts = [t for v in views for t in free_texts(v)]
        return self.disclosure(max_sensitivity, texts)

    # -- audit -------------------------------------------------------------------------------

    def audit_restricted_read(
        self, *, actor: str, what: str, restricted: int, details: dict[str, Any]
    ) -> None:
        """One ledger entry for one request that returned restricted records."""
        if restricted <= 0:
            return
        with self.transaction() as session:
            ledger.append(
                session,
                actor=actor,
                action="read_restricted",
                subject_type="read",
                subject_id=what[:200],
                payload={"restricted_records": restricted, **details},
            )


def _clean_aliases(aliases: Iterable[str], name: str) -> list[str]:
    out: list[str] = []
    for alias in aliases:
        alias = " ".join(str(alias).split())
        if len(alias) >= 2 and alias != name and alias not in out:
            out.append(alias[:300])
    return out
