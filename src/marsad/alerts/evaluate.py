"""Which alerts the rules in force raise for some incidents.

A rule without a window raises one alert per incident it matches (subject ``incident:<id>``).
A rule with a window raises one per group: the incidents it matches in one ``per`` unit (by
p-code) whose dates fall in one block of whole days; the alert is raised when a group first
holds ``count_at_least`` of them (subject ``window:<per>:<p-code>:<first day>``). An alert
already raised for a rule and subject is never raised again, so re-running resolution over
the same incidents raises nothing new, and an incident that changes so that a rule now
matches it raises its alert then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from marsad.alerts.payload import MAX_DESCRIBED, highest, incident_summary
from marsad.alerts.rules import Condition, Rule, RuleSet, Window, area_key
from marsad.contract.incident import IncidentView
from marsad.gazetteer.normalize import normalize_name
from marsad.protect.names import NameMasker
from marsad.store import alerts as storage

if TYPE_CHECKING:
    from marsad.store import Store

NamesProtected = Callable[[IncidentView], bool]


def names_protected(masker: NameMasker) -> NamesProtected:
    """Whether an incident's sources (passages, titles) or notes name a protected person."""

    def check(view: IncidentView) -> bool:
        if not masker:
            return False
        texts = [view.notes, *(t for s in view.sources for t in (s.excerpt, s.title))]
        return any(masker.spans(t) for t in texts if t)

    return check


def _area_keys(view: IncidentView) -> set[str]:
    keys = {c.upper() for c in (view.admin1_pcode, view.admin2_pcode, view.admin3_pcode) if c}
    names = (view.place_name, view.admin1, view.admin2, view.admin3)
    return keys | {"name:" + normalize_name(n) for n in names if n}


def _in_area(view: IncidentView, areas: tuple[str, ...]) -> bool:
    keys = _area_keys(view)
    # a p-code names its unit and every unit inside it ("SY07" holds "SY0700")
    codes = [k for k in keys if not k.startswith("name:")]
    return any(
        a in keys or (not a.startswith("name:") and any(c.startswith(a) for c in codes))
        for a in areas
    )


def condition_holds(c: Condition, view: IncidentView, protected: NamesProtected) -> bool:
    if c.event_types and view.event_type not in c.event_types:
        return False
    if c.facilities and not set(c.facilities) & set(view.facilities):
        return False
    if c.weapons and not set(c.weapons) & set(view.weapons):
        return False
    if c.perpetrators and not any(
        a.id.casefold() in c.perpetrators or a.name.casefold() in c.perpetrators
        for a in view.perpetrators
    ):
        return False
    if c.killed_at_least is not None and (view.figure("killed").best or 0) < c.killed_at_least:
        return False
    if c.areas and not _in_area(view, c.areas):
        return False
    return not c.protected_person or protected(view)


def rule_matches(rule: Rule, view: IncidentView, protected: NamesProtected) -> bool:
    return any(condition_holds(c, view, protected) for c in rule.any_of)


def window_group(w: Window, view: IncidentView) -> tuple[str, date, date] | None:
    """The group an incident counts in: (p-code or 'all', first day, last day); None when it
    has no date, is dated more loosely than the window, or has no p-code for ``per``."""
    if view.date_start is None:
        return None
    end = view.date_end or view.date_start
    if (end - view.date_start).days >= w.days:
        return None
    area = "all" if w.per == "all" else getattr(view, f"{w.per}_pcode")
    if not area:
        return None
    first, last = w.block(view.date_start)
    return area, first, last


@dataclass
class Evaluation:
    incidents: int = 0
    candidates: int = 0
    alerts: list[storage.NewAlert] = field(default_factory=list)


def evaluate(
    store: Store, rule_set: RuleSet, incident_ids: Iterable[int], *, masker: NameMasker
) -> Evaluation:
    """The alerts ``rule_set`` raises for these incidents that were not raised before."""
    views = storage.incident_views(store, incident_ids)
    protected = _remembered(names_protected(masker))
    out: list[storage.NewAlert] = []
    for rule in rule_set.rules:
        matched = [v for v in views if rule_matches(rule, v, protected)]
        if rule.window is None:
            out += [_incident_alert(rule, v, protected) for v in matched]
        else:
            out += _window_alerts(store, rule, rule.window, matched, protected)
    seen = storage.existing(store, ((a.rule, a.subject) for a in out))
    fresh = [a for a in out if (a.rule, a.subject) not in seen]
    return Evaluation(incidents=len(views), candidates=len(out), alerts=fresh)


def _remembered(check: NamesProtected) -> NamesProtected:
    """``check`` asked once per incident, however many rules ask it."""
    known: dict[int, bool] = {}

    def remembered(view: IncidentView) -> bool:
        key = id(view) if view.id is None else view.id
        if key not in known:
            known[key] = check(view)
        return known[key]

    return remembered


def _incident_alert(rule: Rule, view: IncidentView, protected: NamesProtected) -> storage.NewAlert:
    return storage.NewAlert(
        rule=rule.name,
        subject=f"incident:{view.id}",
        kind="incident",
        incident_ids=(int(view.id or 0),),
        sensitivity=view.sensitivity,
        snapshot={"incidents": [incident_summary(view, protected_person=protected(view))]},
    )


def _window_alerts(
    store: Store,
    rule: Rule,
    w: Window,
    matched: list[IncidentView],
    protected: NamesProtected,
) -> list[storage.NewAlert]:
    groups = {g for v in matched if (g := window_group(w, v)) is not None}
    subjects = {g: f"window:{w.per}:{g[0]}:{g[1].isoformat()}" for g in groups}
    done = storage.existing(store, ((rule.name, s) for s in subjects.values()))
    todo = [g for g in groups if (rule.name, subjects[g]) not in done]
    out = []
    for group, members in sorted(_members(store, rule, w, todo, protected).items()):
        if len(members) < w.count_at_least:
            continue
        area, first, last = group
        window = {
            "per": w.per,
            "area": area,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "count": len(members),
            "count_at_least": w.count_at_least,
            "within_hours": w.within_hours,
        }
        described = [incident_summary(v, protected_person=protected(v)) for v in members]
        out.append(
            storage.NewAlert(
                rule=rule.name,
                subject=subjects[group],
                kind="window",
                incident_ids=tuple(int(v.id or 0) for v in members),
                sensitivity=highest([v.sensitivity for v in members]),
                snapshot={"window": window, "incidents": described[:MAX_DESCRIBED]},
            )
        )
    return out


Group = tuple[str, date, date]
_SLAB_DAYS = 31  # window groups read together: one query per month of them


def _members(
    store: Store, rule: Rule, w: Window, groups: list[Group], protected: NamesProtected
) -> dict[Group, list[IncidentView]]:
    """Every incident the rule matches in each group, reading the groups a slab of days at a
    time (one query each) rather than one query per group."""
    out: dict[Group, list[IncidentView]] = {g: [] for g in groups}
    pending = sorted(groups, key=lambda g: (g[1], g[0]))
    while pending:
        limit = pending[0][1] + timedelta(days=max(_SLAB_DAYS, w.days))
        slab = [g for g in pending if g[2] <= limit]
        pending = pending[len(slab) :]
        first, last = slab[0][1], max(g[2] for g in slab)
        areas, in_slab = {g[0] for g in slab}, set(slab)
        for v in storage.incidents_starting(store, first, last, per=w.per, areas=areas):
            group = window_group(w, v)
            if group in in_slab and rule_matches(rule, v, protected):
                out[group].append(v)
    return out


__all__ = ["Evaluation", "area_key", "condition_holds", "evaluate", "rule_matches", "window_group"]
