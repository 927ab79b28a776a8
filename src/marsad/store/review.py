"""Human review: a queue ordered by severity and uncertainty, and the analyst's actions on it.

A correction never overwrites silently: the machine value and the evidence it was read from are
kept beside the analyst's value (in the ``corrections`` table and in the incident record), and
the ledger entry names who made it. Merge, split and sensitivity decisions are recorded in the
``decisions`` table so that resolution can replay them; corrections are re-applied on top of a
re-resolved incident by :meth:`ReviewStoreMixin.apply_corrections`.
"""

from __future__ import annotations

import copy
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.contract.claim import EVENT_TYPES, SENSITIVITY_LEVELS, WEAPONS
from marsad.contract.incident import Figure, IncidentView, visible_levels
from marsad.store import ledger
from marsad.store.models import Correction, Decision, Incident, IncidentClaim, LedgerHead
from marsad.store.rows import fill_row, view_from_row
from marsad.store.verify import incident_row_sha256, incident_values

GRADES: tuple[str, ...] = ("confirmed", "fair", "weak", "contested", "discounted")
REVIEW_STATES_OPEN: tuple[str, ...] = ("new", "changed")
FIGURE_PARTS: tuple[str, ...] = ("low", "best", "high")
PLAIN_FIELDS: tuple[str, ...] = (
    "event_type",
    "date_start",
    "date_end",
    "place_name",
    "admin1",
    "admin1_pcode",
    "grade",
    "weapons",
    "notes",
)
# how much each grade adds to the review priority: the less settled, the sooner a human looks
_GRADE_UNCERTAINTY = {"contested": 12.0, "weak": 8.0, "fair": 3.0, "confirmed": 0.0}


@dataclass
class QueueItem:
    incident: IncidentView
    priority: float
    reasons: list[str]


def correctable_fields(view: IncidentView | None = None) -> list[str]:
    """Field names :meth:`ReviewStoreMixin.correct_incident` accepts (figures as
    ``killed.best``)."""
    names = ["killed", "injured"]
    if view is not None:
        names += [n for n in view.figures if n not in names]
    return list(PLAIN_FIELDS) + [f"{n}.{p}" for n in names for p in FIGURE_PARTS]


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def field_value(view: IncidentView, name: str) -> Any:
    """The current value of a correctable field, as JSON."""
    if "." in name:
        fig, part = name.split(".", 1)
        return getattr(view.figure(fig), part)
    return _json_value(copy.deepcopy(getattr(view, name)))


def _parse(name: str, value: Any) -> Any:
    """Validate and convert an analyst's value; ValueError with a readable reason if wrong."""
    if "." in name:
        if value in (None, ""):
            return None
        try:
            number = int(str(value).strip())
        except ValueError as exc:
            raise ValueError(f"{name} must be a whole number") from exc
        if number < 0 or number > 10_000_000:
            raise ValueError(f"{name} must be between 0 and 10,000,000")
        return number
    if name in ("date_start", "date_end"):
        if value in (None, ""):
            return None
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise ValueError(f"{name} must be a date as YYYY-MM-DD") from exc
    if name == "event_type":
        if value not in EVENT_TYPES:
            raise ValueError(f"event_type must be one of {', '.join(EVENT_TYPES)}")
        return value
    if name == "grade":
        if value not in GRADES:
            raise ValueError(f"grade must be one of {', '.join(GRADES)}")
        return value
    if name == "weapons":
        items = value if isinstance(value, list) else str(value).split(",")
        weapons = [str(w).strip() for w in items if str(w).strip()]
        unknown = [w for w in weapons if w not in WEAPONS]
        if unknown:
            raise ValueError(f"unknown weapon {unknown[0]!r}; use {', '.join(WEAPONS)}")
        return weapons
    text = "" if value is None else str(value).strip()
    if len(text) > 2000:
        raise ValueError(f"{name} is limited to 2000 characters")
    return text or (None if name != "notes" else "")


def _set_field(view: IncidentView, name: str, value: Any) -> None:
    if "." in name:
        fig, part = name.split(".", 1)
        figure = view.figures.get(fig) or Figure()
        setattr(figure, part, value)
        view.figures[fig] = figure
        return
    setattr(view, name, value)


def _evidence(view: IncidentView, name: str) -> list[dict[str, Any]]:
    """What the machine value rests on: each source's reading of a figure, else the sources'
    passages."""
    if "." in name:
        return [dict(v) for v in view.figure(name.split(".", 1)[0]).values]
    return [
        {"document_id": s.document_id, "claim_id": s.claim_id, "excerpt": s.excerpt}
        for s in view.sources
    ]


def _next_seq(session: Session) -> int:
    """The number the next ledger entry will get, with the head locked until the transaction
    ends (as :func:`ledger.append` locks it), so no other writer can take it meanwhile."""
    head = session.execute(select(LedgerHead).where(LedgerHead.id == 1).with_for_update()).scalar()
    return head.seq + 1 if head is not None else 1


def review_priority(view: IncidentView) -> tuple[float, list[str]]:
    """Severity (deaths, injuries, facilities hit) plus uncertainty (grade, width of ranges)."""
    reasons: list[str] = []
    killed, injured = view.figure("killed"), view.figure("injured")
    dead = killed.high if killed.high is not None else (killed.best or 0)
    hurt = injured.high if injured.high is not None else (injured.best or 0)
    facilities = sum(1 if n is None else n for n in view.facilities.values())
    severity = float(dead) + 0.25 * float(hurt) + 5.0 * facilities
    if dead:
        reasons.append(f"up to {dead} killed")
    if facilities:
        reasons.append(f"{facilities} facilities hit")
    uncertainty = _GRADE_UNCERTAINTY.get(view.grade, 1.0)
    if view.grade in ("weak", "contested"):
        reasons.append(f"grade {view.grade}")
    if killed.low is not None and killed.high is not None and killed.high > killed.low:
        width = (killed.high - killed.low) / max(killed.best or killed.high, 1)
        uncertainty += 10.0 * min(width, 3.0)
        reasons.append(f"killed range {killed.low}-{killed.high}")
    if view.disagreements:
        uncertainty += 2.0 * len(view.disagreements)
        reasons.append("sources disagree")
    if view.review_status == "changed":
        reasons.append("changed since last review")
    return severity + uncertainty, reasons


class ReviewStoreMixin:
    """Review methods of :class:`marsad.store.Store`."""

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[Session]: ...

        def reading(self) -> AbstractContextManager[Session]: ...

    def review_queue(
        self, *, max_sensitivity: str = "restricted", limit: int = 50, scan: int = 5000
    ) -> list[QueueItem]:
        """Incidents awaiting review (new or changed), most urgent first. The newest ``scan``
        open incidents are scored; the queue is meant to be worked down, not to hold millions."""
        levels = visible_levels(max_sensitivity)
        q = (
            select(Incident)
            .where(Incident.review_status.in_(REVIEW_STATES_OPEN))
            .where(Incident.sensitivity.in_(levels))
            .order_by(Incident.id.desc())
            .limit(scan)
        )
        with self.reading() as session:
            views = [view_from_row(r, max_sensitivity) for r in session.execute(q).scalars()]
        items = []
        for v in views:
            score, reasons = review_priority(v)
            items.append(QueueItem(v, round(score, 2), reasons))
        items.sort(key=lambda it: (-it.priority, -(it.incident.id or 0)))
        return items[:limit]

    def _load(self, session: Session, incident_id: int) -> tuple[Incident, IncidentView]:
        row = session.get(Incident, incident_id)
        if row is None:
            raise KeyError(f"no incident {incident_id}")
        return row, view_from_row(row, "restricted")

    def confirm_incident(self, incident_id: int, *, actor: str, note: str = "") -> int:
        """Mark an incident reviewed as it stands; returns the ledger sequence number."""
        with self.transaction() as session:
            row, _ = self._load(session, incident_id)
            row.review_status = "confirmed"
            row.updated_at = datetime.now(UTC)
            entry = ledger.append(
                session,
                actor=actor,
                action="review_confirm",
                subject_type="incident",
                subject_id=str(incident_id),
                payload={
                    "note": note[:2000],
                    "row_sha256": incident_row_sha256(incident_values(row)),
                },
            )
            return entry.seq

    def correct_incident(
        self, incident_id: int, field: str, value: Any, *, actor: str, reason: str = ""
    ) -> int:
        """Set one field to the analyst's value, keeping the machine value and its evidence
        beside it. Returns the ledger sequence number."""
        with self.transaction() as session:
            row, view = self._load(session, incident_id)
            if field not in correctable_fields(view):
                raise ValueError(
                    f"cannot correct {field!r}; use one of {', '.join(correctable_fields(view))}"
                )
            new_value = _parse(field, value)
            earlier = view.corrections.get(field)
            # the machine value is what resolution produced, even after several corrections
            machine = earlier["machine"] if earlier else field_value(view, field)
            evidence = earlier["evidence"] if earlier else _evidence(view, field)
            _set_field(view, field, new_value)
            # the record names the entry that records it, so that entry's number comes first
            seq = _next_seq(session)
            view.corrections[field] = {
                "machine": machine,
                "value": _json_value(new_value),
                "actor": actor,
                "ledger_seq": seq,
                "reason": reason[:2000],
                "evidence": evidence,
            }
            view.review_status = "corrected"
            fill_row(row, view)
            row.updated_at = datetime.now(UTC)
            entry = ledger.append(
                session,
                actor=actor,
                action="correct",
                subject_type="incident",
                subject_id=str(incident_id),
                payload={
                    "field": field,
                    "machine": machine,
                    "value": _json_value(new_value),
                    "reason": reason[:2000],
                    "row_sha256": incident_row_sha256(incident_values(row)),
                },
            )
            assert entry.seq == seq, "the ledger head moved inside the transaction"
            session.add(
                Correction(
                    subject_type="incident",
                    subject_id=str(incident_id),
                    field=field,
                    machine_value=machine,
                    new_value=_json_value(new_value),
                    reason=reason[:2000],
                    actor=actor,
                    ledger_seq=entry.seq,
                    created_at=datetime.now(UTC),
                )
            )
            return entry.seq

    def corrections_for(self, incident_id: int) -> list[dict[str, Any]]:
        """Every correction to an incident, oldest first."""
        with self.reading() as session:
            rows = session.execute(
                select(Correction)
                .where(
                    Correction.subject_type == "incident",
                    Correction.subject_id == str(incident_id),
                )
                .order_by(Correction.id)
            ).scalars()
            return [
                {
                    "id": c.id,
                    "field": c.field,
                    "machine": c.machine_value,
                    "value": c.new_value,
                    "reason": c.reason,
                    "actor": c.actor,
                    "ledger_seq": c.ledger_seq,
                    "time": c.created_at.isoformat(),
                }
                for c in rows
            ]

    def apply_corrections(self, view: IncidentView) -> IncidentView:
        """Re-apply analysts' corrections to a freshly resolved incident (same id): the latest
        correction of each field wins; the re-resolved machine value is kept beside it."""
        if view.id is None:
            return view
        latest: dict[str, dict[str, Any]] = {}
        for c in self.corrections_for(view.id):
            latest[c["field"]] = c
        if not latest:
            return view
        out = copy.deepcopy(view)
        for name, c in latest.items():
            if name not in correctable_fields(out):
                continue
            machine = field_value(out, name)
            _set_field(out, name, _parse(name, c["value"]))
            out.corrections[name] = {
                "machine": machine,
                "value": c["value"],
                "actor": c["actor"],
                "ledger_seq": c["ledger_seq"],
                "reason": c["reason"],
                "evidence": _evidence(view, name),
            }
        if out.review_status in REVIEW_STATES_OPEN:
            out.review_status = "corrected"
        return out

    def set_incident_sensitivity(
        self, incident_id: int, level: str, *, actor: str, reason: str = ""
    ) -> int:
        if level not in SENSITIVITY_LEVELS:
            raise ValueError(f"sensitivity must be one of {', '.join(SENSITIVITY_LEVELS)}")
        with self.transaction() as session:
            row, _ = self._load(session, incident_id)
            before = row.sensitivity
            row.sensitivity = level
            row.updated_at = datetime.now(UTC)
            return self._decide(
                session,
                "sensitivity",
                {"incident": incident_id, "from": before, "to": level, "reason": reason[:2000]},
                actor=actor,
                subject_id=str(incident_id),
                record={"row_sha256": incident_row_sha256(incident_values(row))},
            )

    def record_merge(self, incident_ids: list[int], *, actor: str, reason: str = "") -> int:
        """Decide that several incidents are one; resolution replays it (claims of all of them
        resolve to the first)."""
        ids = sorted(set(incident_ids))
        if len(ids) < 2:
            raise ValueError("a merge needs at least two different incidents")
        with self.transaction() as session:
            claims: dict[str, list[int]] = {}
            for iid in ids:
                self._load(session, iid)
                claims[str(iid)] = self._claims(session, iid)
            return self._decide(
                session,
                "merge",
                {"incidents": ids, "claims": claims, "reason": reason[:2000]},
                actor=actor,
                subject_id=str(ids[0]),
            )

    def record_split(
        self, incident_id: int, groups: list[list[int]], *, actor: str, reason: str = ""
    ) -> int:
        """Decide that an incident's claims describe several events: ``groups`` partitions
        (some of) its claim ids; resolution replays it by keeping the groups apart."""
        with self.transaction() as session:
            self._load(session, incident_id)
            own = set(self._claims(session, incident_id))
            cleaned = [sorted(set(g)) for g in groups if g]
            if len(cleaned) < 2:
                raise ValueError("a split needs at least two non-empty groups of claims")
            seen: set[int] = set()
            for g in cleaned:
                if not set(g) <= own:
                    raise ValueError(f"claims {sorted(set(g) - own)} are not in this incident")
                if seen & set(g):
                    raise ValueError("a claim can be in only one group")
                seen |= set(g)
            return self._decide(
                session,
                "split",
                {"incident": incident_id, "groups": cleaned, "reason": reason[:2000]},
                actor=actor,
                subject_id=str(incident_id),
            )

    def decisions(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Recorded decisions, oldest first, for resolution to replay."""
        q = select(Decision).order_by(Decision.id)
        if kind:
            q = q.where(Decision.kind == kind)
        with self.reading() as session:
            return [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "payload": d.payload,
                    "actor": d.actor,
                    "ledger_seq": d.ledger_seq,
                    "time": d.created_at.isoformat(),
                }
                for d in session.execute(q).scalars()
            ]

    def _claims(self, session: Session, incident_id: int) -> list[int]:
        return sorted(
            cid
            for (cid,) in session.execute(
                select(IncidentClaim.claim_id).where(IncidentClaim.incident_id == incident_id)
            )
        )

    def _decide(
        self,
        session: Session,
        kind: str,
        payload: dict[str, Any],
        *,
        actor: str,
        subject_id: str,
        record: dict[str, Any] | None = None,
    ) -> int:
        """Ledger and store a decision; ``record`` goes in the ledger entry only (the hash
        of the row the decision changed, for verify), not in the replayed decision."""
        entry = ledger.append(
            session,
            actor=actor,
            action=f"decide_{kind}",
            subject_type="incident",
            subject_id=subject_id,
            payload={**payload, **(record or {})},
        )
        session.add(
            Decision(
                kind=kind,
                payload=payload,
                actor=actor,
                ledger_seq=entry.seq,
                created_at=datetime.now(UTC),
            )
        )
        return entry.seq
