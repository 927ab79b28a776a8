"""RFC 3161 trusted time for checkpoints, through ``rfc3161-client``.

A query asks a time-stamping authority (TSA) to sign the SHA-256 of a checkpoint file with
the time. The query is written to a file for whatever TSA the organisation can reach (on the
day a connection exists, e.g. ``curl --data-binary @q.tsq -H 'Content-Type:
application/timestamp-query' URL > r.tsr``) and kept in the store with its nonce; the answer
is checked against the TSA's certificates (its signature, the nonce, the hash) before it is
stored and logged. Nothing here opens a connection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)
from sqlalchemy import select

from marsad.custody.checkpoint import CheckpointError
from marsad.store import Store, ledger
from marsad.store.models import Checkpoint, CheckpointTimestamp


class TimestampError(ValueError):
    """A time-stamp response that does not answer one of our queries, or does not check."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def make_request(store: Store, checkpoint_id: int | None = None) -> tuple[int, bytes]:
    """A DER time-stamp query for a checkpoint (the latest when none is named), kept in the
    store; returns the checkpoint's id and the query."""
    with store.transaction() as session:
        query = select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1)
        if checkpoint_id is not None:
            query = select(Checkpoint).where(Checkpoint.id == checkpoint_id)
        row = session.execute(query).scalar()
        if row is None:
            raise CheckpointError("no checkpoint yet: make one with `marsad checkpoint -o FILE`")
        request = (
            TimestampRequestBuilder()
            .data(row.statement.encode("utf-8"))
            .hash_algorithm(HashAlgorithm.SHA256)
            .nonce(nonce=True)
            .cert_request(cert_request=True)  # the token then carries the TSA's certificate
            .build()
        )
        session.add(
            CheckpointTimestamp(
                checkpoint_id=row.id,
                request=request.as_bytes(),
                nonce=None if request.nonce is None else str(request.nonce),
                requested_at=_now(),
            )
        )
        return row.id, request.as_bytes()


@dataclass(frozen=True)
class StoredToken:
    checkpoint_id: int
    checkpoint_seq: int
    gen_time: str
    tsa: str


def store_response(
    store: Store, response: bytes, tsa_certificates: bytes, *, actor: str
) -> StoredToken:
    """Check a TSA's answer and keep it beside the query it answers.

    ``tsa_certificates`` is PEM: the TSA's root (and any intermediate) certificates, which a
    TSA publishes. The token must answer a query of ours (same nonce and same checkpoint
    hash), be granted, and carry a valid signature by a certificate that chains to them."""
    parsed = _decode(response)
    certificates = _load_certificates(tsa_certificates)
    with store.transaction() as session:
        pending = session.execute(
            select(CheckpointTimestamp, Checkpoint)
            .join(Checkpoint, Checkpoint.id == CheckpointTimestamp.checkpoint_id)
            .where(CheckpointTimestamp.nonce == str(parsed.tst_info.nonce))
        ).first()
        if pending is None:
            raise TimestampError("this response answers no time-stamp query made by this store")
        token, checkpoint = pending
        if token.response is not None:
            raise TimestampError(f"this response is already stored (checkpoint {checkpoint.id})")
        _verify(parsed, certificates, nonce=int(parsed.tst_info.nonce), checkpoint=checkpoint)
        token.response = response
        token.gen_time = parsed.tst_info.gen_time.astimezone(UTC).isoformat()
        token.tsa_name = _signer_name(parsed)
        token.tsa_certificates = "".join(
            c.public_bytes(Encoding.PEM).decode("ascii") for c in certificates
        )
        token.verified_at = _now()
        session.flush()
        ledger.append(
            session,
            actor=actor,
            action="timestamp",
            subject_type="checkpoint",
            subject_id=str(checkpoint.id),
            payload={
                "seq": checkpoint.seq,
                "gen_time": token.gen_time,
                "tsa": token.tsa_name,
                "token_sha256": ledger.sha256_hex(response),
            },
        )
        return StoredToken(checkpoint.id, checkpoint.seq, token.gen_time, token.tsa_name)


def _decode(response: bytes) -> TimeStampResponse:
    try:
        parsed = decode_timestamp_response(response)
    except ValueError as exc:
        raise TimestampError(f"not an RFC 3161 time-stamp response: {exc}") from exc
    if PKIStatus(parsed.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        reason = "; ".join(parsed.status_string) or f"status {parsed.status}"
        raise TimestampError(f"the authority refused the query: {reason}")
    return parsed


def _load_certificates(pem: bytes) -> list[x509.Certificate]:
    try:
        found = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise TimestampError(f"the TSA certificates are not PEM certificates: {exc}") from exc
    return found


def _verify(
    parsed: TimeStampResponse,
    certificates: list[x509.Certificate],
    *,
    nonce: int,
    checkpoint: Checkpoint,
) -> None:
    builder = VerifierBuilder().nonce(nonce)
    for certificate in certificates:
        builder = builder.add_root_certificate(certificate)
    try:
        builder.build().verify_message(parsed, checkpoint.statement.encode("utf-8"))
    except VerificationError as exc:
        raise TimestampError(f"the time-stamp token does not check: {_short(exc)}") from exc


def _short(exc: Exception) -> str:
    """OpenSSL's error stack cut to its reasons (the rest names C source lines)."""
    message = str(exc)
    reasons = re.findall(r'reason: "([^"]+)"', message)
    data = re.findall(r'data: "([^"]+)"', message)
    if not reasons:
        return message[:300]
    head = message.split(": ErrorStack", 1)[0]
    return f"{head}: {'; '.join(dict.fromkeys(data + reasons))}"


def _signer_name(parsed: TimeStampResponse) -> str:
    signer = next(iter(parsed.signed_data.signer_infos))
    for der in parsed.signed_data.certificates:
        certificate = x509.load_der_x509_certificate(der)
        if certificate.serial_number == signer.serial_number:
            return certificate.subject.rfc4514_string()
    return signer.issuer.rfc4514_string()


def tokens_for(store: Store, checkpoint_ids: list[int]) -> list[CheckpointTimestamp]:
    """The checked tokens of these checkpoints, oldest first."""
    with store.reading() as session:
        return list(
            session.execute(
                select(CheckpointTimestamp)
                .where(
                    CheckpointTimestamp.checkpoint_id.in_(checkpoint_ids),
                    CheckpointTimestamp.response.is_not(None),
                )
                .order_by(CheckpointTimestamp.id)
            ).scalars()
        )
