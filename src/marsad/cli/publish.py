"""Publishing commands: ``marsad export``, ``marsad brief`` and
``marsad import acled|ucdp|airwars``."""

from __future__ import annotations

import calendar
import sys
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

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

if TYPE_CHECKING:
    from rich.progress import Progress

    from marsad.contract.incident import IncidentFilter

import_app = typer.Typer(
    help="Bring partner datasets in as claims with provenance (dataset, row id, file SHA-256).",
    no_args_is_help=True,
)

FromOption = Annotated[
    str | None,
    typer.Option("--from", help="Start of the period: YYYY-MM-DD, YYYY-MM or YYYY."),
]
ToOption = Annotated[
    str | None,
    typer.Option("--to", help="End of the period (inclusive): YYYY-MM-DD, YYYY-MM or YYYY."),
]
AreaOption = Annotated[
    str | None, typer.Option("--area", help="Place or governorate name, or a p-code (SY07...).")
]
TypeOption = Annotated[
    list[str] | None, typer.Option("--type", help="Event type (repeatable), e.g. air_strike.")
]
PerpetratorOption = Annotated[
    list[str] | None, typer.Option("--perpetrator", help="Actor id or name (repeatable).")
]
WeaponOption = Annotated[
    list[str] | None,
    typer.Option("--weapon", help="Weapon type (repeatable), e.g. cluster_munition."),
]
GradeOption = Annotated[
    list[str] | None, typer.Option("--grade", help="Evidence grade (repeatable), e.g. confirmed.")
]
IncludeOption = Annotated[
    str | None,
    typer.Option(
        "--include",
        help="Widen beyond public records: 'internal' or 'restricted'. Recorded in the ledger.",
    ),
]
UnreviewedOption = Annotated[
    bool,
    typer.Option(
        "--include-unreviewed",
        help="Public outputs hold only incidents an analyst confirmed; add the unreviewed ones "
        "(the brief's method note then says so, and how many).",
    ),
]


def parse_period(value: str | None, *, end: bool) -> date | None:
    """``2023-10-05``, ``2023-10`` or ``2023``; a month or year means its first (or last) day."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 4:
            return date(int(text), 12, 31) if end else date(int(text), 1, 1)
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:7])
            last = calendar.monthrange(year, month)[1]
            return date(year, month, last if end else 1)
        return date.fromisoformat(text)
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] not a date: {value!r} (use YYYY-MM-DD)")
        raise typer.Exit(2) from exc


def build_filter(
    date_from: str | None,
    date_to: str | None,
    area: str | None,
    types: list[str] | None,
    perpetrators: list[str] | None,
    weapons: list[str] | None,
    grades: list[str] | None,
    include: str | None,
) -> IncidentFilter:
    from marsad.contract.incident import IncidentFilter

    level = include or "public"
    if level not in ("public", "internal", "restricted"):
        err_console.print("[red]error:[/red] --include must be 'internal' or 'restricted'")
        raise typer.Exit(2)
    return IncidentFilter(
        date_from=parse_period(date_from, end=False),
        date_to=parse_period(date_to, end=True),
        area=area,
        event_types=list(types or []),
        perpetrators=list(perpetrators or []),
        weapons=list(weapons or []),
        grades=list(grades or []),
        max_sensitivity=level,
    )


def resolved_area(store: Any, f: IncidentFilter) -> IncidentFilter:
    """``f`` with its area as the incidents store it (Arabic names, p-codes; see
    :mod:`marsad.publish.areas`); an area nobody knows exits 2 with the nearest names."""
    from dataclasses import replace

    from marsad.contract.incident import IncidentFilter
    from marsad.publish.areas import UnknownAreaError, resolve_area

    if not f.area:
        return f

    def known(area: str) -> bool:
        probe = IncidentFilter(area=area, max_sensitivity=f.max_sensitivity)
        return bool(store.count_incidents(probe))

    try:
        return replace(f, area=resolve_area(f.area, known))
    except UnknownAreaError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _progress(total: int, *, disable: bool) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]Exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=disable,
        transient=True,
    )


def export_command(
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="acled, ucdp, hxl, geojson, geojson-flat or jsonl."),
    ] = "jsonl",
    date_from: FromOption = None,
    date_to: ToOption = None,
    area: AreaOption = None,
    types: TypeOption = None,
    perpetrators: PerpetratorOption = None,
    weapons: WeaponOption = None,
    grades: GradeOption = None,
    include: IncludeOption = None,
    include_unreviewed: UnreviewedOption = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export incidents as ACLED, UCDP GED, HXL CSV, GeoJSON (nested or flat) or JSON Lines.

    Public records only unless --include internal|restricted is given (that export is recorded
    in the ledger with who ran it); a public export holds only incidents an analyst confirmed
    unless --include-unreviewed is given. Text cells a spreadsheet could run as formulas are
    prefixed with an apostrophe. Rows are streamed: memory stays flat however many there are."""
    from marsad.publish.export import FORMATS, export_incidents

    if fmt not in FORMATS:
        err_console.print(f"[red]error:[/red] --format must be one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    f = build_filter(date_from, date_to, area, types, perpetrators, weapons, grades, include)
    store = open_store(db)
    f = resolved_area(store, f)
    try:
        total = store.count_incidents(f)
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    show_bar = total > 1000 and err_console.is_terminal
    with ExitStack() as stack:
        out: TextIO
        if output is None:
            out = sys.stdout
        else:
            out = stack.enter_context(output.open("w", encoding="utf-8", newline=""))
        progress = stack.enter_context(_progress(total, disable=not show_bar))
        task = progress.add_task("export", total=total)
        result = export_incidents(
            store,
            fmt,
            out,
            f,
            actor=default_actor(),
            on_row=lambda: progress.advance(task),
            include_unreviewed=include_unreviewed,
        )
    note = f" (ledger entry {result.ledger_seq})" if result.ledger_seq else ""
    err_console.print(
        f"exported {result.rows} incidents as {fmt} [{result.max_sensitivity}]"
        f" sha256 {result.sha256[:16]}{note}"
    )
    if result.unreviewed_left_out:
        err_console.print(
            f"{result.unreviewed_left_out} unreviewed incidents left out: public exports hold "
            "only incidents an analyst confirmed (review them, or give --include-unreviewed)"
        )


def brief_command(
    date_from: Annotated[str, typer.Option("--from", help="First day: YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last day (inclusive): YYYY-MM-DD.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="html, md or pdf.")] = "html",
    area: AreaOption = None,
    types: TypeOption = None,
    include: IncludeOption = None,
    include_unreviewed: UnreviewedOption = False,
    lang: Annotated[str, typer.Option("--lang", help="Frame language: en or ar.")] = "en",
    title: Annotated[str | None, typer.Option("--title", help="Headline of the brief.")] = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Write a publication-ready brief: headline figures as ranges, a map, a daily timeline,
    incidents with their sources, reported totals, a method note and a reproducible footer."""
    from marsad.publish.brief import BRIEF_FORMATS, build_brief, write_brief

    if fmt not in BRIEF_FORMATS:
        err_console.print(f"[red]error:[/red] --format must be one of {', '.join(BRIEF_FORMATS)}")
        raise typer.Exit(2)
    f = build_filter(date_from, date_to, area, types, None, None, None, include)
    store = open_store(db)
    f = resolved_area(store, f)
    try:
        brief = build_brief(
            store,
            f,
            lang=lang,
            title=title,
            actor=default_actor(),
            include_unreviewed=include_unreviewed,
        )
        write_brief(brief, output, fmt)
    except (ValueError, KeyError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if json_output:
        print_json({"output": str(output), "format": fmt, "incidents": brief.incident_count})
    else:
        console.print(f"brief written to {output} ({brief.incident_count} incidents)")
        for line in brief.review_notes:
            err_console.print(line)


def _run_import(kind: str, path: Path, db: str | None, json_output: bool) -> None:
    from marsad.publish.imports import import_dataset

    if not path.is_file():
        err_console.print(f"[red]error:[/red] {path}: no such file")
        raise typer.Exit(2)
    store = open_store(db)
    # reading, mapping and storing a large partner file takes a while: say it is working
    with err_console.status(f"Importing {path.name} ..."):
        report = import_dataset(store, kind, path, actor=default_actor())
    if json_output:
        print_json(
            {
                "dataset": report.dataset,
                "file": report.file_name,
                "sha256": report.file_sha256,
                "status": report.status,
                "stored": report.stored,
                "rejected": [{"row": n, "reason": r} for n, r in report.rejected],
                "ledger_seq": report.ledger_seq,
            }
        )
    else:
        for number, reason in report.rejected:
            err_console.print(f"[red]rejected:[/red] {path.name} row {number}: {reason}")
        if report.status == "duplicate":
            console.print(
                f"{path.name}: already imported, nothing new (sha256 {report.file_sha256[:16]})"
            )
        else:
            console.print(
                f"{path.name}: {report.stored} rows stored as {report.dataset} claims, "
                f"{len(report.rejected)} rejected"
            )
    if report.status == "duplicate":
        return
    if report.status == "empty" and not report.stored:
        raise typer.Exit(2)
    if report.partial:
        raise typer.Exit(1)


@import_app.command("acled")
def import_acled(
    path: Annotated[Path, typer.Argument(help="ACLED CSV export.")],
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Import an ACLED CSV. Exit 1 when some rows were rejected (the rest are stored); a file
    imported before adds nothing and exits 0."""
    _run_import("acled", path, db, json_output)


@import_app.command("ucdp")
def import_ucdp(
    path: Annotated[Path, typer.Argument(help="UCDP GED CSV.")],
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Import a UCDP GED CSV. Exit 1 when some rows were rejected (the rest are stored); a
    file imported before adds nothing and exits 0."""
    _run_import("ucdp", path, db, json_output)


@import_app.command("airwars")
def import_airwars(
    path: Annotated[Path, typer.Argument(help="Airwars incident list: CSV or JSON.")],
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Import an Airwars incident list (CSV, or JSON: a list of incidents). Column names are
    matched loosely (see docs/publishing.md). Exit 1 when some rows were rejected; a file
    imported before adds nothing and exits 0."""
    _run_import("airwars", path, db, json_output)


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("brief")(brief_command)
    app.add_typer(import_app, name="import")
