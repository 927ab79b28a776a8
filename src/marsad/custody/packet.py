"""Evidence packets: one zip that carries what a recipient needs to check a set of incidents
without Marsad — the originals byte for byte, the records, the ledger entries about them with
the chain links up to a signed checkpoint, earlier checkpoints and their time-stamp tokens, a
manifest of SHA-256 sums, and ``verify_packet.py`` (Python's standard library only).

How the parts hold each other (``docs/custody.md`` says it for readers):

- ``manifest.json`` lists the SHA-256 and size of every file except itself, ``ledger/`` and
  ``checkpoints/``; its own SHA-256 is recorded in the ledger entry that logs the packet
  (action ``packet``).
- ``ledger/chain.jsonl`` holds every ledger entry from the first one about the packet's
  incidents and documents up to the checkpoint's head: all hashed fields of each, and the
  payload of those about the packet (the others' payloads stay home; their hashes suffice to
  recompute the chain).
- the checkpoint made right after the packet entry signs the head, so the signature covers
  the chain, the packet entry, the manifest, and through it every file.

A packet holds originals and unmasked records: it is restricted material, logged in the
ledger when made, and written readable by its owner only.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from marsad.contract.incident import IncidentFilter
from marsad.custody.checkpoint import make_checkpoint
from marsad.store import Store, ledger
from marsad.store.crypto import SigningKey
from marsad.store.models import (
    Checkpoint,
    CheckpointTimestamp,
    Claim,
    Document,
    Incident,
    IncidentClaim,
    LedgerEntry,
)

FORMAT = "marsad-packet/1"
VERIFIER = Path(__file__).with_name("verify_packet.py")
_CHUNK = 200  # ids per IN (...) list


class PacketError(ValueError):
    """A packet that cannot be made (nothing selected, no signing key)."""


@dataclass
class PacketScope:
    """Which incidents: by id, or by a filter (dates, area)."""

    incident_ids: list[int] = field(default_factory=list)
    incident_filter: IncidentFilter | None = None

    def describe(self) -> dict[str, Any]:
        if self.incident_ids:
            return {"incidents": self.incident_ids}
        f = self.incident_filter or IncidentFilter()
        return {
            "from": f.date_from.isoformat() if f.date_from else None,
            "to": f.date_to.isoformat() if f.date_to else None,
            "area": f.area,
        }


@dataclass
class PacketReport:
    path: Path
    incidents: int
    documents: int
    ledger_seq: int  # the entry that logs the packet
    checkpoint_seq: int
    files: int


def select_incidents(store: Store, scope: PacketScope) -> list[int]:
    if scope.incident_ids:
        with store.reading() as session:
            found = set(
                session.execute(
                    select(Incident.id).where(Incident.id.in_(scope.incident_ids))
                ).scalars()
            )
        missing = sorted(set(scope.incident_ids) - found)
        if missing:
            raise PacketError(f"no incident {', '.join(map(str, missing))}")
        return sorted(found)
    base = scope.incident_filter or IncidentFilter()
    wanted = IncidentFilter(
        date_from=base.date_from,
        date_to=base.date_to,
        area=base.area,
        max_sensitivity="restricted",
    )
    return [v.id for v in store.iter_incidents(wanted) if v.id is not None]


class _ZipWriter:
    """Writes files into the zip and remembers each one's SHA-256 and size for the manifest."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.listed: list[dict[str, Any]] = []

    def add(self, name: str, data: bytes, *, listed: bool = True) -> None:
        # a fixed date: the same content gives the same zip entry, whenever it is packed
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        self.archive.writestr(info, data)
        if listed:
            self.listed.append(
                {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            )

    def stream(self, name: str) -> IO[bytes]:
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return self.archive.open(info, "w", force_zip64=True)


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def write_packet(
    store: Store,
    scope: PacketScope,
    out: Path,
    *,
    signing_key: SigningKey | None,
    actor: str,
) -> PacketReport:
    """Build the packet at ``out`` (replaced only once it is complete)."""
    if signing_key is None:
        raise PacketError(
            "a packet is anchored by a signed checkpoint: give the signing key "
            "(--signing-key, --key-file or MARSAD_KEY_FILE; see `marsad key add-signing`)"
        )
    incident_ids = select_incidents(store, scope)
    if not incident_ids:
        raise PacketError("no incident matches: the packet would be empty")
    with store.reading() as session:  # before anything is logged: a broken chain is not packed
        problem = next(ledger.walk(session), None)
    if problem is not None:
        raise PacketError(
            f"the ledger does not verify (entry {problem.seq}: {problem.reason}); run marsad verify"
        )
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            report = _fill(store, _ZipWriter(archive), incident_ids, scope, out, signing_key, actor)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return report


def _fill(
    store: Store,
    writer: _ZipWriter,
    incident_ids: list[int],
    scope: PacketScope,
    out: Path,
    signing_key: SigningKey,
    actor: str,
) -> PacketReport:
    document_ids = _write_records(store, writer, incident_ids)
    _write_originals(store, writer, document_ids)
    subjects = [("incident", str(i)) for i in incident_ids]
    subjects += [("document", d) for d in document_ids]
    first_seq = _first_seq(store, subjects)
    _write_timestamps(store, writer, first_seq)
    writer.add("verify_packet.py", VERIFIER.read_bytes())
    writer.add("README.txt", _readme().encode("utf-8"))
    manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "scope": scope.describe(),
        "files": writer.listed,
    }
    manifest_bytes = _json_bytes(manifest)
    packet_seq = store.append_ledger(
        actor=actor,
        action="packet",
        subject_type="packet",
        subject_id=hashlib.sha256(manifest_bytes).hexdigest(),
        payload={
            "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest(),
            "incidents": incident_ids,
            "documents": len(document_ids),
            "file_name": out.name,
        },
    )
    _, statement = make_checkpoint(store, signing_key, actor=actor)
    first = packet_seq if first_seq is None else min(first_seq, packet_seq)
    packet_subject = ("packet", hashlib.sha256(manifest_bytes).hexdigest())
    _write_chain(store, writer, {*subjects, packet_subject}, first, statement.seq)
    _write_checkpoints(store, writer, first, statement.seq)
    writer.add("manifest.json", manifest_bytes, listed=False)
    return PacketReport(
        out, len(incident_ids), len(document_ids), packet_seq, statement.seq, len(writer.listed)
    )


def _write_records(store: Store, writer: _ZipWriter, incident_ids: list[int]) -> list[str]:
    """One JSON record per incident (with its claims) and per document; returns the ids of
    the documents the incidents' claims come from."""
    document_ids: set[str] = set()
    for chunk in _chunks(incident_ids):
        with store.reading() as session:
            claims = _claims_by_incident(session, chunk)
            rows = session.execute(select(Incident).where(Incident.id.in_(chunk))).scalars()
            for row in rows:
                view = store.incident(row.id, max_sensitivity="restricted")
                own_claims = claims.get(row.id, [])
                document_ids.update(c["document_id"] for c in own_claims if c["document_id"])
                record = {
                    "id": row.id,
                    "sensitivity": row.sensitivity,
                    "review_status": row.review_status,
                    # what resolution hashed into its ledger entries: canonical JSON of data
                    "record_sha256": ledger.sha256_hex(ledger.canonical_json(row.data)),
                    "data": row.data,
                    "view": view.to_dict() if view else None,
                    "claims": own_claims,
                }
                writer.add(f"records/incidents/{row.id}.json", _json_bytes(record))
    ordered = sorted(document_ids)
    for chunk in _chunks(ordered):
        with store.reading() as session:
            docs = session.execute(select(Document).where(Document.id.in_(chunk))).scalars()
            for doc in docs:
                writer.add(f"records/documents/{doc.id}.json", _json_bytes(_document(doc)))
    return ordered


def _claims_by_incident(session: Session, incident_ids: list[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    rows = session.execute(
        select(IncidentClaim.incident_id, Claim)
        .join(Claim, Claim.id == IncidentClaim.claim_id)
        .where(IncidentClaim.incident_id.in_(incident_ids))
        .order_by(IncidentClaim.incident_id, Claim.id)
    )
    for incident_id, claim in rows:
        found.setdefault(incident_id, []).append(
            {
                "id": claim.id,
                "document_id": claim.document_id,
                "run_id": claim.run_id,
                "position": claim.position,
                "superseded": claim.superseded,
                "sensitivity": claim.sensitivity,
                "provenance": claim.provenance,
                "data": claim.data,
            }
        )
    return found


def _document(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "original": f"originals/{doc.id}",
        "original_name": doc.original_name,
        "media_type": doc.media_type,
        "title": doc.title,
        "url": doc.url,
        "source": doc.source.name if doc.source else None,
        "published": doc.published.isoformat() if doc.published else None,
        "language": doc.language,
        "retrieved_at": doc.retrieved_at.isoformat(),
        "sensitivity": doc.sensitivity,
        "extra": doc.extra,
        "text": doc.text,
    }


def _write_originals(store: Store, writer: _ZipWriter, document_ids: list[str]) -> None:
    for doc_id in document_ids:  # one at a time: an original may be tens of megabytes
        content = store.original(doc_id)
        if content is None:
            raise PacketError(f"the original of document {doc_id} is missing: run marsad verify")
        writer.add(f"originals/{doc_id}", content)


def _first_seq(store: Store, subjects: list[tuple[str, str]]) -> int | None:
    first: int | None = None
    with store.reading() as session:
        for chunk in _chunks(subjects):
            found = session.execute(
                select(LedgerEntry.seq)
                .where(tuple_(LedgerEntry.subject_type, LedgerEntry.subject_id).in_(chunk))
                .order_by(LedgerEntry.seq)
                .limit(1)
            ).scalar()
            if found is not None and (first is None or found < first):
                first = found
    return first


def _write_timestamps(store: Store, writer: _ZipWriter, first_seq: int | None) -> None:
    """The checked time-stamp tokens of the checkpoints the packet's chain reaches."""
    with store.reading() as session:
        rows = session.execute(
            select(CheckpointTimestamp, Checkpoint.seq)
            .join(Checkpoint, Checkpoint.id == CheckpointTimestamp.checkpoint_id)
            .where(
                CheckpointTimestamp.response.is_not(None),
                Checkpoint.seq >= (first_seq or 0),
            )
            .order_by(CheckpointTimestamp.id)
        ).all()
    for token, seq in rows:
        stem = f"timestamps/{seq}-{token.checkpoint_id}-{token.id}"
        writer.add(f"{stem}.tsq", token.request)
        writer.add(f"{stem}.tsr", token.response or b"")
        writer.add(f"{stem}-tsa.pem", (token.tsa_certificates or "").encode("ascii"))


def _write_chain(
    store: Store, writer: _ZipWriter, subjects: set[tuple[str, str]], first: int, last: int
) -> None:
    """Every entry from ``first`` to ``last``, one canonical JSON object a line; the payload
    only where the entry is about the packet's subjects or a checkpoint."""
    with writer.stream("ledger/chain.jsonl") as out:
        after = first - 1
        while after < last:
            with store.reading() as session:
                rows = list(
                    session.execute(
                        select(LedgerEntry)
                        .where(LedgerEntry.seq > after, LedgerEntry.seq <= last)
                        .order_by(LedgerEntry.seq)
                        .limit(5000)
                    ).scalars()
                )
            if not rows:
                break
            for e in rows:
                line = {
                    "seq": e.seq,
                    "time": e.time,
                    "actor": e.actor,
                    "action": e.action,
                    "subject_type": e.subject_type,
                    "subject_id": e.subject_id,
                    "payload_hash": e.payload_hash,
                    "prev_hash": e.prev_hash,
                    "entry_hash": e.entry_hash,
                }
                if (e.subject_type, e.subject_id) in subjects or e.subject_type == "checkpoint":
                    line["payload"] = e.payload
                out.write((ledger.canonical_json(line) + "\n").encode("utf-8"))
            after = rows[-1].seq


def _write_checkpoints(store: Store, writer: _ZipWriter, first: int, last: int) -> None:
    with store.reading() as session:
        rows = session.execute(
            select(Checkpoint)
            .where(Checkpoint.seq >= first, Checkpoint.seq <= last)
            .order_by(Checkpoint.id)
        ).scalars()
        for row in rows:
            writer.add(
                f"checkpoints/{row.seq}-{row.id}.json",
                row.statement.encode("utf-8"),
                listed=False,
            )


def _readme() -> str:
    return """Marsad evidence packet
======================

RESTRICTED MATERIAL. This packet holds original reports byte for byte and unmasked records:
they can name people at risk. Keep it where only the people entitled to it can read it.

To check it, unzip it into an empty folder and run, with any Python 3.11 or later:

    python3 -I verify_packet.py

It needs nothing but Python's standard library. It checks every file against manifest.json,
each original against the ledger entry that recorded its ingest, the ledger chain from the
first entry about this packet up to the signed checkpoint, and the time-stamp tokens' hashes.
The Ed25519 signatures are checked when the `cryptography` package is importable; otherwise
the script says so, and the checkpoint's key fingerprint should be compared by hand with the
one the organisation publishes.

  originals/            the reports as received, each named by its SHA-256
  records/incidents/    each incident: the resolved record, its claims and evidence spans
  records/documents/    each report's metadata and text
  ledger/chain.jsonl    the ledger entries, hash-chained, up to the checkpoint
  checkpoints/          signed statements of the ledger head
  timestamps/           RFC 3161 queries (.tsq), tokens (.tsr) and the authority's certificates
  manifest.json         the SHA-256 and size of every file but ledger/ and checkpoints/

A token can also be checked with OpenSSL, e.g.:

    openssl ts -verify -in timestamps/N-C-T.tsr -data checkpoints/N-C.json \\
        -CAfile timestamps/N-C-T-tsa.pem
"""
