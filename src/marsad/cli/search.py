"""``marsad search``: documents, claims and incidents by their words, Arabic folded."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from marsad.cli import DbOption, JsonOption, console, err_console, open_store, print_json

LEVELS = ("public", "internal", "restricted")
KINDS = ("document", "claim", "incident")


def search_command(
    query: Annotated[str, typer.Argument(help="Words to find (all of them), Arabic or English.")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="At most this many.")] = 20,
    include: Annotated[
        str,
        typer.Option("--include", help="Clearance: public (default), internal or restricted."),
    ] = "public",
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="document, claim or incident (repeatable; default all)."),
    ] = None,
    reindex: Annotated[
        bool, typer.Option("--reindex", help="Rebuild the index first (encrypted stores).")
    ] = False,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Find reports, claims and incidents containing every word of QUERY ("إدلب" finds
    "ادلب"); what is above --include is never shown and protected names stay masked."""
    if include not in LEVELS:
        err_console.print("[red]error:[/red] --include must be public, internal or restricted")
        raise typer.Exit(2)
    bad = [k for k in kind or [] if k not in KINDS]
    if bad:
        err_console.print(f"[red]error:[/red] --kind takes {', '.join(KINDS)}, not {bad[0]!r}")
        raise typer.Exit(2)
    store = open_store(db)
    try:
        if reindex:
            with console.status("rebuilding the search index…"):
                written = store.reindex_search()
            err_console.print(f"search index rebuilt: {written} entries")
        hits = store.search(query, include, limit=limit, kinds=kind or KINDS)
        shown = store.disclosure(include)(query)  # a protected name typed in is echoed masked
    finally:
        store.close()
    if json_output:
        print_json({"query": shown, "items": [h.to_dict() for h in hits]})
        return
    if not hits:
        console.print("no match")
        return
    for h in hits:
        console.print(f"[bold]{h.kind} {h.id[:12]}[/bold]  {escape(h.label)}", highlight=False)
        console.print(f"    {h.snippet}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command("search")(search_command)
