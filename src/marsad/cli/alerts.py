"""``marsad alerts``: load alert rules, list the alerts raised, evaluate existing incidents.

Registered by ``cli/__init__.py``. Resolution evaluates the rules in force on every incident
it writes; ``marsad alerts evaluate`` does the same over incidents already stored (after new
rules are loaded, say). The rule format is in ``docs/alerts.md``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from marsad.cli import (
    DbOption,
    JsonOption,
    console,
    default_actor,
    err_console,
    open_store,
    print_json,
)

app = typer.Typer(
    help="Alert rules over new and changed incidents: stored, ledgered and delivered.",
    no_args_is_help=True,
)

IncludeOption = Annotated[
    str,
    typer.Option(
        "--include",
        help="The clearance to show alerts at: 'public', 'internal' (the default: protected "
        "persons masked, restricted incidents withheld) or 'restricted'.",
    ),
]


def _known_actors() -> list[str]:
    from marsad.lang import available_packs, load_language_pack

    return sorted(
        {a.id.casefold() for code in available_packs() for a in load_language_pack(code).actors}
    )


@app.command("rules")
def rules_command(
    file: Annotated[Path, typer.Argument(help="The YAML rule file (see docs/alerts.md).")],
    db: DbOption = None,
    json_output: JsonOption = False,
    check: Annotated[
        bool, typer.Option("--check", help="Validate the file only; store nothing.")
    ] = False,
) -> None:
    """Load a rule file: it replaces the rules in force (a bad file changes nothing)."""
    from marsad.alerts.rules import RuleError, load_rule_file

    try:
        loaded = load_rule_file(file, known_actors=_known_actors())
    except RuleError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    for warning in loaded.rule_set.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    rule_set_id = None
    if not check:
        from marsad.store.alerts import save_rule_set

        store = open_store(db)
        try:
            rule_set_id = save_rule_set(
                store,
                loaded.rule_set,
                file_name=loaded.file_name,
                sha256=loaded.sha256,
                actor=default_actor(),
            )
        finally:
            store.close()
    rules, targets = loaded.rule_set.rules, loaded.rule_set.deliver
    if json_output:
        print_json(
            {
                "rule_set": rule_set_id,
                "rules": [r.name for r in rules],
                "targets": [t.label for t in targets],
                "warnings": list(loaded.rule_set.warnings),
            }
        )
        return
    what = "checked" if check else f"in force (rule set {rule_set_id})"
    console.print(
        f"{file}: {len(rules)} rules, {len(targets)} delivery targets {what}", highlight=False
    )


@app.command("list")
def list_command(
    db: DbOption = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="One JSON object per line (JSON Lines).")
    ] = False,
    include: IncludeOption = "internal",
    rule: Annotated[str | None, typer.Option("--rule", help="Only this rule's alerts.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 100,
) -> None:
    """The alerts raised, newest first."""
    from marsad.alerts.payload import shown_alert
    from marsad.store.alerts import list_alerts

    if include not in ("public", "internal", "restricted"):
        err_console.print("[red]error:[/red] --include must be public, internal or restricted")
        raise typer.Exit(2)
    store = open_store(db)
    try:
        alerts = list_alerts(store, max_sensitivity=include, limit=limit, rule=rule)
        disclosure = store.disclosure(include)
        shown = [shown_alert(a, include, disclosure) for a in alerts]
    finally:
        store.close()
    if json_output:
        for item in shown:
            sys.stdout.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
        return
    for item in shown:
        console.print(_line(item), highlight=False)
    console.print(f"{len(shown)} alerts")


def _line(item: dict[str, Any]) -> str:
    incidents = item.get("incident_ids") or []
    failed = [d for d in item.get("deliveries", []) if not d.get("ok")]
    tail = f"; {len(failed)} deliveries failed" if failed else ""
    about = item.get("withheld") or f"incidents {', '.join(map(str, incidents[:10]))}"
    return f"#{item['alert']}  {item['raised_at'][:19]}  {item['rule']}: {about}{tail}"


@app.command("evaluate")
def evaluate_command(
    db: DbOption = None,
    json_output: JsonOption = False,
    incidents: Annotated[
        list[int] | None,
        typer.Option("--incident", help="Only this incident (repeatable); default: every one."),
    ] = None,
) -> None:
    """Evaluate the rules in force on incidents already stored; raise and deliver what is new."""
    from marsad.alerts import raise_alerts
    from marsad.cli.store_commands import progress_bar
    from marsad.store.alerts import all_incident_ids

    store = open_store(db)
    try:
        ids = list(incidents) if incidents else all_incident_ids(store)
        with progress_bar(disable=json_output) as progress:
            task = progress.add_task("Evaluating alert rules", total=len(ids) or None, note="")

            def on_progress(_stage: str, done: int, total: int) -> None:
                progress.update(task, completed=done, total=total or None)

            report = raise_alerts(store, ids, actor=default_actor(), progress=on_progress)
    finally:
        store.close()
    if json_output:
        print_json(report.to_dict())
        return
    console.print(
        f"{report.evaluated} incidents evaluated; {len(report.raised)} alerts raised; "
        f"{report.delivered} deliveries succeeded, {report.failed} failed."
    )
