"""Alerts: rules over new and changed incidents, stored, ledgered and delivered.

:func:`raise_alerts` is what resolution calls after each run with the incidents it wrote: it
evaluates the rules in force (:mod:`marsad.alerts.evaluate`), stores the new alerts with their
ledger entries (:mod:`marsad.store.alerts`), then delivers each to every target of the rule
set (:mod:`marsad.alerts.deliver`) in the form that target's clearance may see
(:mod:`marsad.alerts.payload`). Evaluation and storing take resolution's turn-taking lock, so
two runs at once cannot raise one alert twice; deliveries happen after it is released, so a
slow webhook holds up no other run. See ``docs/alerts.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from marsad.store.db import Lock, job_lock

if TYPE_CHECKING:
    from marsad.alerts.rules import RuleSet
    from marsad.store import Store
    from marsad.store.alerts import StoredAlert

Progress = Callable[[str, int, int], None]
# incidents evaluated together: a count rule reads every incident of its groups' days once per
# chunk, so small chunks read the same days again and again
_CHUNK = 5000


@dataclass
class AlertReport:
    evaluated: int = 0
    raised: list[int] = field(default_factory=list)  # alert ids
    delivered: int = 0
    failed: int = 0  # deliveries that did not succeed (recorded beside their alerts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "incidents_evaluated": self.evaluated,
            "alerts_raised": len(self.raised),
            "alert_ids": self.raised,
            "deliveries_ok": self.delivered,
            "deliveries_failed": self.failed,
        }


def raise_alerts(
    store: Store,
    incident_ids: Iterable[int],
    *,
    actor: str,
    progress: Progress | None = None,
) -> AlertReport:
    """Evaluate the rules in force on these incidents, store and deliver the new alerts."""
    from marsad.alerts.evaluate import evaluate
    from marsad.store import alerts as storage

    report = AlertReport()
    ids = sorted(set(incident_ids))
    found = storage.current_rule_set(store)
    if found is None or not ids:
        return report
    rule_set_id, rule_set = found
    added: list[StoredAlert] = []
    with job_lock(store.engine, Lock.RESOLVE):
        masker = store.name_masker("public")  # every person not cleared for public view
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            result = evaluate(store, rule_set, chunk, masker=masker)
            report.evaluated += result.incidents
            added += storage.add_alerts(store, result.alerts, rule_set_id=rule_set_id, actor=actor)
            if progress is not None:
                progress("alerts", min(start + _CHUNK, len(ids)), len(ids))
    report.raised = [a.id for a in added]
    deliver_alerts(store, rule_set, added, actor=actor, report=report)
    return report


def deliver_alerts(
    store: Store,
    rule_set: RuleSet,
    alerts: Iterable[StoredAlert],
    *,
    actor: str,
    report: AlertReport,
) -> None:
    """Send each alert to every target and record the outcomes; never raises for a target."""
    from marsad.alerts.deliver import deliver
    from marsad.alerts.payload import shown_alert
    from marsad.store import alerts as storage

    if not rule_set.deliver:
        return
    disclosures = {t.clearance: store.disclosure(t.clearance) for t in rule_set.deliver}
    for alert in alerts:
        results = []
        for target in rule_set.deliver:
            payload = shown_alert(alert, target.clearance, disclosures[target.clearance])
            payload.pop("deliveries", None)
            outcome = deliver(target, payload)
            report.delivered += bool(outcome["ok"])
            report.failed += not outcome["ok"]
            results.append(outcome)
        storage.record_deliveries(store, alert.id, results, actor=actor)


__all__ = ["AlertReport", "deliver_alerts", "raise_alerts"]
