"""The data model for the whole product, as SQLAlchemy tables.

Layers of truth, from the ground up:

- ``Original``: the exact bytes received, keyed by their SHA-256. Never updated.
- ``Document``: what we know about one original (title, source, dates, language, text).
- ``Claim``: one source's statement about an event or a total, with evidence spans (JSON).
- ``Incident``: the resolved event, with low/best/high figures, linked to its claims.
- ``Person``: a named individual; restricted by default and never published unless cleared.
- ``Correction``: a named person's change to a machine value; the machine value is kept beside it.
- ``LedgerEntry``: the append-only, hash-chained record of every ingest, run and human edit.

Every record that can be shown to someone carries a ``sensitivity`` (public, internal, restricted).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from marsad.store.crypto import EncryptedBytes, EncryptedJSON, EncryptedText


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


SENSITIVITY = String(16)


class Source(Base):
    """An outlet, organisation, monitor network or partner dataset that reports."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="outlet")
    credibility: Mapped[float] = mapped_column(Float, default=1.0)
    sensitivity: Mapped[str] = mapped_column(SENSITIVITY, default="public")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Original(Base):
    """The bytes exactly as received. Content-addressed: ``sha256`` is the hash of ``content``."""

    __tablename__ = "originals"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(EncryptedBytes("originals.content"))


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(64), ForeignKey("originals.sha256"), primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    title: Mapped[str | None] = mapped_column(EncryptedText("documents.title"))
    url: Mapped[str | None] = mapped_column(EncryptedText("documents.url"))
    language: Mapped[str] = mapped_column(String(16), default="und")
    published: Mapped[date | None] = mapped_column(Date, index=True)
    retrieved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # file path or dataset row, as received
    original_name: Mapped[str] = mapped_column(EncryptedText("documents.original_name"))
    media_type: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(EncryptedText("documents.text"))
    sensitivity: Mapped[str] = mapped_column(SENSITIVITY, default="internal", index=True)
    extra: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("documents.extra"), default=dict)

    source: Mapped[Source | None] = relationship()
    claims: Mapped[list[Claim]] = relationship(back_populates="document")


class ExtractionRun(Base):
    """One pass of the engine over some documents: which version produced which claims."""

    __tablename__ = "extraction_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engine: Mapped[str] = mapped_column(String(80))
    engine_version: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(120))


class Claim(Base):
    """One source's statement. ``data`` holds the full claim (contract.claim.Claim.to_dict()); the
    columns beside it are copies of the fields that queries filter on."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("extraction_runs.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # where the claim came from when it is not one of our documents (partner dataset row)
    provenance: Mapped[dict[str, Any]] = mapped_column(
        EncryptedJSON("claims.provenance"), default=dict
    )
    scope: Mapped[str] = mapped_column(String(16), index=True)
    event_type: Mapped[str] = mapped_column(String(48), index=True)
    date_start: Mapped[date | None] = mapped_column(Date, index=True)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[int | None] = mapped_column(Integer)
    admin1_pcode: Mapped[str | None] = mapped_column(String(16), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    killed_low: Mapped[int | None] = mapped_column(BigInteger)
    killed_high: Mapped[int | None] = mapped_column(BigInteger)
    sensitivity: Mapped[str] = mapped_column(SENSITIVITY, default="internal")
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("claims.data"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    document: Mapped[Document | None] = relationship(back_populates="claims")


class Incident(Base):
    """A resolved event. Figures are ranges; ``data`` holds the full resolved record (every
    source's value beside each figure, disagreements, machine values under corrections)."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(48), index=True)
    date_start: Mapped[date | None] = mapped_column(Date, index=True)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[int | None] = mapped_column(Integer)
    # days from date_start to date_end: the longest one bounds period queries on both sides
    date_span_days: Mapped[int | None] = mapped_column(Integer, index=True)
    place_name: Mapped[str | None] = mapped_column(Text)
    place_precision: Mapped[str | None] = mapped_column(String(16))
    admin1: Mapped[str | None] = mapped_column(String(80))
    admin1_pcode: Mapped[str | None] = mapped_column(String(16), index=True)
    admin2_pcode: Mapped[str | None] = mapped_column(String(16))
    admin3_pcode: Mapped[str | None] = mapped_column(String(16))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    killed_low: Mapped[int | None] = mapped_column(BigInteger)
    killed_best: Mapped[int | None] = mapped_column(BigInteger)
    killed_high: Mapped[int | None] = mapped_column(BigInteger)
    injured_low: Mapped[int | None] = mapped_column(BigInteger)
    injured_best: Mapped[int | None] = mapped_column(BigInteger)
    injured_high: Mapped[int | None] = mapped_column(BigInteger)
    grade: Mapped[str] = mapped_column(String(16), default="weak", index=True)
    source_count: Mapped[int] = mapped_column(Integer, default=0)
    independent_source_count: Mapped[int] = mapped_column(Integer, default=0)
    review_status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    sensitivity: Mapped[str] = mapped_column(SENSITIVITY, default="internal", index=True)
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("incidents.data"), default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_incidents_date_type", "date_start", "event_type"),
        Index("ix_incidents_area_page", "sensitivity", "admin1_pcode", "date_start", "id"),
    )


class IncidentClaim(Base):
    __tablename__ = "incident_claims"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), primary_key=True, index=True)


class Person(Base):
    """A named individual: victim, witness, activist, defender at risk. Restricted by default."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(EncryptedText("persons.name"))
    role: Mapped[str] = mapped_column(String(40), default="unknown")
    sensitivity: Mapped[str] = mapped_column(SENSITIVITY, default="restricted")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # other forms of the name (Arabic spellings, nicknames) masked like the name itself
    aliases: Mapped[list[str]] = mapped_column(EncryptedJSON("persons.aliases"), default=list)
    # digest of the normalised name: finds the person when ``name`` is stored encrypted
    name_key: Mapped[str | None] = mapped_column(String(64), index=True)
    origin: Mapped[str] = mapped_column(String(160), default="extractor")


class ApprovedText(Base):
    """Free text an analyst approved, word for word, for public outputs (keyed by its hash)."""

    __tablename__ = "approved_texts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(EncryptedText("approved_texts.text"))
    field: Mapped[str] = mapped_column(String(40))
    approved_by: Mapped[str] = mapped_column(String(120))
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PersonMention(Base):
    __tablename__ = "person_mentions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))  # admin, analyst, viewer
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Correction(Base):
    """A human change to a machine value. Both values are kept; the ledger entry names who."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(80))
    machine_value: Mapped[Any] = mapped_column(EncryptedJSON("corrections.machine_value"))
    new_value: Mapped[Any] = mapped_column(EncryptedJSON("corrections.new_value"))
    reason: Mapped[str] = mapped_column(EncryptedText("corrections.reason"), default="")
    actor: Mapped[str] = mapped_column(String(120))
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_corrections_subject", "subject_type", "subject_id"),)


class Decision(Base):
    """An analyst's merge, split, discount or sensitivity decision, replayed by resolution."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("decisions.payload"))
    actor: Mapped[str] = mapped_column(String(120))
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LedgerEntry(Base):
    """Append-only, hash-chained. ``entry_hash`` covers every other column and the previous hash,
    so changing or removing any entry breaks every later link."""

    __tablename__ = "ledger"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    time: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, hashed as written
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as written
    payload_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_ledger_subject", "subject_type", "subject_id"),)


class LedgerHead(Base):
    """One row naming the last entry. Updating it serialises appends across processes."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))


class ResolverState(Base):
    """The resolution engine's incremental state (JSON), so new claims join existing incidents."""

    __tablename__ = "resolver_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


__all__ = [
    "ApiToken",
    "Base",
    "Claim",
    "Correction",
    "Decision",
    "Document",
    "ExtractionRun",
    "Incident",
    "IncidentClaim",
    "LedgerEntry",
    "LedgerHead",
    "Original",
    "Person",
    "PersonMention",
    "ResolverState",
    "Source",
    "User",
    "UniqueConstraint",
]


class IncidentDayCount(Base):
    """Incidents per (sensitivity, start day, end day, event type) with killed/injured best
    estimates summed; kept exact by database triggers on ``incidents`` (migration 0004), so
    counts over long periods read a few rows per day instead of every incident. Read-only
    from Python: never write it, the triggers do."""

    __tablename__ = "incident_day_counts"

    sensitivity: Mapped[str] = mapped_column(SENSITIVITY, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    day_end: Mapped[date] = mapped_column(Date, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(48), primary_key=True)
    incidents: Mapped[int] = mapped_column(Integer)
    killed: Mapped[int] = mapped_column(BigInteger)
    injured: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = {"sqlite_with_rowid": False}


class Checkpoint(Base):
    """A signed statement of the ledger head (``marsad checkpoint``), kept as written: the
    file that left the store and this row hold the same ``statement`` text."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, as signed
    actor: Mapped[str] = mapped_column(String(120))
    key_fingerprint: Mapped[str] = mapped_column(String(64))
    statement: Mapped[str] = mapped_column(Text)  # the checkpoint's JSON, signature included


class CheckpointTimestamp(Base):
    """An RFC 3161 time-stamp query for a checkpoint and, once answered, the authority's
    response (DER), the time it vouches for, and the certificates it was checked against."""

    __tablename__ = "checkpoint_timestamps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    request: Mapped[bytes] = mapped_column()  # bytes: LargeBinary
    nonce: Mapped[str | None] = mapped_column(String(80))
    requested_at: Mapped[str] = mapped_column(String(40))
    response: Mapped[bytes | None] = mapped_column()
    gen_time: Mapped[str | None] = mapped_column(String(40))
    tsa_name: Mapped[str | None] = mapped_column(Text)
    tsa_certificates: Mapped[str | None] = mapped_column(Text)  # PEM
    verified_at: Mapped[str | None] = mapped_column(String(40))


class Feed(Base):
    """An RSS or Atom feed polled by ``marsad feeds poll``: a URL, or a file read from disk.
    ``etag`` and ``last_modified`` are the server's validators from the last poll that stored
    everything it read, sent back so that an unchanged feed answers 304."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # which outlets an organisation follows can be sensitive: sealed in an encrypted store
    location: Mapped[str] = mapped_column(EncryptedText("feeds.location"))
    kind: Mapped[str] = mapped_column(String(8))  # "url" or "file"
    title: Mapped[str | None] = mapped_column(String(300))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    polled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="new")
    error: Mapped[str | None] = mapped_column(Text)
    documents: Mapped[int] = mapped_column(Integer, default=0)


class FeedItem(Base):
    """One version of one feed item already read: its key (SHA-256 of its guid, else its link)
    and the SHA-256 of its text, so that polling again stores nothing twice."""

    __tablename__ = "feed_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(64))
    text_sha256: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("feed_id", "item_key", "text_sha256"),)


class AlertRuleSet(Base):
    """A rule set loaded by ``marsad alerts rules FILE``: the newest row is the one in force.
    ``rules`` is the validated set (rules and delivery targets) as :mod:`marsad.alerts.rules`
    writes it; earlier sets are kept, as every alert names the set that raised it."""

    __tablename__ = "alert_rule_sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(120))
    file_name: Mapped[str] = mapped_column(EncryptedText("alert_rule_sets.file_name"))
    sha256: Mapped[str] = mapped_column(String(64))  # of the file's bytes
    rules: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("alert_rule_sets.rules"))


class Alert(Base):
    """One rule matching one incident (``subject`` ``incident:<id>``) or one window group
    (``window:<per>:<area>:<first day>``); never raised twice for the same rule and subject.
    ``snapshot`` holds the structured fields of the incidents as they were when it was raised
    (no free text); ``deliveries`` each delivery attempt's outcome."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # "incident" or "window"
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("alert_rule_sets.id"), index=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    incident_ids: Mapped[list[Any]] = mapped_column(JSON)
    # the highest sensitivity among its incidents: who may see that the alert exists
    sensitivity: Mapped[str] = mapped_column(SENSITIVITY, index=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("alerts.snapshot"))
    deliveries: Mapped[list[Any]] = mapped_column(EncryptedJSON("alerts.deliveries"), default=list)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (UniqueConstraint("rule", "subject", name="uq_alerts_rule_subject"),)
