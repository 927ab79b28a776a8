"""``marsad resolve [--full] [--aggregates] [--json]``: group stored claims into incidents.

Registered by the CLI assembly in ``cli/__init__.py`` as a plain function. Incremental by default:
only claims added since the last run are linked; analysts' merge, split, discount and correction
decisions are replayed. The rules are in ``docs/methodology.md``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from marsad.cli import DbOption, JsonOption, console, default_actor, open_store, print_json

_STAGES = {"load": "Reading claims", "link": "Linking", "save": "Saving incidents"}


def resolve_command(
    db: DbOption = None,
    json_output: JsonOption = False,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Consider every current claim, not only those added since the last run.",
        ),
    ] = False,
    aggregates: Annotated[
        bool,
        typer.Option(
            "--aggregates",
            help="Also compare reported totals with the incidents of their period and area.",
        ),
    ] = False,
) -> None:
    """Resolve claims into incidents (one event, many sources) with ranges and grades."""
    from marsad.cli.store_commands import progress_bar
    from marsad.contract.incident import IncidentFilter
    from marsad.jobs.resolve import resolve_store
    from marsad.publish.aggregates import compare_aggregates

    store = open_store(db)
    try:
        with progress_bar(disable=json_output) as progress:
            tasks: dict[str, object] = {}

            def on_progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(
                        _STAGES.get(stage, stage), total=total or None, note=""
                    )
                task = tasks[stage]
                progress.update(task, completed=done, total=total or None)  # type: ignore[arg-type]

            report = resolve_store(store, actor=default_actor(), progress=on_progress, full=full)
        result = report.to_dict()
        comparisons = (
            compare_aggregates(store, IncidentFilter(max_sensitivity="restricted"))
            if aggregates
            else []
        )
        if json_output:
            if aggregates:
                result["aggregates_compared"] = [c.to_dict() for c in comparisons]
            print_json(result)
            return
        console.print(
            f"Resolve: {report.new_claims} new claims; {report.incidents_created} incidents "
            f"created, {report.incidents_updated} updated, {report.incidents_retired} retired; "
            f"{report.decisions_applied} analyst decisions applied; "
            f"{report.aggregates} reported totals kept apart."
        )
        for c in comparisons:
            where = ", ".join(c.aggregate.area) or "all areas"
            console.print(f"{where}: {c.summary}", highlight=False)
    finally:
        store.close()
