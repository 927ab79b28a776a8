"""``make demo``: the main job on the example corpus, on a fresh embedded SQLite database.

Ingest -> extract -> resolve -> brief -> verify, printing what each step did.

    python -m marsad.demo --db demo-output/marsad.db --out demo-output examples/reports
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from marsad.config import DEFAULT_MAX_BYTES, database_url
from marsad.contract.incident import IncidentFilter
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.resolve import resolve_store
from marsad.publish.aggregates import compare_aggregates
from marsad.publish.brief import build_brief, write_brief
from marsad.store import Store

console = Console()
ACTOR = "demo"


def incident_table(store: Store) -> Table:
    table = Table(title="Incidents (all sensitivities; killed as low / best / high)")
    for column in ("#", "date", "type", "place", "killed", "sources", "grade"):
        table.add_column(column)
    for view in store.iter_incidents(IncidentFilter(max_sensitivity="restricted")):
        killed = view.figure("killed")
        figures = "-" if killed.best is None else f"{killed.low} / {killed.best} / {killed.high}"
        table.add_row(
            str(view.id),
            str(view.date_start or "-"),
            view.event_type.replace("_", " "),
            view.place_name or "-",
            figures,
            f"{view.independent_source_count} of {view.source_count}",
            view.grade,
        )
    return table


def run(db: Path, out: Path, corpus: list[Path]) -> int:
    out.mkdir(parents=True, exist_ok=True)
    store = Store(database_url(str(db)))
    console.rule("[bold]Marsad demo")
    console.print(f"Database: {db} (SQLite)   Corpus: {', '.join(map(str, corpus))}\n")

    report = ingest_paths(store, corpus, actor=ACTOR, max_bytes=DEFAULT_MAX_BYTES)
    console.print(
        f"[bold]1. Ingest[/bold]   {report.stored} documents stored byte for byte, "
        f"{report.duplicates} duplicates, {len(report.errors)} rejected"
    )
    for line in report.errors:
        console.print(f"   rejected: {line}", highlight=False)

    extraction = extract_documents(store, store.iter_documents(unextracted=True), actor=ACTOR)
    console.print(
        f"[bold]2. Extract[/bold]  {extraction.documents} documents read, "
        f"{extraction.claims} claims, every value with its evidence span"
    )

    resolved = resolve_store(store, actor=ACTOR)
    console.print(
        f"[bold]3. Resolve[/bold]  {resolved.new_claims} claims -> "
        f"{resolved.incidents_created} incidents; {resolved.aggregates} reported totals kept apart"
    )
    console.print(incident_table(store))
    brief_filter = IncidentFilter(date_from=date(2023, 10, 5), date_to=date(2023, 10, 25))
    for comparison in compare_aggregates(store, IncidentFilter(max_sensitivity="restricted")):
        agg = comparison.aggregate
        period = str(agg.date_start)
        if agg.date_end and agg.date_end != agg.date_start:
            period += f" to {agg.date_end}"
        who = ", ".join(agg.reported_by) or agg.source or "unknown source"
        console.print(f"   {who}, {period}: {comparison.summary}", highlight=False)

    title = "Attacks on civilians in northwest Syria"
    # nobody has reviewed the demo's incidents: the brief includes them and its method note
    # says so (a real public brief holds only incidents an analyst confirmed)
    brief = build_brief(store, brief_filter, title=title, actor=ACTOR, include_unreviewed=True)
    html, pdf = out / "brief.html", out / "brief.pdf"
    write_brief(brief, html, "html")
    write_brief(brief, pdf, "pdf")
    console.print(
        f"[bold]4. Brief[/bold]    5-25 October 2023, public records only: "
        f"{brief.incident_count} incidents, none reviewed yet (the brief says so) -> "
        f"{html} and {pdf}"
    )

    verdict = store.verify()
    console.print(
        f"[bold]5. Verify[/bold]   {verdict.originals_checked} originals re-hashed, "
        f"{verdict.ledger_entries_checked} ledger entries walked: "
        + ("[green]intact[/green]" if verdict.ok else "[red]PROBLEMS[/red]")
    )

    summary = store.summary()
    table = Table(title="What the store holds", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)
    console.print(f"\nOpen the brief: {pdf.resolve()}")
    store.close()
    return 0 if verdict.ok and not report.errors and not extraction.errors else 1


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Marsad end to end on a corpus.")
    parser.add_argument("--db", type=Path, default=Path("demo-output/marsad.db"))
    parser.add_argument("--out", type=Path, default=Path("demo-output"))
    parser.add_argument("corpus", type=Path, nargs="+")
    args = parser.parse_args()
    raise SystemExit(run(args.db, args.out, args.corpus))


if __name__ == "__main__":
    main()
