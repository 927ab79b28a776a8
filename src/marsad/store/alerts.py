"""Alerts in the store: rule sets, alerts and their deliveries, each write with its ledger entry.

Kept beside the alert logic rather than in ``marsad.store`` so the feature stays in one
package; it writes through :meth:`Store.transaction` and :mod:`marsad.store.ledger` exactly as
the store's own mixins do, so each change and its ledger entry commit together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, insert, select, update

from marsad.alerts.rules import RuleSet
from marsad.contract.incident import IncidentView, visible_levels
from marsad.store import ledger
from marsad.store.models import Alert, AlertRuleSet, Incident
from marsad.store.rows import view_from_row

if TYPE_CHECKING:
    from marsad.store import Store

_CHUNK = 500
_ALERTS: Table = Alert.__table__  # type: ignore[assignment]
_PER_COLUMN = {"admin1": "admin1_pcode", "admin2": "admin2_pcode", "admin3": "admin3_pcode"}


@dataclass(frozen=True)
class NewAlert:
    rule: str
    subject: str
    kind: str
    incident_ids: tuple[int, ...]
    sensitivity: str
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class StoredAlert:
    id: int
    rule: str
    subject: str
    kind: str
    rule_set_id: int
    raised_at: datetime
    incident_ids: list[int]
    sensitivity: str
    snapshot: dict[str, Any]
    deliveries: list[dict[str, Any]]
    ledger_seq: int


def _stored(row: Alert) -> StoredAlert:
    return StoredAlert(
        id=row.id,
        rule=row.rule,
        subject=row.subject,
        kind=row.kind,
        rule_set_id=row.rule_set_id,
        raised_at=row.raised_at,
        incident_ids=[int(i) for i in row.incident_ids],
        sensitivity=row.sensitivity,
        snapshot=dict(row.snapshot or {}),
        deliveries=list(row.deliveries or []),
        ledger_seq=row.ledger_seq,
    )


# -- rule sets -------------------------------------------------------------------------------


def save_rule_set(
    store: Store, rule_set: RuleSet, *, file_name: str, sha256: str, actor: str
) -> int:
    """Put ``rule_set`` in force (it replaces the one before, which is kept); returns its id."""
    with store.transaction() as session:
        row = AlertRuleSet(
            loaded_at=datetime.now(UTC),
            actor=actor[:120],
            file_name=file_name,
            sha256=sha256,
            rules=rule_set.to_dict(),
        )
        session.add(row)
        session.flush()
        ledger.append(
            session,
            actor=actor,
            action="alert_rules",
            subject_type="alert_rules",
            subject_id=str(row.id),
            payload={
                "file_name": file_name,
                "sha256": sha256,
                "rules": [r.name for r in rule_set.rules],
                "targets": [t.label for t in rule_set.deliver],
                "rules_sha256": ledger.sha256_hex(ledger.canonical_json(row.rules)),
            },
        )
        return int(row.id)


def current_rule_set(store: Store) -> tuple[int, RuleSet] | None:
    """The rule set in force (the newest loaded), or None before any was loaded."""
    with store.reading() as session:
        row = session.execute(
            select(AlertRuleSet).order_by(AlertRuleSet.id.desc()).limit(1)
        ).scalar()
        return (int(row.id), RuleSet.from_dict(row.rules)) if row is not None else None


# -- incidents, as the rules read them -------------------------------------------------------


def incident_views(store: Store, incident_ids: Iterable[int]) -> list[IncidentView]:
    """The incidents with these ids (those that still exist), every source included."""
    wanted = sorted(set(incident_ids))
    out: list[IncidentView] = []
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        with store.reading() as session:
            rows = session.execute(select(Incident).where(Incident.id.in_(chunk))).scalars()
            out += [view_from_row(r, "restricted") for r in rows]
    return sorted(out, key=lambda v: v.id or 0)


def incidents_starting(
    store: Store, first: date, last: date, *, per: str, areas: Iterable[str] = ()
) -> list[IncidentView]:
    """Incidents starting from ``first`` to ``last`` (inclusive); for ``per`` ``admin1`` to
    ``admin3``, only those whose p-code of that unit is one of ``areas`` (when there are at
    most a few hundred; more are filtered by the caller)."""
    q = select(Incident).where(Incident.date_start >= first, Incident.date_start <= last)
    wanted = sorted(set(areas))
    if per in _PER_COLUMN and 0 < len(wanted) <= _CHUNK:
        q = q.where(getattr(Incident, _PER_COLUMN[per]).in_(wanted))
    with store.reading() as session:
        rows = session.execute(q.order_by(Incident.id)).scalars()
        return [view_from_row(r, "restricted") for r in rows]


def all_incident_ids(store: Store) -> list[int]:
    with store.reading() as session:
        return [
            int(i) for i in session.execute(select(Incident.id).order_by(Incident.id)).scalars()
        ]


# -- alerts ----------------------------------------------------------------------------------


def existing(store: Store, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (rule, subject) pairs have raised an alert already."""
    wanted = set(keys)
    found: set[tuple[str, str]] = set()
    subjects = sorted({s for _, s in wanted})
    for start in range(0, len(subjects), _CHUNK):
        chunk = subjects[start : start + _CHUNK]
        with store.reading() as session:
            rows = session.execute(
                select(Alert.rule, Alert.subject).where(Alert.subject.in_(chunk))
            ).all()
        found |= {(r, s) for r, s in rows if (r, s) in wanted}
    return found


def add_alerts(
    store: Store, alerts: Sequence[NewAlert], *, rule_set_id: int, actor: str
) -> list[StoredAlert]:
    """Store the alerts not raised before, each with its ledger entry, in one transaction
    (the check is repeated inside it, so an alert is never stored twice)."""
    if not alerts:
        return []
    stamp = datetime.now(UTC)
    with store.transaction() as session:
        present = session.execute(
            select(Alert.rule, Alert.subject).where(
                Alert.subject.in_(sorted({a.subject for a in alerts}))
            )
        ).all()
        seen = {(r, s) for r, s in present}
        fresh: list[NewAlert] = []
        for a in alerts:
            if (a.rule, a.subject) not in seen:
                seen.add((a.rule, a.subject))
                fresh.append(a)
        if not fresh:
            return []
        rows: list[dict[str, Any]] = [
            {
                "rule": a.rule,
                "subject": a.subject,
                "kind": a.kind,
                "rule_set_id": rule_set_id,
                "raised_at": stamp,
                "incident_ids": list(a.incident_ids),
                "sensitivity": a.sensitivity,
                "snapshot": a.snapshot,
                "deliveries": [],
                "ledger_seq": 0,
            }
            for a in fresh
        ]
        # one multi-row insert: an ORM flush per row cost more than evaluating the rules
        ids = session.execute(
            insert(_ALERTS).returning(_ALERTS.c.id, sort_by_parameter_order=True), rows
        ).scalars()
        for row, alert_id in zip(rows, ids, strict=True):
            row["id"] = int(alert_id)
        seqs = ledger.append_many(
            session,
            [
                ledger.NewEntry(
                    actor=actor,
                    action="alert",
                    subject_type="alert",
                    subject_id=str(row["id"]),
                    payload={
                        "rule": row["rule"],
                        "subject": row["subject"],
                        "incidents": row["incident_ids"],
                        "rule_set": rule_set_id,
                        "snapshot_sha256": ledger.sha256_hex(
                            ledger.canonical_json(row["snapshot"])
                        ),
                    },
                )
                for row in rows
            ],
        )
        for row, seq in zip(rows, seqs, strict=True):
            row["ledger_seq"] = seq
        session.execute(
            update(_ALERTS)
            .where(_ALERTS.c.id == bindparam("b_id"))
            .values(ledger_seq=bindparam("seq")),
            [{"b_id": row["id"], "seq": row["ledger_seq"]} for row in rows],
        )
        return [
            StoredAlert(
                id=row["id"],
                rule=a.rule,
                subject=a.subject,
                kind=a.kind,
                rule_set_id=rule_set_id,
                raised_at=stamp,
                incident_ids=list(a.incident_ids),
                sensitivity=a.sensitivity,
                snapshot=a.snapshot,
                deliveries=[],
                ledger_seq=row["ledger_seq"],
            )
            for a, row in zip(fresh, rows, strict=True)
        ]


def record_deliveries(
    store: Store, alert_id: int, results: Sequence[dict[str, Any]], *, actor: str
) -> None:
    """Add delivery outcomes to an alert, with one ledger entry (what was tried, not what the
    target answered: that may quote the payload)."""
    if not results:
        return
    with store.transaction() as session:
        row = session.get(Alert, alert_id)
        if row is None:
            return
        row.deliveries = [*(row.deliveries or []), *results]
        ledger.append(
            session,
            actor=actor,
            action="alert_delivery",
            subject_type="alert",
            subject_id=str(alert_id),
            payload={
                "deliveries": [
                    {k: r.get(k) for k in ("target", "ok", "attempts", "status")} for r in results
                ]
            },
        )


def list_alerts(
    store: Store,
    *,
    max_sensitivity: str,
    limit: int = 100,
    before: int | None = None,
    rule: str | None = None,
) -> list[StoredAlert]:
    """The newest alerts first that a reader cleared for ``max_sensitivity`` may know of."""
    q = select(Alert).where(Alert.sensitivity.in_(visible_levels(max_sensitivity)))
    if before is not None:
        q = q.where(Alert.id < before)
    if rule:
        q = q.where(Alert.rule == rule)
    with store.reading() as session:
        rows = session.execute(q.order_by(Alert.id.desc()).limit(limit)).scalars()
        return [_stored(r) for r in rows]
