"""``marsad gazetteer``: look places up and add countries from GeoNames dumps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    json_output: JsonOption = False,
) -> None:
    """Every place a name may mean, best first."""
    from marsad.gazetteer import default_gazetteer

    places = default_gazetteer().candidates(name)
    if json_output:
        print_json(
            [
                {
                    "id": p.id,
                    "name": p.name,
                    "kind": p.kind,
                    "admin1": p.admin1,
                    "lat": p.lat,
                    "lon": p.lon,
                }
                for p in places
            ]
        )
        return
    if not places:
        console.print(f"No place is called {name!r}.")
        raise typer.Exit(1)
    for p in places:
        console.print(f"{p.id:28} {p.name} ({p.kind}, {p.admin1 or '-'}) {p.lat}, {p.lon}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="gazetteer")
