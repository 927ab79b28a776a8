"""Counting the kinds of mistakes in an evaluation result (for ``docs/accuracy.md``).

Works on the per-document records the scorers put in their results, so it needs no text: each
category is a count plus the most common label pairs behind it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from marsad.evaluate.report import short_label
from marsad.evaluate.tables import Table

TOP = 4


def _top(counter: Counter[str]) -> str:
    return ", ".join(f"{k} ({n})" for k, n in counter.most_common(TOP))


def fakes_errors(result: dict[str, Any]) -> Table:
    table = Table(
        "FA-KES error categories", ["field", "kind of error", "articles", "most common"], []
    )
    articles = result["articles"]
    for name in ("governorate", "cause", "actor"):
        missing: Counter[str] = Counter()
        spurious: Counter[str] = Counter()
        wrong: Counter[str] = Counter()
        for a in articles:
            ref, pred = a["reference"][name], a["predicted"][name]
            if ref == pred:
                continue
            ref, pred = short_label(ref), short_label(pred)
            main = a.get("main_claim", {})
            detail = f"{main.get('event_type', 'no claim')}" if name == "cause" else ""
            if name == "actor":
                detail = ",".join(main.get("perpetrators", [])[:2]) or "none"
            if pred == "unknown":
                missing[f"{ref} -> unknown" + (f" [{detail}]" if detail else "")] += 1
            elif ref == "unknown":
                spurious[f"unknown -> {pred}" + (f" [{detail}]" if detail else "")] += 1
            else:
                wrong[f"{ref} -> {pred}" + (f" [{detail}]" if detail else "")] += 1
        for kind, counter in (
            ("system says unknown", missing),
            ("FA-KES says unknown", spurious),
            ("different category", wrong),
        ):
            if counter:
                table.rows.append([name, kind, str(sum(counter.values())), _top(counter)])
    for name in ("civilians", "children", "women", "noncivilians"):
        kinds: Counter[str] = Counter()
        for a in articles:
            ref, pred = a["reference"][name], a["predicted"][name]
            if ref == pred:
                continue
            if pred == 0:
                kinds["missed (system 0)"] += 1
            elif ref == 0:
                kinds["spurious (FA-KES 0)"] += 1
            else:
                kinds["too high" if pred > ref else "too low"] += 1
        for kind, n in kinds.most_common():
            table.rows.append([name, kind, str(n), ""])
    dates: Counter[str] = Counter()
    for a in articles:
        start = a["predicted"].get("date_day", a["predicted"]["date_start"])
        if start is None:
            dates["no date"] += 1
        elif start != a["reference"]["date"]:
            days = (date.fromisoformat(start) - date.fromisoformat(a["reference"]["date"])).days
            band = "1 day" if abs(days) == 1 else "2-7 days" if abs(days) <= 7 else "> 7 days"
            dates[f"{'earlier' if days < 0 else 'later'} by {band}"] += 1
    for kind, n in dates.most_common():
        table.rows.append(["date", kind, str(n), ""])
    scopes = Counter(a.get("main_claim", {}).get("scope", "no claim") for a in articles)
    for scope, n in scopes.items():
        if scope != "incident":
            table.rows.append(["main claim", f"scope {scope}", str(n), ""])
    return table


def ucdp_errors(result: dict[str, Any]) -> Table:
    table = Table(
        "UCDP headline error categories", ["measure", "kind of error", "rows", "detail"], []
    )
    outcomes = result["headlines"]["outcomes"]
    place: Counter[str] = Counter()
    gov: Counter[str] = Counter()
    dates: Counter[str] = Counter()
    tolls: Counter[str] = Counter()
    for o in outcomes:
        named = "names a place" if o["names_place"] else "names no place"
        if not o["place_within_10km"]:
            if o["n_claims"] == 0:
                place[f"no claim ({named})"] += 1
            elif o["nearest_km"] is None:
                place[f"claim without a located place ({named})"] += 1
            elif o["nearest_km"] <= 25:
                place["nearest place 10-25 km away"] += 1
            else:
                place["nearest place > 25 km away"] += 1
        if not o["governorate_right"]:
            if o["predicted_admin1_pcode"] is None:
                gov[f"no governorate ({named})"] += 1
            else:
                gov[f"{o['reference_admin1_pcode']} -> {o['predicted_admin1_pcode']}"] += 1
        if not o["date_right"]:
            start = o["predicted_dates"][0]
            if start is None:
                dates["no date" + (" (no claim)" if o["n_claims"] == 0 else "")] += 1
            else:
                dates["range misses date_start"] += 1
        if o["states_toll"] and not o["toll_right"]:
            killed = o["predicted_killed"]
            if not killed:
                tolls["no killed figure"] += 1
            else:
                low, high = o["reference_killed"]
                tolls["above UCDP high" if killed > high else "below UCDP low"] += 1
    for measure, counter in (
        ("place within 10 km", place),
        ("governorate", gov),
        ("date", dates),
        ("death toll", tolls),
    ):
        if measure == "governorate":
            wrong = Counter({k: n for k, n in counter.items() if "->" in k})
            for k, n in counter.items():
                if "->" not in k:
                    table.rows.append([measure, k, str(n), ""])
            if wrong:
                table.rows.append(
                    [measure, "wrong governorate", str(sum(wrong.values())), _top(wrong)]
                )
            continue
        for kind, n in counter.most_common():
            table.rows.append([measure, kind, str(n), ""])
    return table


def gold_errors(result: dict[str, Any]) -> Table:
    table = Table(
        "Gold disagreements on aligned claims",
        ["field", "aligned pairs differing", "most common (system vs gold)"],
        [],
    )
    per_field: Counter[str] = Counter()
    pairs: dict[str, Counter[str]] = {}
    for doc in result["documents"]:
        for d in doc["disagreements"]:
            per_field[d["field"]] += 1
            key = f"{'/'.join(d['system']) or '-'} vs {'/'.join(d['gold']) or '-'}"
            pairs.setdefault(d["field"], Counter())[key[:80]] += 1
    for name, n in per_field.most_common():
        table.rows.append([name, str(n), _top(pairs[name])])
    return table
