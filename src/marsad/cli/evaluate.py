"""``marsad eval fakes|ucdp|gold|grouping|persons|case|syrianarchive PATH``: accuracy against
FA-KES, UCDP GED, the gold set, incident grouping on UCDP GED headlines, person detection, CASE 2021
Task 2 event classes and Syrian Archive incident records; ``syrianarchive-ar``, ``arabic-events``
and ``investigations`` score the Arabic sets (a language without a pack yet scores "no claim").

Each command prints Rich tables and a final one-line summary, and ``--json-out FILE`` writes the
full result (per-article outcomes included) as JSON. An unusable file (missing, not UTF-8, a
required column absent) exits with status 2 and a message naming the file; malformed rows are
skipped with a warning naming their row numbers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from marsad.evaluate.files import EvalFileError

app = typer.Typer(
    help="Measure extraction accuracy against FA-KES, UCDP GED and the project's gold set.",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)

JsonOut = Annotated[
    Path | None, typer.Option("--json-out", help="Also write the full result as JSON to FILE.")
]
Limit = Annotated[
    int | None, typer.Option("--limit", min=1, help="Score only the first N documents.")
]


def _run(
    scorer: Callable[[], dict[str, Any]],
    json_out: Path | None,
    show: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Score, print the result (``show``, else the shared tables), write ``--json-out``."""
    from marsad.evaluate.report import print_result

    try:
        result = scorer()
    except EvalFileError as exc:
        err_console.print(f"[red]error:[/] {exc}", soft_wrap=True, markup=True)
        raise typer.Exit(2) from None
    if show is None:
        print_result(result, console)
    else:
        show(result)
    if json_out is not None:
        json_out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
        console.print(f"wrote {json_out}")


@app.command()
def fakes(
    path: Annotated[Path, typer.Argument(help="FA-KES CSV file.")],
    json_out: JsonOut = None,
    limit: Limit = None,
    rule: Annotated[
        str,
        typer.Option(
            "--rule", help="Main-incident rule: lead (first incident with deaths) or largest."
        ),
    ] = "lead",
) -> None:
    """Governorate, cause, actor, death counts and date of each article's main incident."""
    from marsad.evaluate.fakes import score_fakes
    from marsad.evaluate.incident import MAIN_INCIDENT_RULES

    if rule not in MAIN_INCIDENT_RULES:
        err_console.print(f"[red]error:[/] --rule must be one of {', '.join(MAIN_INCIDENT_RULES)}")
        raise typer.Exit(2)
    _run(lambda: score_fakes(path, limit=limit, rule=rule), json_out)


@app.command()
def ucdp(
    path: Annotated[Path, typer.Argument(help="UCDP GED CSV file.")],
    json_out: JsonOut = None,
    limit: Limit = None,
    names: Annotated[
        bool, typer.Option("--names/--no-names", help="Also score name-only place resolution.")
    ] = True,
) -> None:
    """Place resolution from names, and place, governorate, date and toll from headlines."""
    from marsad.evaluate.ucdp import score_ucdp

    _run(lambda: score_ucdp(path, limit=limit, names=names), json_out)


@app.command()
def gold(
    path: Annotated[Path, typer.Argument(help="Gold JSON Lines file.")],
    json_out: JsonOut = None,
) -> None:
    """Precision, recall and F1 per claim field, value-exact and span-exact."""
    from marsad.evaluate.gold import score_gold

    _run(lambda: score_gold(path), json_out)


@app.command()
def persons(
    path: Annotated[Path, typer.Argument(help="Person set or gold JSON Lines file.")],
    json_out: JsonOut = None,
) -> None:
    """Person recall and precision, and person name parts taken for places."""
    from marsad.evaluate.persons import persons_summary, persons_tables, score_persons

    def show(result: dict[str, Any]) -> None:
        _print_tables(persons_tables(result))
        _print_warnings(result["warnings"])
        console.print(persons_summary(result))

    _run(lambda: score_persons(path), json_out, show)


@app.command("persons-ar")
def persons_ar(
    path: Annotated[Path, typer.Argument(help="Arabic person set (JSON Lines).")],
    json_out: JsonOut = None,
) -> None:
    """Arabic person recall and precision, and whether the masker hides every occurrence."""
    from marsad.evaluate.persons_ar import score_arabic_persons, summary

    def show(result: dict[str, Any]) -> None:
        for line in summary(result):
            console.print(line, highlight=False, markup=False)

    _run(lambda: score_arabic_persons(path), json_out, show)


def _print_tables(tables: list[Any]) -> None:
    from rich.table import Table as RichTable

    for table in tables:
        rich = RichTable(title=table.title, title_justify="left")
        for i, column in enumerate(table.columns):
            rich.add_column(column, justify="left" if i == 0 else "right")
        for row in table.rows:
            rich.add_row(*row)
        console.print(rich)


def _print_warnings(warnings: dict[str, Any]) -> None:
    if warnings["skipped"]:
        console.print(
            f"[yellow]warning:[/] skipped {warnings['skipped']} malformed row(s): "
            + "; ".join(warnings["reasons"][:10]),
            soft_wrap=True,
        )


@app.command()
def grouping(
    path: Annotated[Path, typer.Argument(help="UCDP GED CSV file (source_article column).")],
    json_out: JsonOut = None,
) -> None:
    """How well resolution groups the headlines of one event apart from same-day events."""
    from marsad.evaluate.grouping import grouping_summary, grouping_tables, score_grouping_file

    def show(result: dict[str, Any]) -> None:
        _print_tables(grouping_tables(result))
        _print_warnings(result["warnings"])
        console.print(grouping_summary(result))

    _run(lambda: score_grouping_file(path), json_out, show)


# ``--json`` is accepted beside ``--json-out`` on the newer commands.
JsonOutOrJson = Annotated[
    Path | None,
    typer.Option("--json-out", "--json", help="Also write the full result as JSON to FILE."),
]
Examples = Annotated[int, typer.Option("--examples", min=0, help="Print up to N failure examples.")]


@app.command()
def case(
    path: Annotated[
        Path, typer.Argument(help="CASE 2021 Task 2 TSV file (id, EventSnippet, SubType).")
    ],
    json_out: JsonOutOrJson = None,
    limit: Limit = None,
    examples: Examples = 10,
) -> None:
    """ACLED sub-event class of each snippet: weighted F1, and non-conflict rows left alone."""
    from marsad.evaluate.case import case_summary, case_tables, example_lines, score_case

    def show(result: dict[str, Any]) -> None:
        _print_tables(case_tables(result))
        _print_examples(example_lines(result["examples"]))
        _print_warnings(result["warnings"])
        console.print(case_summary(result))

    _run(lambda: score_case(path, limit=limit, examples=examples), json_out, show)


def _print_examples(lines: list[str]) -> None:
    if lines:
        console.print("failure examples:")
    for line in lines:
        console.print("  " + line, highlight=False, markup=False, soft_wrap=True)


@app.command()
def syrianarchive(
    path: Annotated[Path, typer.Argument(help="Syrian Archive incident CSV file.")],
    json_out: JsonOutOrJson = None,
    limit: Limit = None,
    examples: Examples = 10,
) -> None:
    """No-claim records, governorate, weapon, date and distance on incident descriptions."""
    from marsad.evaluate.syrianarchive import (
        archive_summary,
        archive_tables,
        example_lines,
        score_syrianarchive,
    )

    def show(result: dict[str, Any]) -> None:
        _print_tables(archive_tables(result))
        _print_examples(example_lines(result["examples"]))
        _print_warnings(result["warnings"])
        console.print(archive_summary(result))

    _run(lambda: score_syrianarchive(path, limit=limit, examples=examples), json_out, show)


@app.command("syrianarchive-ar")
def syrianarchive_ar(
    path: Annotated[
        Path,
        typer.Argument(help="Syrian Archive JSON Lines file with Arabic and English summaries."),
    ],
    json_out: JsonOutOrJson = None,
    limit: Limit = None,
    examples: Examples = 5,
) -> None:
    """Governorate, place within 10 km, date and weapon on Arabic summaries, beside English."""
    from marsad.evaluate.arabic_archive import (
        arabic_archive_summary,
        arabic_archive_tables,
        example_lines,
        score_arabic_archive,
    )

    def show(result: dict[str, Any]) -> None:
        _print_tables(arabic_archive_tables(result))
        _print_examples(example_lines(result["examples"]))
        _print_warnings(result["warnings"])
        console.print(arabic_archive_summary(result))

    _run(lambda: score_arabic_archive(path, limit=limit, examples=examples), json_out, show)


@app.command("arabic-events")
def arabic_events(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Assault and protest CSV files (event_type, id, label, text), or a folder "
            "holding them."
        ),
    ],
    json_out: JsonOutOrJson = None,
    limit: Limit = None,
    examples: Examples = 5,
) -> None:
    """Assault and protest detection on Arabic sentences: precision, recall and F1 per set."""
    from marsad.evaluate.arabic_events import (
        arabic_events_summary,
        arabic_events_tables,
        example_lines,
        score_arabic_events,
    )

    def show(result: dict[str, Any]) -> None:
        _print_tables(arabic_events_tables(result))
        _print_examples(example_lines(result["examples"]))
        _print_warnings(result["warnings"])
        console.print(arabic_events_summary(result))

    _run(lambda: score_arabic_events(paths, limit=limit, examples=examples), json_out, show)


@app.command()
def investigations(
    path: Annotated[
        Path, typer.Argument(help="JSON Lines file of investigations (text_ar, text_en).")
    ],
    json_out: JsonOutOrJson = None,
    limit: Limit = None,
    examples: Examples = 5,
) -> None:
    """Whether the Arabic and English versions give the same event type, place and toll."""
    from marsad.evaluate.investigations import (
        example_lines,
        investigations_summary,
        investigations_tables,
        score_investigations,
    )

    def show(result: dict[str, Any]) -> None:
        _print_tables(investigations_tables(result))
        _print_examples(example_lines(result["examples"]))
        _print_warnings(result["warnings"])
        console.print(investigations_summary(result))

    _run(lambda: score_investigations(path, limit=limit, examples=examples), json_out, show)
