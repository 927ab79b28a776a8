"""``marsad watch FOLDER...``: ingest, extract and resolve reports as they arrive."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from threading import Event
from typing import TYPE_CHECKING, Annotated

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
from marsad.cli.store_commands import FollowSymlinksOption

if TYPE_CHECKING:
    from marsad.jobs.watch import Batch


def watch_command(
    folders: Annotated[list[Path], typer.Argument(help="Folders to watch (recursively).")],
    db: DbOption = None,
    once: Annotated[
        bool,
        typer.Option("--once", help="Process what the folders hold now, then exit."),
    ] = False,
    debounce: Annotated[
        float,
        typer.Option(
            "--debounce",
            min=0.0,
            help="Seconds a file's size and time must stay unchanged before it is read.",
        ),
    ] = 1.0,
    poll: Annotated[
        bool,
        typer.Option("--poll", help="Look for changes by polling (network shares, some VMs)."),
    ] = False,
    max_bytes: Annotated[
        int | None,
        typer.Option(
            "--max-bytes", help="Largest file accepted (default 50 MB, or $MARSAD_MAX_BYTES)."
        ),
    ] = None,
    follow_symlinks: FollowSymlinksOption = False,
    json_output: JsonOption = False,
) -> None:
    """Watch FOLDERS: each report that appears or changes is ingested, extracted and resolved
    within seconds, once it has stopped changing for --debounce seconds. Names of files still
    being written (.part, .tmp, .crdownload, ~) are left alone until renamed. Files already
    stored are duplicates, so a restart stores nothing twice. Runs until Ctrl-C, or with
    --once until what is there now is done (exit status 1 if any item was rejected)."""
    from marsad import config
    from marsad.jobs.watch import Watcher

    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        err_console.print(f"[red]error:[/red] not a folder: {', '.join(missing)}", highlight=False)
        raise typer.Exit(2)
    store = open_store(db)
    status = console.status(_waiting_line(folders, 0), spinner="dots")

    def on_batch(batch: Batch) -> None:
        if not json_output:
            _print_batch(batch)

    def on_wait(waiting: int) -> None:
        status.update(_waiting_line(folders, waiting))

    watcher = Watcher(
        store,
        folders,
        actor=default_actor(),
        max_bytes=config.max_bytes(max_bytes),
        debounce=debounce,
        follow_symlinks=follow_symlinks,
        on_batch=on_batch,
        on_wait=on_wait,
    )
    stop = Event()
    # systemd stops a service with SIGTERM: finish the batch in hand, then say what was done
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if json_output:
            total = watcher.run_once() if once else watcher.run(stop, force_polling=poll or None)
        else:
            with status:
                total = (
                    watcher.run_once() if once else watcher.run(stop, force_polling=poll or None)
                )
    except KeyboardInterrupt:
        total = watcher.total
    finally:
        store.close()
    if json_output:
        print_json(total.as_dict())
    else:
        console.print(
            f"Watch: {total.stored} stored, {total.duplicates} already stored, "
            f"{total.claims} claims, {total.incidents_created} incidents created, "
            f"{total.incidents_updated} updated, {len(total.errors)} errors."
        )
    if once and total.errors:
        raise typer.Exit(1)


def _waiting_line(folders: list[Path], waiting: int) -> str:
    where = ", ".join(str(f) for f in folders)
    settling = f"; {waiting} file(s) still being written" if waiting else ""
    return f"Watching {where}{settling} (Ctrl-C to stop)"


def _print_batch(batch: Batch) -> None:
    stamp = time.strftime("%H:%M:%S")
    if batch.files:
        console.print(
            f"{stamp} {len(batch.files)} file(s): {batch.stored} stored, "
            f"{batch.duplicates} already stored, {batch.claims} claims, "
            f"{batch.incidents_created} incidents created, {batch.incidents_updated} updated",
            highlight=False,
        )
    for line in batch.errors:
        console.print(f"{stamp} [red]rejected:[/red] {line}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("watch")(watch_command)
