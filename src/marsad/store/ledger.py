"""The chain of custody: an append-only ledger in which each entry hashes the one before it.

``entry_hash = sha256(prev_hash, seq, time, actor, action, subject_type, subject_id,
payload_hash)``,
fields joined with a unit separator so no two different entries can hash alike by shifting text
between fields. The payload is canonical JSON (sorted keys, no spaces) and is hashed as stored.
In an encrypted store the payload values that can carry names are stored encrypted (see
:func:`marsad.store.crypto.protect_payload`), so the chain verifies without the key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from marsad.store.crypto import protect_payload
from marsad.store.db import Lock, lock_transaction
from marsad.store.models import LedgerEntry, LedgerHead

GENESIS_HASH = "0" * 64
_SEP = "\x1f"


def canonical_json(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    time: str,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    payload_hash: str,
) -> str:
    parts = [prev_hash, str(seq), time, actor, action, subject_type, subject_id, payload_hash]
    return sha256_hex(_SEP.join(parts))


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
) -> LedgerEntry:
    """Add one entry inside the caller's transaction (so it commits or rolls back with the change
    it records). The head row is locked first so concurrent writers cannot fork the chain."""
    head = _locked_head(session)
    prev_hash, seq = (head.entry_hash, head.seq + 1) if head else (GENESIS_HASH, 1)
    payload_text = canonical_json(protect_payload(session.get_bind().dialect, payload))
    time = datetime.now(UTC).isoformat(timespec="microseconds")
    fields = {
        "seq": seq,
        "time": time,
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "payload_hash": sha256_hex(payload_text),
    }
    digest = entry_hash(prev_hash=prev_hash, **fields)  # type: ignore[arg-type]
    entry = LedgerEntry(payload=payload_text, prev_hash=prev_hash, entry_hash=digest, **fields)
    session.add(entry)
    if head is None:
        session.add(LedgerHead(id=1, seq=seq, entry_hash=digest))
    else:
        head.seq, head.entry_hash = seq, digest
    session.flush()
    return entry


def _locked_head(session: Session) -> LedgerHead | None:
    """The head row, locked until the transaction ends; None before the first entry. Two
    first appends find no row to lock, so they take turns on a lock of their own, and the
    second then finds the row the first wrote."""
    query = select(LedgerHead).where(LedgerHead.id == 1).with_for_update()
    head = session.execute(query).scalar()
    if head is None:
        lock_transaction(session, Lock.LEDGER_START)
        head = session.execute(query).scalar()
    return head


@dataclass(frozen=True)
class NewEntry:
    """One entry for :func:`append_many`: what is recorded, before it is chained."""

    actor: str
    action: str
    subject_type: str
    subject_id: str
    payload: dict[str, Any]


def append_many(session: Session, entries: Sequence[NewEntry]) -> list[int]:
    """Add many entries inside the caller's transaction, chained in the order given; returns
    their sequence numbers.

    Each entry is exactly what :func:`append` would have written for it (same fields, same
    hashes, each linked to the one before), but the head row is locked and updated once and the
    entries go in as one multi-row insert, so a resolution run saving thousands of incidents does
    not pay a lock, a flush and an insert per incident. Holding the head lock for the whole batch
    keeps the chain unforkable exactly as single appends do."""
    if not entries:
        return []
    head = _locked_head(session)
    prev_hash, seq = (head.entry_hash, head.seq + 1) if head else (GENESIS_HASH, 1)
    rows: list[dict[str, Any]] = []
    dialect = session.get_bind().dialect
    for e in entries:
        payload_text = canonical_json(protect_payload(dialect, e.payload))
        fields = {
            "seq": seq,
            "time": datetime.now(UTC).isoformat(timespec="microseconds"),
            "actor": e.actor,
            "action": e.action,
            "subject_type": e.subject_type,
            "subject_id": str(e.subject_id),
            "payload_hash": sha256_hex(payload_text),
        }
        digest = entry_hash(prev_hash=prev_hash, **fields)  # type: ignore[arg-type]
        rows.append(
            {**fields, "payload": payload_text, "prev_hash": prev_hash, "entry_hash": digest}
        )
        prev_hash, seq = digest, seq + 1
    session.execute(insert(cast(Table, LedgerEntry.__table__)), rows)
    last = rows[-1]
    if head is None:
        session.add(LedgerHead(id=1, seq=last["seq"], entry_hash=last["entry_hash"]))
    else:
        head.seq, head.entry_hash = last["seq"], last["entry_hash"]
    session.flush()
    return [r["seq"] for r in rows]


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str


def walk(session: Session, batch: int = 5000) -> Iterator[ChainProblem]:
    """Re-hash every entry in order and report each broken link, altered payload or gap."""
    expected_prev, expected_seq, last_hash = GENESIS_HASH, 1, GENESIS_HASH
    last_seq = 0
    while True:
        rows = (
            session.execute(
                select(LedgerEntry)
                .where(LedgerEntry.seq > last_seq)
                .order_by(LedgerEntry.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                yield ChainProblem(e.seq, f"gap: expected entry {expected_seq}, found {e.seq}")
            if e.prev_hash != expected_prev:
                yield ChainProblem(e.seq, "broken link: prev_hash does not match the entry before")
            if sha256_hex(e.payload) != e.payload_hash:
                yield ChainProblem(e.seq, "payload altered: its hash does not match")
            recomputed = entry_hash(
                prev_hash=e.prev_hash,
                seq=e.seq,
                time=e.time,
                actor=e.actor,
                action=e.action,
                subject_type=e.subject_type,
                subject_id=e.subject_id,
                payload_hash=e.payload_hash,
            )
            if recomputed != e.entry_hash:
                yield ChainProblem(e.seq, "entry altered: its hash does not match its fields")
            expected_prev, expected_seq, last_hash = e.entry_hash, e.seq + 1, e.entry_hash
            last_seq = e.seq
        session.expunge_all()
    head = session.get(LedgerHead, 1)
    if head is not None and (head.seq != last_seq or head.entry_hash != last_hash):
        yield ChainProblem(
            head.seq, f"ledger head names entry {head.seq} but the chain ends at {last_seq}"
        )


def head_hash(session: Session) -> str:
    head = session.get(LedgerHead, 1)
    return head.entry_hash if head else GENESIS_HASH


def history(session: Session, subject_type: str, subject_id: str) -> list[LedgerEntry]:
    return list(
        session.execute(
            select(LedgerEntry)
            .where(LedgerEntry.subject_type == subject_type, LedgerEntry.subject_id == subject_id)
            .order_by(LedgerEntry.seq)
        ).scalars()
    )
