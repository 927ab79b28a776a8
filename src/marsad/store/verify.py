"""``marsad verify``: recompute what the ledger recorded and name every row that differs.

The ledger's chain proves its entries were not rewritten; this module proves the tables still
hold what those entries say was written. For each kind of row it reads, in batches, the ledger
entries about a batch of subjects and the rows themselves (through the ORM types, so an
encrypted store is compared on its plaintext), and names each row that differs from the last
ledgered state:

- originals: re-hashed (a content-addressed id is its own record);
- documents: present, text and title as hashed at ingest, sensitivity as ingested;
- claims: each document's current claims are exactly those of its latest extract entry, their
  JSON hashes to the entry's ``claims_sha256``, the query columns agree with the JSON, and
  every evidence span quotes the document's text;
- incidents: the row hashes to the last entry that wrote it (``row_sha256``), its claim links
  are the ledgered ones, and a retired incident stays gone;
- persons: every ledgered person is present and restricted, with the ledgered name and aliases;
- accounts: each user's role and active flag are the ledgered ones;
- and rows no entry records at all (what is left when the last entry is cut off the chain).

Entries written before a field was ledgered are checked on what they do carry; the rest is
counted in :attr:`VerifyReport.not_checkable` instead of being passed silently.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Dialect, LargeBinary, Text, func, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session

from marsad.store import crypto, ledger
from marsad.store.models import (
    Claim,
    Document,
    Incident,
    IncidentClaim,
    LedgerEntry,
    Original,
    Person,
    User,
)
from marsad.store.rows import claim_row

Reading = Callable[[], AbstractContextManager[Session]]

# the incidents-table columns a ledger entry's ``row_sha256`` covers (all but id and stamps)
INCIDENT_COLUMNS: tuple[str, ...] = (
    "event_type",
    "date_start",
    "date_end",
    "date_precision",
    "date_span_days",
    "place_name",
    "place_precision",
    "admin1",
    "admin1_pcode",
    "admin2_pcode",
    "admin3_pcode",
    "lat",
    "lon",
    "killed_low",
    "killed_best",
    "killed_high",
    "injured_low",
    "injured_best",
    "injured_high",
    "grade",
    "source_count",
    "independent_source_count",
    "review_status",
    "sensitivity",
    "data",
)
_KILLED = ("killed_low", "killed_best", "killed_high")
# the claims-table columns that copy a field of the claim's JSON (see store.rows.claim_row)
_CLAIM_COPIES = (
    "scope",
    "event_type",
    "date_start",
    "date_end",
    "date_precision",
    "admin1_pcode",
    "lat",
    "lon",
    "killed_low",
    "killed_high",
)
# entries about a user that change nothing verify compares (sign-ins, tokens)
_ACCOUNT_NOISE = ("login", "logout", "login_failed", "token_create", "token_revoke")
_CHUNK = 500


# -- what ledger entries hash -----------------------------------------------------------------


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def incident_row_sha256(values: Mapping[str, Any]) -> str:
    """The hash of an incident row's recorded columns, from a row or a dict of its values."""
    record = {name: _plain(values[name]) for name in INCIDENT_COLUMNS}
    return ledger.sha256_hex(ledger.canonical_json(record))


def incident_values(row: Incident) -> dict[str, Any]:
    return {name: getattr(row, name) for name in INCIDENT_COLUMNS}


def persons_payload(persons: Mapping[int, str]) -> dict[str, Any]:
    """Ledger fields for the persons an entry stored: their ids, and one hash over ids and
    names together (names stay out of the ledger, and no single name's hash is exposed)."""
    ordered = sorted(persons)
    pairs = [[pid, persons[pid]] for pid in ordered]
    return {"persons": ordered, "persons_sha256": ledger.sha256_hex(ledger.canonical_json(pairs))}


def aliases_sha256(aliases: Sequence[str]) -> str:
    return ledger.sha256_hex(ledger.canonical_json(list(aliases)))


# -- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """A row that differs from the last ledgered state: which table, which row, and how."""

    table: str
    row: str
    reason: str


@dataclass
class VerifyReport:
    originals_checked: int = 0
    ledger_entries_checked: int = 0
    altered_documents: list[tuple[str, str]] = field(default_factory=list)  # (id, original name)
    missing_documents: list[tuple[str, str]] = field(default_factory=list)
    chain_problems: list[tuple[int, str]] = field(default_factory=list)
    # encrypted originals that could not be re-hashed because the store was opened without its key
    originals_unchecked: int = 0
    row_problems: list[RowProblem] = field(default_factory=list)
    rows_checked: Counter[str] = field(default_factory=Counter)  # table -> rows compared
    not_checkable: Counter[str] = field(default_factory=Counter)  # why -> how many

    def problem(self, table: str, row: object, reason: str) -> None:
        self.row_problems.append(RowProblem(table, str(row), reason))

    @property
    def ok(self) -> bool:
        return not (
            self.altered_documents
            or self.missing_documents
            or self.chain_problems
            or self.row_problems
        )


# -- reading in batches ------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    seq: int
    action: str
    payload: dict[str, Any]


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _entries(
    session: Session, subject_type: str, ids: Sequence[str], skip: Iterable[str] = ()
) -> dict[str, list[Entry]]:
    """The entries about each of ``ids``, oldest first (payloads as stored: the values
    verify compares are never among the encrypted ones)."""
    out: dict[str, list[Entry]] = {}
    q = select(LedgerEntry.subject_id, LedgerEntry.seq, LedgerEntry.action, LedgerEntry.payload)
    q = q.where(LedgerEntry.subject_type == subject_type, LedgerEntry.subject_id.in_(ids))
    skipped = tuple(skip)
    if skipped:
        q = q.where(LedgerEntry.action.not_in(skipped))
    for sid, seq, action, payload in session.execute(q.order_by(LedgerEntry.seq)):
        out.setdefault(sid, []).append(Entry(seq, action, json.loads(payload)))
    return out


def ledger_subjects(reading: Reading, subject_type: str, batch: int) -> Iterator[list[str]]:
    """Every subject id of one type that the ledger names, in pages (keyset on its index)."""
    last = ""
    while True:
        with reading() as session:
            ids = list(
                session.execute(
                    select(LedgerEntry.subject_id)
                    .where(LedgerEntry.subject_type == subject_type, LedgerEntry.subject_id > last)
                    .group_by(LedgerEntry.subject_id)
                    .order_by(LedgerEntry.subject_id)
                    .limit(batch)
                ).scalars()
            )
        if not ids:
            return
        yield ids
        last = ids[-1]


def unledgered(
    reading: Reading, key: InstrumentedAttribute[Any], subject_type: str, batch: int
) -> Iterator[Any]:
    """Keys of rows (by ``key``, in order) that no ledger entry of ``subject_type`` names."""
    last: Any = None
    while True:
        with reading() as session:
            q = select(key).order_by(key).limit(batch)
            keys = list(session.execute(q if last is None else q.where(key > last)).scalars())
            if not keys:
                return
            named = set(
                session.execute(
                    select(LedgerEntry.subject_id)
                    .where(LedgerEntry.subject_type == subject_type)
                    .where(LedgerEntry.subject_id.in_([str(k) for k in keys]))
                ).scalars()
            )
        yield from (k for k in keys if str(k) not in named)
        last = keys[-1]


def can_decrypt(dialect: Dialect) -> bool:
    """Whether encrypted columns can be read (a plain store, or the key is at hand)."""
    cipher = crypto.cipher_of(dialect)
    return cipher is None or cipher.has_key


def _differences(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> str:
    changed = [
        f"{k} ledgered {expected[k]!r}, now {_plain(actual[k])!r}"
        for k in expected
        if _plain(actual[k]) != expected[k]
    ]
    return "; ".join(changed)


# -- originals ---------------------------------------------------------------------------------


def check_originals(reading: Reading, dialect: Dialect, report: VerifyReport, batch: int) -> None:
    """Re-hash every original. In an encrypted store the originals are decrypted to be
    re-hashed (a ciphertext that fails authentication counts as altered); without the key
    they are counted as unchecked."""
    last = ""
    while True:
        with reading() as session:
            rows = session.execute(
                # as stored: decrypted here, so a missing key or a bad ciphertext is counted
                select(
                    Original.sha256,
                    type_coerce(Original.content, LargeBinary),
                    type_coerce(Document.original_name, Text),
                )
                .join(Document, Document.id == Original.sha256, isouter=True)
                .where(Original.sha256 > last)
                .order_by(Original.sha256)
                .limit(batch)
            ).all()
        if not rows:
            return
        for sha, stored, stored_name in rows:
            content = _stored_original(dialect, bytes(stored))
            if content is None:
                report.originals_unchecked += 1
                continue
            report.originals_checked += 1
            if ledger.sha256_hex(content) != sha:
                report.altered_documents.append((sha, _readable_name(dialect, stored_name)))
        last = rows[-1][0]


def _stored_original(dialect: Dialect, stored: bytes) -> bytes | None:
    """An original's bytes from what is stored: plain as is, encrypted decrypted; None when
    the key is missing. An encrypted original that fails authentication was altered: its
    stored bytes are returned, and they do not hash to its id."""
    cipher = crypto.cipher_of(dialect)
    if cipher is None or not crypto.is_sealed(stored):
        return stored
    if not cipher.has_key:
        return None
    try:
        return cipher.open(stored, "originals.content")
    except crypto.InvalidTag:
        return stored


def _readable_name(dialect: Dialect, stored: str | None) -> str:
    cipher = crypto.cipher_of(dialect)
    if stored is None:
        return "?"
    if cipher is None or not crypto.is_sealed(stored):
        return stored
    if not cipher.has_key:
        return "(name encrypted)"
    try:
        return cipher.open_text(stored, "documents.original_name")
    except crypto.InvalidTag:
        return "(name unreadable)"


def readable_ledger_name(dialect: Dialect, key: str, stored: Any) -> str:
    if not crypto.is_sealed(stored):
        return str(stored)
    cipher = crypto.cipher_of(dialect)
    if cipher is None or not cipher.has_key:
        return "(name encrypted)"
    try:
        return str(crypto.reveal_payload(dialect, {key: stored})[key])
    except crypto.InvalidTag:
        return "(name unreadable)"


# -- documents and their claims ----------------------------------------------------------------


class DocumentCheck:
    """Each ledgered document against its ingest entry, its claims against its latest extract
    entry, and the persons its extractions stored."""

    def __init__(self, dialect: Dialect, report: VerifyReport) -> None:
        self.dialect, self.report = dialect, report
        self.readable = can_decrypt(dialect)
        self.persons = PersonCheck(self.readable, report)

    def run(self, reading: Reading, batch: int) -> None:
        for ids in ledger_subjects(reading, "document", batch):
            with reading() as session:
                self.check_batch(session, ids)
        for doc_id in unledgered(reading, Document.id, "document", batch):
            self.report.problem("documents", doc_id, "no ledger entry records this document")

    def check_batch(self, session: Session, ids: Sequence[str]) -> None:
        entries = _entries(session, "document", ids)
        present = set(
            session.execute(select(Original.sha256).where(Original.sha256.in_(ids))).scalars()
        )
        columns: list[Any] = [Document.id, Document.sensitivity]
        if self.readable:
            columns += [Document.text, Document.title]
        rows = {r.id: r for r in session.execute(select(*columns).where(Document.id.in_(ids)))}
        documents: dict[str, Any] = {}
        for doc_id in ids:
            ingest = next((e for e in entries.get(doc_id, ()) if e.action == "ingest"), None)
            if ingest is None:
                continue
            if doc_id not in present:
                name = readable_ledger_name(
                    self.dialect, "original_name", ingest.payload.get("original_name", "?")
                )
                self.report.missing_documents.append((doc_id, name))
            elif doc_id not in rows:
                self.report.problem(
                    "documents", doc_id, f"ingested at ledger entry {ingest.seq}; the row is gone"
                )
            else:
                self.compare(ingest, rows[doc_id])
                documents[doc_id] = (ingest, rows[doc_id])
        ClaimCheck(session, self.readable, self.report).run(documents, entries)
        for entry in (e for es in entries.values() for e in es):
            self.persons.referenced(session, entry)

    def compare(self, ingest: Entry, row: Any) -> None:
        self.report.rows_checked["documents"] += 1
        ledgered = ingest.payload
        if row.sensitivity != ledgered.get("sensitivity"):
            self.report.problem(
                "documents",
                row.id,
                f"sensitivity {row.sensitivity!r}, ingested as {ledgered.get('sensitivity')!r}"
                f" (ledger entry {ingest.seq})",
            )
        if "text_sha256" not in ledgered:
            self.report.not_checkable["document texts (ingested before text hashes)"] += 1
            return
        if not self.readable:
            self.report.not_checkable["document texts (encrypted, no key)"] += 1
            return
        title = ledger.sha256_hex(row.title) if row.title else None
        for what, now, then in (
            ("text", ledger.sha256_hex(row.text), ledgered["text_sha256"]),
            ("title", title, ledgered.get("title_sha256")),
        ):
            if now != then:
                self.report.problem(
                    "documents", row.id, f"{what} differs from ledger entry {ingest.seq}"
                )


def _claim_columns(readable: bool) -> list[Any]:
    columns: list[Any] = [Claim.id, Claim.document_id, Claim.superseded, Claim.sensitivity]
    columns += [getattr(Claim, name) for name in _CLAIM_COPIES]
    return [*columns, Claim.data] if readable else columns


class ClaimCheck:
    """A batch of documents' claims against each document's latest extract entry."""

    def __init__(self, session: Session, readable: bool, report: VerifyReport) -> None:
        self.session, self.readable, self.report = session, readable, report

    def run(self, documents: Mapping[str, Any], entries: Mapping[str, list[Entry]]) -> None:
        latest: dict[str, Entry] = {}
        for doc_id in documents:
            extracts = [e for e in entries.get(doc_id, ()) if e.action == "extract"]
            if extracts:
                latest[doc_id] = extracts[-1]
        listed = sorted({int(c) for e in latest.values() for c in e.payload.get("claims", ())})
        claims: dict[int, Any] = {}
        for chunk in _chunks(listed):
            q = select(*_claim_columns(self.readable)).where(Claim.id.in_(chunk))
            claims.update((r.id, r) for r in self.session.execute(q))
        current: dict[str, list[int]] = {}
        for chunk in _chunks(sorted(documents)):
            q = select(*_claim_columns(self.readable)).where(
                Claim.document_id.in_(chunk), Claim.superseded.is_(False)
            )
            for r in self.session.execute(q):
                claims[r.id] = r
                current.setdefault(r.document_id, []).append(r.id)
        for doc_id, (ingest, doc) in documents.items():
            self.check_document(doc, ingest, latest.get(doc_id), claims, current.get(doc_id, []))

    def check_document(
        self,
        doc: Any,
        ingest: Entry,
        extract: Entry | None,
        claims: Mapping[int, Any],
        current: list[int],
    ) -> None:
        listed = [int(c) for c in extract.payload.get("claims", ())] if extract else []
        for cid in sorted(set(current) - set(listed)):
            where = f"ledger entry {extract.seq}" if extract else "any extract entry"
            self.report.problem("claims", cid, f"current claim of {doc.id} not listed by {where}")
        rows = []
        for cid in listed:
            row = claims.get(cid)
            if row is None or row.document_id != doc.id:
                assert extract is not None
                self.report.problem(
                    "claims", cid, f"listed by ledger entry {extract.seq} for {doc.id}; gone"
                )
                continue
            if row.superseded:
                self.report.problem("claims", cid, "marked superseded, yet in the latest run")
            self.report.rows_checked["claims"] += 1
            if row.sensitivity != ingest.payload.get("sensitivity"):
                self.report.problem(
                    "claims", cid, f"sensitivity {row.sensitivity!r}, not the document's"
                )
            rows.append(row)
        if extract is None or not rows:
            return
        if not self.readable:
            self.report.not_checkable["claims (encrypted, no key)"] += len(rows)
            return
        self.check_content(doc, extract, rows, spans="text_sha256" not in ingest.payload)

    def check_content(self, doc: Any, extract: Entry, rows: list[Any], *, spans: bool) -> None:
        """The claims' JSON against the entry's hash, each claim's columns against its JSON;
        with ``spans`` (a text ingested before text hashes) each evidence span against the
        text, which is then the only witness of the text as it was."""
        data = [r.data for r in rows]
        if ledger.sha256_hex(ledger.canonical_json(data)) != extract.payload.get("claims_sha256"):
            ids = ", ".join(str(r.id) for r in rows)
            self.report.problem(
                "claims",
                ids,
                f"claims of {doc.id} no longer hash to ledger entry {extract.seq}'s claims_sha256",
            )
        for row in rows:
            self.check_copies(row)
            bad = next(_bad_spans(row.data, doc.text), None) if spans else None
            if bad is not None:
                self.report.problem("claims", row.id, f"evidence {bad} does not quote {doc.id}")

    def check_copies(self, row: Any) -> None:
        from marsad.contract.claim import claim_from_dict

        try:
            expected = claim_row(claim_from_dict(row.data), position=0, sensitivity="")
        except (KeyError, TypeError, ValueError):
            self.report.problem("claims", row.id, "its JSON is not a claim any more")
            return
        changed = [n for n in _CLAIM_COPIES if getattr(expected, n) != getattr(row, n)]
        if changed:
            self.report.problem(
                "claims", row.id, f"{', '.join(changed)} no longer match the claim's JSON"
            )


def _bad_spans(value: Any, text: str) -> Iterator[str]:
    """Each evidence span (``start``, ``end``, ``text``) in a claim that does not quote
    ``text`` at its offsets."""
    if isinstance(value, dict):
        if {"start", "end", "text"} <= value.keys() and isinstance(value["text"], str):
            start, end = value["start"], value["end"]
            if not (isinstance(start, int) and isinstance(end, int)) or (
                text[start:end] != value["text"]
            ):
                yield f"{start}-{end}"
        for v in value.values():
            yield from _bad_spans(v, text)
    elif isinstance(value, list):
        for v in value:
            yield from _bad_spans(v, text)


# -- persons -----------------------------------------------------------------------------------


def _person_columns(readable: bool) -> list[Any]:
    columns: list[Any] = [Person.id, Person.sensitivity]
    return [*columns, Person.name, Person.aliases] if readable else columns


class PersonCheck:
    """Every person a ledger entry stored is present, restricted, and named as ledgered."""

    def __init__(self, readable: bool, report: VerifyReport) -> None:
        self.readable, self.report = readable, report

    def referenced(self, session: Session, entry: Entry) -> None:
        """The persons an extract or record_persons entry lists (entries written before
        person ids were ledgered list none)."""
        ids = [int(p) for p in entry.payload.get("persons", ())]
        if not ids:
            return
        rows: dict[int, Any] = {}
        for chunk in _chunks(ids):
            q = select(*_person_columns(self.readable)).where(Person.id.in_(chunk))
            rows.update((r.id, r) for r in session.execute(q))
        for pid in ids:
            self.present(pid, rows.get(pid), entry.seq)
        if self.readable and all(pid in rows for pid in ids):
            pairs = [[pid, rows[pid].name] for pid in ids]
            if ledger.sha256_hex(ledger.canonical_json(pairs)) != entry.payload["persons_sha256"]:
                named = ", ".join(map(str, ids))
                self.report.problem(
                    "persons", named, f"names differ from those ledger entry {entry.seq} stored"
                )

    def present(self, pid: int, row: Any, seq: int) -> bool:
        if row is None:
            self.report.problem("persons", pid, f"stored at ledger entry {seq}; the row is gone")
            return False
        self.report.rows_checked["persons"] += 1
        if row.sensitivity != "restricted":
            self.report.problem(
                "persons", pid, f"sensitivity {row.sensitivity!r}, ledgered as restricted"
            )
        return True

    def run(self, reading: Reading, batch: int) -> None:
        """Persons an analyst protected (``protect_person``, ``add_person_alias``)."""
        for ids in ledger_subjects(reading, "person", batch):
            with reading() as session:
                entries = _entries(session, "person", ids)
                q = select(*_person_columns(self.readable)).where(
                    Person.id.in_([int(i) for i in ids if i.isdigit()])
                )
                rows = {str(r.id): r for r in session.execute(q)}
            for pid, es in entries.items():
                if self.present(int(pid), rows.get(pid), es[0].seq) and self.readable:
                    self.compare_names(rows[pid], es)

    def compare_names(self, row: Any, entries: list[Entry]) -> None:
        created = next((e for e in entries if e.action == "protect_person"), None)
        if created and created.payload.get("name_sha256") != ledger.sha256_hex(row.name):
            self.report.problem("persons", row.id, f"name differs from ledger entry {created.seq}")
        latest = next((e for e in reversed(entries) if "aliases_sha256" in e.payload), None)
        if latest is None:
            self.report.not_checkable["person aliases (ledgered before alias hashes)"] += 1
        elif latest.payload["aliases_sha256"] != aliases_sha256(row.aliases or []):
            self.report.problem("persons", row.id, f"aliases differ from ledger entry {latest.seq}")


# -- incidents ---------------------------------------------------------------------------------


@dataclass
class LedgeredIncident:
    """What the ledger says an incident row holds, folded from its entries in order."""

    seq: int = 0  # the last entry that wrote (or retired) the row; 0 when none did
    exists: bool = False
    row_sha256: str | None = None
    data_sha256: str | None = None  # entries before row hashes hashed the JSON record only
    columns: dict[str, Any] = field(default_factory=dict)  # single columns an entry names
    claims: list[int] | None = None
    claims_seq: int = 0
    unchecked: str | None = None

    def apply(self, e: Entry) -> None:
        p = e.payload
        if e.action == "retire":
            self.__init__(seq=e.seq)  # type: ignore[misc]
            return
        if e.action in ("review_confirm", "decide_sensitivity"):
            # these change one column: what earlier entries said of the others still holds
            column, value = "review_status", cast(Any, "confirmed")
            if e.action == "decide_sensitivity":
                column, value = "sensitivity", p.get("to")
            self.seq, self.columns[column] = e.seq, value
            self.row_sha256 = p.get("row_sha256")  # absent in entries before row hashes
            return
        if "row_sha256" in p or "record_sha256" in p:
            self.seq, self.exists, self.unchecked = e.seq, True, None
            self.row_sha256, self.data_sha256 = p.get("row_sha256"), p.get("record_sha256")
            self.columns = {}
            if "grade" in p:
                self.columns["grade"] = p["grade"]
            if isinstance(p.get("killed"), list) and len(p["killed"]) == 3:
                self.columns.update(zip(_KILLED, p["killed"], strict=True))
            if isinstance(p.get("claims"), list):
                self.claims, self.claims_seq = [int(c) for c in p["claims"]], e.seq
        elif e.action == "correct":
            self.seq, self.unchecked = e.seq, "incidents (corrected before record hashes)"


class IncidentCheck:
    """Each ledgered incident against the last entry that wrote it; rows no entry wrote."""

    def __init__(self, readable: bool, report: VerifyReport) -> None:
        self.readable, self.report = readable, report

    def run(self, reading: Reading, batch: int) -> None:
        for ids in ledger_subjects(reading, "incident", batch):
            with reading() as session:
                self.check_batch(session, [i for i in ids if i.isdigit()])
        with reading() as session:
            bulk = session.execute(
                select(func.count()).where(LedgerEntry.action == "bulk_load")
            ).scalar_one()
        for iid in unledgered(reading, Incident.id, "incident", batch):
            if bulk:  # bulk loads ledger a hash per batch of records, not one per incident
                self.report.not_checkable["incidents (bulk loaded)"] += 1
            else:
                self.report.problem("incidents", iid, "no ledger entry records this incident")

    def check_batch(self, session: Session, ids: Sequence[str]) -> None:
        entries = _entries(session, "incident", ids)
        names = [n for n in INCIDENT_COLUMNS if self.readable or n != "data"]
        numbers = [int(i) for i in ids]
        q = select(Incident.id, *(getattr(Incident, n) for n in names))
        found = session.execute(q.where(Incident.id.in_(numbers)))
        rows: dict[str, Mapping[str, Any]] = {str(r.id): dict(r._mapping) for r in found}
        links: dict[str, set[int]] = {}
        q2 = select(IncidentClaim.incident_id, IncidentClaim.claim_id)
        for inc, cid in session.execute(q2.where(IncidentClaim.incident_id.in_(numbers))):
            links.setdefault(str(inc), set()).add(cid)
        for iid in ids:
            state = LedgeredIncident()
            for e in entries.get(iid, ()):
                state.apply(e)
            if state.seq:
                self.compare(iid, state, rows.get(iid), links.get(iid, set()))

    def compare(
        self, iid: str, state: LedgeredIncident, row: Mapping[str, Any] | None, links: set[int]
    ) -> None:
        if not state.exists:
            if row is not None:
                self.report.problem("incidents", iid, f"retired at ledger entry {state.seq}")
            return
        if row is None:
            self.report.problem("incidents", iid, f"written at entry {state.seq}; the row is gone")
            return
        self.report.rows_checked["incidents"] += 1
        if state.claims is not None and set(state.claims) != links:
            added, removed = sorted(links - set(state.claims)), sorted(set(state.claims) - links)
            self.report.problem(
                "incident_claims",
                iid,
                f"claim links differ from ledger entry {state.claims_seq}"
                f" (added {added}, removed {removed})",
            )
        self.compare_record(iid, state, row)

    def compare_record(self, iid: str, state: LedgeredIncident, row: Mapping[str, Any]) -> None:
        changed = _differences(state.columns, row)
        if state.unchecked:
            self.report.not_checkable[state.unchecked] += 1
        elif not self.readable:
            self.report.not_checkable["incident records (encrypted, no key)"] += 1
        elif state.row_sha256 is not None:
            if incident_row_sha256(row) != state.row_sha256:
                changed = changed or "a recorded column or its JSON record"
        else:
            self.report.not_checkable["incident columns (ledgered before row hashes)"] += 1
            if ledger.sha256_hex(ledger.canonical_json(row["data"])) != state.data_sha256:
                changed = "; ".join(filter(None, [changed, "its JSON record"]))
        if changed:
            self.report.problem(
                "incidents", iid, f"differs from ledger entry {state.seq}: {changed}"
            )


# -- accounts ----------------------------------------------------------------------------------


def _ledgered_account(entries: Iterable[Entry]) -> tuple[int, dict[str, Any]] | None:
    """The role and active flag the entries leave a user with, and the last entry that set
    them; None when no entry created the user (a failed sign-in under an unknown name)."""
    seq, state = 0, None
    for e in entries:
        p = e.payload
        if e.action == "user_add":
            seq, state = e.seq, {"role": p.get("role"), "active": True}
        if state is None:
            continue
        if e.action in ("user_enable", "user_disable"):
            seq, state["active"] = e.seq, e.action == "user_enable"
        if isinstance(p.get("active"), bool):
            seq, state["active"] = e.seq, p["active"]
        role = p.get("role", p.get("to") if "role" in e.action else None)
        if isinstance(role, str):
            seq, state["role"] = e.seq, role
    return (seq, state) if state is not None else None


def check_accounts(reading: Reading, report: VerifyReport, batch: int) -> None:
    for names in ledger_subjects(reading, "user", batch):
        with reading() as session:
            entries = _entries(session, "user", names, skip=_ACCOUNT_NOISE)
            q = select(User.username, User.role, User.active).where(User.username.in_(names))
            rows = {r.username: r for r in session.execute(q)}
        for name in names:
            ledgered = _ledgered_account(entries.get(name, ()))
            if ledgered is None:
                continue
            seq, state = ledgered
            row = rows.get(name)
            if row is None:
                report.problem("users", name, f"ledgered up to entry {seq}; the row is gone")
                continue
            report.rows_checked["users"] += 1
            changed = _differences(state, {"role": row.role, "active": bool(row.active)})
            if changed:
                report.problem("users", name, f"differs from ledger entry {seq}: {changed}")
    for name in unledgered(reading, User.username, "user", batch):
        report.problem("users", name, "no ledger entry records this account")


# -- partner datasets --------------------------------------------------------------------------


def check_imports(reading: Reading, dialect: Dialect, report: VerifyReport, batch: int) -> None:
    """Each imported file is still stored, and its claims still hash to the import entry."""
    readable = can_decrypt(dialect)
    for ids in ledger_subjects(reading, "original", batch):
        with reading() as session:
            entries = _entries(session, "original", ids)
            present = set(
                session.execute(select(Original.sha256).where(Original.sha256.in_(ids))).scalars()
            )
        for sha, es in entries.items():
            for e in (e for e in es if e.action == "import"):
                if sha not in present:
                    name = readable_ledger_name(dialect, "file_name", e.payload.get("file_name"))
                    report.missing_documents.append((sha, name))
                elif readable:
                    _check_imported_claims(reading, report, e, batch)
                else:
                    report.not_checkable["claims (encrypted, no key)"] += e.payload["claims"]


def _check_imported_claims(reading: Reading, report: VerifyReport, e: Entry, batch: int) -> None:
    """Streams the entry's claim-id range, hashing the JSON list as it goes."""
    first, last, count = e.payload["first_claim"], e.payload["last_claim"], e.payload["claims"]
    digest, seen, after = hashlib.sha256(b"["), 0, (first or 1) - 1
    while first is not None:
        with reading() as session:
            rows = session.execute(
                select(Claim.id, Claim.sensitivity, Claim.data)
                .where(Claim.id > after, Claim.id <= last)
                .order_by(Claim.id)
                .limit(batch)
            ).all()
        if not rows:
            break
        for cid, sensitivity, data in rows:
            digest.update((b"," if seen else b"") + ledger.canonical_json(data).encode())
            seen += 1
            if sensitivity != e.payload.get("sensitivity"):
                report.problem("claims", cid, f"sensitivity {sensitivity!r}, imported otherwise")
        after = rows[-1][0]
    report.rows_checked["claims"] += seen
    digest.update(b"]")
    if seen != count or digest.hexdigest() != e.payload.get("claims_sha256"):
        report.problem(
            "claims",
            f"{first}-{last}",
            f"claims imported at ledger entry {e.seq} differ ({seen} of {count} present)",
        )


# -- the whole store ---------------------------------------------------------------------------


def verify_store(reading: Reading, dialect: Dialect, *, batch: int = 200) -> VerifyReport:
    """Every check above, then the chain walk; each reads in batches of ``batch`` rows."""
    report = VerifyReport()
    check_originals(reading, dialect, report, batch)
    documents = DocumentCheck(dialect, report)
    documents.run(reading, batch)
    documents.persons.run(reading, batch)
    check_imports(reading, dialect, report, batch)
    IncidentCheck(documents.readable, report).run(reading, batch)
    check_accounts(reading, report, batch)
    with reading() as session:
        for problem in ledger.walk(session):
            report.chain_problems.append((problem.seq, problem.reason))
        report.ledger_entries_checked = session.execute(
            select(func.count()).select_from(LedgerEntry)
        ).scalar_one()
    return report
