"""``marsad feeds add | poll | list``: follow RSS and Atom feeds; each new item is a document."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from marsad.cli import (
    DbOption,
    JsonOption,
    console,
    default_actor,
    err_console,
    open_store,
    print_json,
)

app = typer.Typer(help="RSS and Atom feeds: follow them, poll them for new reports.")


@app.command("add")
def add_command(
    location: Annotated[str, typer.Argument(help="An http(s) URL, or a feed file on disk.")],
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Follow a feed; `marsad feeds poll` reads it. A file is read from disk at each poll."""
    from marsad.ingest.feed_parse import FeedError
    from marsad.ingest.feeds import add

    store = open_store(db)
    try:
        feed, created = add(store, location)
    except FeedError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        store.close()
    if json_output:
        print_json({**feed.as_dict(), "added": created})
    elif created:
        console.print(f"Feed {feed.id} added: {feed.location}", highlight=False)
    else:
        console.print(f"Feed {feed.id} was already followed: {feed.location}", highlight=False)


@app.command("poll")
def poll_command(
    db: DbOption = None,
    max_bytes: Annotated[
        int | None,
        typer.Option(
            "--max-bytes", help="Largest feed accepted (default 50 MB, or $MARSAD_MAX_BYTES)."
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for a server.", min=0.1)
    ] = 20.0,
    json_output: JsonOption = False,
) -> None:
    """Read every feed followed and store each new item as a document (conditional requests:
    an unchanged feed sends nothing). A feed that cannot be read is named with the reason and
    the others are still polled. Exit status: 0 every feed was read, 1 some feeds or items
    were not, 2 no feed could be read (or none is followed)."""
    from marsad import config
    from marsad.cli.store_commands import progress_bar
    from marsad.ingest.feeds import FeedPoll, poll_feeds
    from marsad.store.feeds import list_feeds

    store = open_store(db)
    try:
        with progress_bar(disable=json_output) as progress:
            task = progress.add_task("Polling feeds", total=len(list_feeds(store)), note="")

            def on_feed(feed: FeedPoll) -> None:
                progress.update(task, advance=1, note=f"{feed.stored} new")

            report = poll_feeds(
                store,
                actor=default_actor(),
                max_bytes=config.max_bytes(max_bytes),
                timeout=timeout,
                on_feed=on_feed,
            )
    finally:
        store.close()
    if json_output:
        print_json(report.as_dict())
    else:
        console.print(
            f"[green]{report.stored} stored[/green], {report.duplicates} already stored, "
            f"{sum(f.status == 'not modified' for f in report.feeds)} feeds unchanged, "
            f"[{'red' if report.errors else 'green'}]{len(report.errors)} errors[/]"
        )
        for line in report.errors:
            console.print(f"  - {line}", highlight=False)
        if not report.feeds:
            console.print("[red]No feed is followed:[/red] add one with `marsad feeds add`.")
    if report.exit_code:
        raise typer.Exit(report.exit_code)


@app.command("list")
def list_command(db: DbOption = None, json_output: JsonOption = False) -> None:
    """The feeds followed, with how their last poll went."""
    from marsad.store.feeds import list_feeds

    store = open_store(db)
    try:
        feeds = list_feeds(store)
    finally:
        store.close()
    if json_output:
        print_json([f.as_dict() for f in feeds])
        return
    table = Table("id", "feed", "title", "last poll", "status", "documents")
    for f in feeds:
        polled = f.polled_at.isoformat(timespec="seconds") if f.polled_at else "never"
        status = f"{f.status}: {f.error}" if f.error else f.status
        table.add_row(str(f.id), f.location, f.title or "", polled, status, str(f.documents))
    console.print(table)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="feeds")
