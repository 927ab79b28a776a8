"""``marsad process``: ingest (optionally) and run the extraction engine over stored documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from marsad.cli import DbOption, JsonOption, console, default_actor, open_store, print_json
from marsad.cli.store_commands import FollowSymlinksOption, print_skipped, progress_bar


def process(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to ingest first (optional)."),
    ] = None,
    db: DbOption = None,
    all_documents: Annotated[
        bool,
        typer.Option("--all", help="Re-extract every document, not only new ones."),
    ] = False,
    follow_symlinks: FollowSymlinksOption = False,
    json_output: JsonOption = False,
) -> None:
    """Ingest PATHS (if given), then extract claims from stored documents (new ones only, unless
    --all) in one logged run.

    Earlier claims of a re-extracted document are kept, marked superseded. To preview what the
    engine reads in a file without storing anything, use `marsad extract FILE`. Exit status:
    0 all went well, 1 some items were rejected or could not be extracted, 2 PATHS were given
    and nothing from them was stored.
    """
    from marsad import config
    from marsad.ingest.pipeline import ingest_paths
    from marsad.process import extract_documents

    store = open_store(db)
    rejected: list[str] = []
    skipped: list[str] = []
    nothing_stored = False
    if paths:
        ingested = ingest_paths(
            store,
            paths,
            actor=default_actor(),
            max_bytes=config.max_bytes(None),
            follow_symlinks=follow_symlinks,
        )
        rejected = ingested.errors
        skipped = ingested.skipped
        nothing_stored = ingested.exit_code == 2
        if not json_output:
            console.print(
                f"Ingest: {ingested.stored} stored, {ingested.duplicates} duplicates, "
                f"{len(rejected)} rejected."
            )
            for line in rejected:
                console.print(f"[red]rejected:[/red] {line}", highlight=False)
            print_skipped(skipped)
    total = store.count_documents()
    with progress_bar(disable=json_output) as progress:
        task = progress.add_task("Extracting", total=total, note="")

        def on_document(doc: object, claims: int) -> None:
            progress.update(task, advance=1, note=f"{claims} claims")

        report = extract_documents(
            store,
            store.iter_documents(unextracted=not all_documents),
            actor=default_actor(),
            on_document=on_document,
        )
    result = {
        "rejected": rejected,
        "skipped": skipped,
        "run": report.run_id,
        "documents": report.documents,
        "claims": report.claims,
        "persons_recorded": report.persons,
        "taken_by_other_runs": report.taken_by_other_runs,
        "errors": report.errors,
    }
    if json_output:
        print_json(result)
    else:
        console.print(
            f"Extraction run {report.run_id}: {report.documents} documents read, "
            f"{report.claims} claims stored, {len(report.errors)} errors."
            + (
                f" {report.persons} more persons recorded as protected (named away from any "
                "claim, in a title, or in a language the engine does not read yet)."
                if report.persons
                else ""
            )
            + (
                f" {report.taken_by_other_runs} documents were extracted meanwhile by another "
                "run and left to it."
                if report.taken_by_other_runs
                else ""
            )
        )
        for line in report.errors:
            console.print(f"[red]error:[/red] {line}", highlight=False)
    if nothing_stored:
        raise typer.Exit(2)
    if report.errors or rejected:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("process")(process)
