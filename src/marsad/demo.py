"""``make demo``: the main job on the example corpus, on a fresh embedded SQLite database.

python -m marsad.demo --db demo-output/marsad.db --out demo-output examples/reports
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from marsad.config import DEFAULT_MAX_BYTES, database_url
from marsad.ingest.pipeline import ingest_paths
from marsad.process import extract_documents
from marsad.store import Store

console = Console()


def run(db: Path, out: Path, corpus: list[Path]) -> int:
    out.mkdir(parents=True, exist_ok=True)
    store = Store(database_url(str(db)))
    console.rule("[bold]Marsad demo")
    console.print(f"Database: {db} (SQLite)   Corpus: {', '.join(map(str, corpus))}\n")

    report = ingest_paths(store, corpus, actor="demo", max_bytes=DEFAULT_MAX_BYTES)
    console.print(
        f"[bold]1. Ingest[/bold]  {report.stored} documents stored byte for byte, "
        f"{report.duplicates} duplicates, {len(report.errors)} rejected"
    )
    for line in report.errors:
        console.print(f"   rejected: {line}", highlight=False)

    verdict = store.verify()
    console.print(
        f"[bold]2. Verify[/bold]  {verdict.originals_checked} originals re-hashed, "
        f"{verdict.ledger_entries_checked} ledger entries walked: "
        + ("[green]intact[/green]" if verdict.ok else "[red]PROBLEMS[/red]")
    )

    extraction = extract_documents(store, store.iter_documents(unextracted=True), actor="demo")
    console.print(
        f"[bold]3. Extract[/bold] {extraction.documents} documents read, "
        f"{extraction.claims} claims with evidence spans (run {extraction.run_id})"
    )
    for line in extraction.errors:
        console.print(f"   error: {line}", highlight=False)

    summary = store.summary()
    table = Table(title="What the store holds", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)
    store.close()
    return 0 if verdict.ok and not report.errors else 1


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Marsad end to end on a corpus.")
    parser.add_argument("--db", type=Path, default=Path("demo-output/marsad.db"))
    parser.add_argument("--out", type=Path, default=Path("demo-output"))
    parser.add_argument("corpus", type=Path, nargs="+")
    args = parser.parse_args()
    raise SystemExit(run(args.db, args.out, args.corpus))


if __name__ == "__main__":
    main()
