"""``marsad process``: ingest (optionally) and run the extraction engine over stored documents."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from marsad.cli import DbOption, JsonOption, console, default_actor, open_store, print_json
from marsad.cli.store_commands import FollowSymlinksOption, print_skipped, progress_bar

if TYPE_CHECKING:
    from distributed import Client

    from marsad.jobs.extract import DocumentInput, ExtractReport
    from marsad.store import Store
    from marsad.store.models import Document


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
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Extract on a local Dask cluster of N worker processes (this process stores).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="Extract on the workers of a running Dask cluster (tcp://HOST:PORT).",
        ),
    ] = None,
    chunk_size: Annotated[
        int,
        typer.Option("--chunk-size", min=1, help="Documents per Dask task."),
    ] = 200,
    json_output: JsonOption = False,
) -> None:
    """Ingest PATHS (if given), then extract claims from stored documents (new ones only, unless
    --all) in one logged run.

    Earlier claims of a re-extracted document are kept, marked superseded. To preview what the
    engine reads in a file without storing anything, use `marsad extract FILE`. Exit status:
    0 all went well, 1 some items were rejected or could not be extracted, 2 PATHS were given
    and nothing from them was stored.

    With --workers or --scheduler the engine runs on Dask workers and this process stores
    their claims in the one run, in the same order: the result is that of one process.
    """
    with ExitStack() as stack:
        client = _dask_client(stack, workers, scheduler) if workers or scheduler else None
        _process(paths, db, all_documents, follow_symlinks, client, chunk_size, json_output)


def _dask_client(stack: ExitStack, workers: int | None, scheduler: str | None) -> Client:
    """Started (or reached) before anything is ingested, so a wrong address changes nothing."""
    from marsad.jobs.scale import ClusterError, dask_client

    if workers and scheduler:
        raise typer.BadParameter("give --workers or --scheduler, not both", param_hint="--workers")
    try:
        return stack.enter_context(dask_client(workers=workers, scheduler=scheduler))
    except ClusterError as exc:
        hint = "--scheduler" if scheduler else "--workers"
        raise typer.BadParameter(str(exc), param_hint=hint) from exc


def _process(
    paths: list[Path] | None,
    db: str | None,
    all_documents: bool,
    follow_symlinks: bool,
    client: Client | None,
    chunk_size: int,
    json_output: bool,
) -> None:
    from marsad import config
    from marsad.jobs.extract import extract_documents
    from marsad.jobs.ingest import ingest_paths

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

        def on_document(doc: DocumentInput, claims: int) -> None:
            progress.update(task, advance=1, note=f"{claims} claims")

        documents = store.iter_documents(unextracted=not all_documents)
        if client is None:
            report = extract_documents(
                store, documents, actor=default_actor(), on_document=on_document
            )
        else:
            report = _extract_on_cluster(store, documents, client, chunk_size, on_document)
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


def _extract_on_cluster(
    store: Store,
    documents: Iterable[Document],
    client: Client,
    chunk_size: int,
    on_document: Callable[[DocumentInput, int], None],
) -> ExtractReport:
    from marsad.jobs.scale import ClusterError, extract_documents_dask

    try:
        return extract_documents_dask(
            store,
            documents,
            actor=default_actor(),
            client=client,
            chunk_size=chunk_size,
            on_document=on_document,
        )
    except ClusterError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from exc


def register(app: typer.Typer) -> None:
    app.command("process")(process)
