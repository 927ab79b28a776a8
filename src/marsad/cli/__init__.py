"""The ``marsad`` command. Each command is a thin layer over a library function.

Command groups live in sibling modules (``cli/gazetteer.py``, ``cli/evaluate.py``, ...); this
module assembles them and holds the commands about the store itself.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from marsad import config

app = typer.Typer(
    name="marsad",
    help=(
        "Marsad turns reports of attacks on civilians into a verified, evidence-linked incident "
        "database.\n\nThe database is an embedded SQLite file by default (./marsad.db); use "
        "--db PATH or --db postgresql://... (or MARSAD_DB) to choose another."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLite file path or PostgreSQL URL (default: $MARSAD_DB or ./marsad.db)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def default_actor() -> str:
    """Who is acting, for the ledger: $MARSAD_ACTOR, else the login name."""
    env = os.environ.get("MARSAD_ACTOR")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def open_store(db: str | None) -> Any:
    from marsad.store import Store

    url = config.database_url(db)
    try:
        return Store(url)
    except Exception as exc:
        err_console.print(f"[red]error:[/red] cannot open database {url}: {exc}")
        raise typer.Exit(2) from exc


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _register() -> None:
    from marsad.cli import evaluate, gazetteer, pipeline_commands, publish, store_commands, web
    from marsad.cli.extract import extract_command
    from marsad.cli.resolve import resolve_command

    store_commands.register(app)
    pipeline_commands.register(app)
    app.command("extract")(extract_command)
    app.command("resolve")(resolve_command)
    publish.register(app)
    web.register(app)
    gazetteer.register(app)
    app.add_typer(evaluate.app, name="eval")


_register()


def main() -> None:
    app()
