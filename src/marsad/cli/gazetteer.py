"""``marsad gazetteer``: look places up and add countries from GeoNames dumps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from marsad.cli import JsonOption, console, err_console, print_json

app = typer.Typer(help="Places: look names up, add a country from a GeoNames dump.")


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="GeoNames country dump (XX.zip or XX.txt).")],
    json_output: JsonOption = False,
) -> None:
    """Add a country's places from a GeoNames dump; extraction finds them from then on."""
    from marsad.gazetteer.geonames_import import GeoNamesImportError, import_geonames

    if not path.is_file():
        err_console.print(f"[red]error:[/red] {path}: no such file")
        raise typer.Exit(2)
    try:
        report = import_geonames(path)
    except GeoNamesImportError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if json_output:
        print_json(
            {"pack": str(report.path), "places": report.places, "skipped": report.skipped_rows}
        )
    else:
        console.print(f"Added {report.places:,} places; pack written to {report.path}")
        for line in report.skipped_rows[:20]:
            console.print(f"  skipped {line}", highlight=False)
    if report.skipped_rows:
        raise typer.Exit(1)


@app.command("lookup")
def lookup_command(
    name: Annotated[str, typer.Argument(help="A place name in any spelling (Latin or Arabic).")],
    admin1: Annotated[
        str | None,
        typer.Option("--admin1", help="Only places in this governorate (name or P-code)."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Every place a name may mean, best first, with its P-codes and why it ranks there."""
    from marsad.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    if admin1 is not None and gazetteer.resolve_admin1(admin1) is None:
        known = ", ".join(gazetteer.admin1_names())
        err_console.print(f"[red]error:[/red] no governorate is called {admin1!r}; known: {known}")
        raise typer.Exit(2)
    ranked = gazetteer.rank_name(name, admin1=admin1)
    if json_output:
        print_json([_lookup_row(r) for r in ranked])
        return
    if not ranked:
        console.print(f"No place is called {name!r}" + (f" in {admin1}." if admin1 else "."))
        raise typer.Exit(1)
    from rich.table import Table

    table = Table("rank", "place", "kind", "governorate", "admin3", "admin4", "lat, lon", "why")
    for k, r in enumerate(ranked, 1):
        p = r.place
        table.add_row(
            str(k),
            f"{p.name}\n[dim]{p.id}[/dim]",
            p.kind,
            f"{p.admin1 or '-'} {p.admin1_pcode or ''}",
            f"{p.admin3 or '-'} {p.admin3_pcode or ''}",
            f"{p.admin4 or '-'} {p.admin4_pcode or ''}",
            f"{p.lat}, {p.lon}",
            _why(r),
        )
    console.print(table)


_REASON_WORDS = {
    "spelled_as_written": "spelled as written",
    "folds_alike": "spelled alike (folded)",
    "in_admin1": "in the governorate asked for",
    "kind_asked": "the kind the last word asks for",
}


def _why(r: Any) -> str:
    p = r.place
    words = [
        f"same consonants, {r.likeness:.0%} alike"
        if code == "consonants"
        else _REASON_WORDS.get(code, code)
        for code in r.reasons
    ]
    size = p.kind + (f", population {p.population:,}" if p.population else "")
    return "; ".join([*words, size, f"{len(p.sources)} source(s)"])


def _lookup_row(r: Any) -> dict[str, Any]:
    p = r.place
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "admin1": p.admin1,
        "admin1_pcode": p.admin1_pcode,
        "admin2_pcode": p.admin2_pcode,
        "admin3": p.admin3,
        "admin3_pcode": p.admin3_pcode,
        "admin4": p.admin4,
        "admin4_pcode": p.admin4_pcode,
        "lat": p.lat,
        "lon": p.lon,
        "likeness": round(r.likeness, 3),
        "reasons": list(r.reasons),
        "names": [
            {"name": n, "origin": o}
            for n, o in zip(p.names, p.name_origins or ("",) * len(p.names), strict=True)
        ],
    }


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="gazetteer")
