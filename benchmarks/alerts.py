"""What evaluating alert rules adds to a resolution run, as a ratio to saving its incidents.

    .venv/bin/python benchmarks/alerts.py [--incidents 5000] [--seed 7] [--store URL]

Generated incidents (seeded: 40 sub-districts of 4 governorates over 60 days, mixed types,
perpetrators and facilities) are saved through :meth:`Store.save_incidents`, as resolution saves
them; then :func:`marsad.alerts.raise_alerts` evaluates a rule set of six rules (event type,
area, facility, perpetrator, a protected person, a three-in-a-day count per sub-district) on
every one of them, with no delivery target. Printed: both times, their ratio, and alerts raised.
Goal: evaluating costs less than saving (ratio under 1), so alerts at most double a run's
store time.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from marsad.alerts import raise_alerts
from marsad.alerts.rules import parse_rules
from marsad.config import database_url
from marsad.contract.incident import Actor, Figure, IncidentView, SourceView
from marsad.store import Store
from marsad.store.alerts import save_rule_set

RULES = """
rules:
  - {name: chemical, when: [{event_type: chemical_weapon}, {weapon: chemical}]}
  - {name: idlib shelling, when: {event_type: shelling, area: SY07}}
  - {name: medical, when: {facility: medical}}
  - {name: russian, when: {perpetrator: ru_forces, killed_at_least: 5}}
  - {name: protected, when: {event_type: threat, protected_person: true}}
  - name: three in a sub-district
    when: {event_type: [air_strike, shelling], count_at_least: 3, within_hours: 24, per: admin3}
"""
TYPES = ("air_strike", "shelling", "chemical_weapon", "threat", "armed_clash")
ACTORS = (("ru_forces", "Russian forces"), ("sy_gov_forces", "Syrian government forces"))


def incident(rng: random.Random, n: int) -> IncidentView:
    gov = rng.randrange(4)
    sub = rng.randrange(10)
    day = date(2023, 10, 1) + timedelta(days=rng.randrange(60))
    actor = rng.choice(ACTORS)
    killed = rng.randrange(12)
    text = f"Report {n}: an event in village {n % 400}."
    return IncidentView(
        id=None,
        event_type=rng.choice(TYPES),
        date_start=day,
        date_end=day,
        date_precision=1,
        place_name=f"Village {n % 400}",
        place_precision="exact",
        admin1=f"Gov {gov}",
        admin1_pcode=f"SY0{gov + 6}",
        admin3_pcode=f"SY0{gov + 6}01{sub:02d}",
        perpetrators=[Actor(actor[0], actor[1], "state_forces")],
        facilities={"medical": None} if rng.random() < 0.05 else {},
        figures={"killed": Figure(killed, killed, killed)},
        sources=[SourceView(None, None, "Outlet", None, None, None, "internal", excerpt=text)],
        sensitivity="internal",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--store", default=None, help="a database URL (default: a temp SQLite)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(args.store or database_url(str(Path(tmp) / "bench.db")))
        try:
            store.add_protected_person("Salma Darwish", actor="bench")
            views = [incident(rng, n) for n in range(args.incidents)]
            started = time.perf_counter()
            ids = store.save_incidents([(v, []) for v in views], actor="bench")
            saving = time.perf_counter() - started
            rule_set = parse_rules(RULES, "bench rules")
            save_rule_set(store, rule_set, file_name="bench.yaml", sha256="0" * 64, actor="bench")
            started = time.perf_counter()
            report = raise_alerts(store, ids, actor="bench")
            evaluating = time.perf_counter() - started
        finally:
            store.close()
    print(f"{len(ids)} incidents saved in {saving:.2f} s; rules evaluated in {evaluating:.2f} s")
    print(f"evaluate / save: {evaluating / saving:.2f}; {len(report.raised)} alerts raised")


if __name__ == "__main__":
    main()
