"""Signed checkpoints of the ledger: the head's sequence number and hash, and the number of
entries, signed with the organisation's Ed25519 key.

A checkpoint file is one canonical JSON object (sorted keys, no spaces, UTF-8, no newline at
the end): ``format``, ``seq``, ``head``, ``entries``, ``time``, ``actor``, ``public_key``
(raw Ed25519, base64), ``key_fingerprint`` and ``signature``. The signature covers the
canonical JSON of every other field. The file's bytes are also what a time-stamping authority
is asked to vouch for (:mod:`marsad.custody.tsa`), so ``openssl ts -verify -data FILE`` works
on it directly.

Whoever rewrites the ledger after a checkpoint left the building cannot make the chain end in
the signed hash again without the signing key: :func:`verify_checkpoint` recomputes every
entry up to the checkpoint and names the first one that differs.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.store import Store, ledger
from marsad.store.crypto import SigningKey, public_key_fingerprint
from marsad.store.models import Checkpoint, LedgerEntry, LedgerHead

FORMAT = "marsad-checkpoint/1"
_FIELDS = ("format", "seq", "head", "entries", "time", "actor", "public_key", "key_fingerprint")


class CheckpointError(ValueError):
    """A checkpoint that cannot be made or read."""


@dataclass(frozen=True)
class Statement:
    """A checkpoint: the signed fields and the signature over them."""

    body: dict[str, Any]
    signature: str  # base64

    @property
    def seq(self) -> int:
        return int(self.body["seq"])

    @property
    def head(self) -> str:
        return str(self.body["head"])

    @property
    def fingerprint(self) -> str:
        return str(self.body["key_fingerprint"])

    def signed_bytes(self) -> bytes:
        return ledger.canonical_json(self.body).encode("utf-8")

    def text(self) -> str:
        """The file's content, exactly (and the ``statement`` column's)."""
        return ledger.canonical_json({**self.body, "signature": self.signature})

    def file_bytes(self) -> bytes:
        return self.text().encode("utf-8")

    @classmethod
    def parse(cls, data: bytes | str) -> Statement:
        try:
            found = json.loads(data)
        except ValueError as exc:
            raise CheckpointError(f"not a checkpoint (not JSON): {exc}") from exc
        if not isinstance(found, dict) or found.get("format") != FORMAT:
            raise CheckpointError(f"not a {FORMAT} checkpoint")
        missing = [f for f in (*_FIELDS, "signature") if f not in found]
        if missing:
            raise CheckpointError(f"checkpoint lacks {', '.join(missing)}")
        signature = found.pop("signature")
        if not isinstance(found["seq"], int) or not isinstance(found["entries"], int):
            raise CheckpointError("checkpoint seq and entries must be integers")
        return cls(found, str(signature))

    def signature_valid(self) -> bool:
        """Whether the signature is the public key's over the other fields."""
        try:
            public = Ed25519PublicKey.from_public_bytes(self.public_raw())
            public.verify(base64.b64decode(self.signature, validate=True), self.signed_bytes())
        except (InvalidSignature, ValueError, binascii.Error):
            return False
        return True

    def public_raw(self) -> bytes:
        try:
            return base64.b64decode(str(self.body["public_key"]), validate=True)
        except (ValueError, binascii.Error) as exc:
            raise CheckpointError("checkpoint public_key is not base64") from exc


def sign(signing_key: SigningKey, *, seq: int, head: str, entries: int, actor: str) -> Statement:
    body = {
        "format": FORMAT,
        "seq": seq,
        "head": head,
        "entries": entries,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "actor": actor,
        "public_key": base64.b64encode(signing_key.public_raw).decode("ascii"),
        "key_fingerprint": signing_key.fingerprint,
    }
    signature = signing_key.sign(ledger.canonical_json(body).encode("utf-8"))
    return Statement(body, base64.b64encode(signature).decode("ascii"))


def make_checkpoint(store: Store, signing_key: SigningKey, *, actor: str) -> tuple[int, Statement]:
    """Sign the current head, keep the checkpoint, and log it; returns its id and statement.

    The chain is walked first: a ledger that no longer verifies is not signed, so a checkpoint
    never lends its signature to a chain that was already rewritten."""
    with store.transaction() as session:
        head = session.execute(
            select(LedgerHead).where(LedgerHead.id == 1).with_for_update()
        ).scalar()
        if head is None:
            raise CheckpointError("the ledger is empty: there is nothing to checkpoint")
        problems = list(ledger.walk(session))
        if problems:
            first = problems[0]
            raise CheckpointError(
                f"the ledger does not verify (entry {first.seq}: {first.reason}; "
                f"{len(problems)} problem(s)); run `marsad verify` — it is not signed"
            )
        entries = session.execute(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.seq <= head.seq)
        ).scalar_one()
        statement = sign(
            signing_key, seq=head.seq, head=head.entry_hash, entries=entries, actor=actor
        )
        row = Checkpoint(
            seq=statement.seq,
            head_hash=statement.head,
            entries=entries,
            created_at=statement.body["time"],
            actor=actor,
            key_fingerprint=statement.fingerprint,
            statement=statement.text(),
        )
        session.add(row)
        session.flush()
        ledger.append(
            session,
            actor=actor,
            action="checkpoint",
            subject_type="checkpoint",
            subject_id=str(row.id),
            payload={
                "seq": statement.seq,
                "head": statement.head,
                "entries": entries,
                "key_fingerprint": statement.fingerprint,
                "statement_sha256": ledger.sha256_hex(statement.file_bytes()),
            },
        )
        return row.id, statement


def latest_checkpoint(session: Session) -> Checkpoint | None:
    return session.execute(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1)).scalar()


@dataclass
class CheckpointCheck:
    """What :func:`verify_checkpoint` found. ``ok`` needs a valid signature and a ledger that
    still ends, at the checkpoint's entry, in the signed hash, with no entry missing."""

    seq: int
    head: str
    fingerprint: str
    signature_ok: bool
    key_is_yours: bool | None  # None: no signing key of yours was given to compare
    entries_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signature_ok and not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seq": self.seq,
            "head": self.head,
            "key_fingerprint": self.fingerprint,
            "signature_ok": self.signature_ok,
            "key_is_yours": self.key_is_yours,
            "entries_checked": self.entries_checked,
            "problems": self.problems,
        }


def verify_checkpoint(
    store: Store, statement: Statement, *, own_key: SigningKey | None = None
) -> CheckpointCheck:
    """Check the signature, then recompute the chain from the first entry up to the
    checkpoint's and compare: any entry rewritten, removed or inserted up to it is named."""
    check = CheckpointCheck(
        seq=statement.seq,
        head=statement.head,
        fingerprint=statement.fingerprint,
        signature_ok=statement.signature_valid(),
        key_is_yours=None if own_key is None else own_key.fingerprint == statement.fingerprint,
    )
    if public_key_fingerprint(statement.public_raw()) != statement.fingerprint:
        check.problems.append("the key fingerprint does not belong to the checkpoint's key")
    if not check.signature_ok:
        check.problems.append("the signature does not match the checkpoint's fields")
    with store.reading() as session:
        check.problems.extend(_chain_problems(session, statement, check))
    return check


def _chain_problems(
    session: Session, statement: Statement, check: CheckpointCheck
) -> Iterator[str]:
    # Each entry is checked against the stored hash of the one before, so an entry edited in
    # place is named alone; a chain rewritten and re-hashed from some entry on shows instead
    # as a chain that no longer ends in the signed head.
    previous, expected_seq, last = ledger.GENESIS_HASH, 1, None
    for entry in _entries_up_to(session, statement.seq):
        check.entries_checked += 1
        if entry.seq != expected_seq:
            yield f"entries {expected_seq} to {entry.seq - 1} were removed"
        recomputed = ledger.entry_hash(
            prev_hash=previous,
            seq=entry.seq,
            time=entry.time,
            actor=entry.actor,
            action=entry.action,
            subject_type=entry.subject_type,
            subject_id=entry.subject_id,
            payload_hash=ledger.sha256_hex(entry.payload),
        )
        if recomputed != entry.entry_hash or entry.prev_hash != previous:
            yield f"entry {entry.seq} was altered: its hash no longer follows from its fields"
        previous, expected_seq, last = entry.entry_hash, entry.seq + 1, entry
    if last is None or last.seq != statement.seq:
        yield f"entry {statement.seq}, the checkpoint's head, is no longer in the ledger"
    elif previous != statement.head:
        yield (
            f"the chain up to entry {statement.seq} no longer ends in the signed head hash: "
            "entries up to it were rewritten"
        )
    if check.entries_checked != statement.body["entries"]:
        yield (
            f"the checkpoint counted {statement.body['entries']} entries up to "
            f"{statement.seq}; the ledger now holds {check.entries_checked}"
        )


def _entries_up_to(session: Session, seq: int, batch: int = 5000) -> Iterator[LedgerEntry]:
    last = 0
    while True:
        rows = (
            session.execute(
                select(LedgerEntry)
                .where(LedgerEntry.seq > last, LedgerEntry.seq <= seq)
                .order_by(LedgerEntry.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()
