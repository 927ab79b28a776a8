"""The ``marsad`` command. Each command is a thin layer over a library function.

Command groups live in sibling modules (``cli/gazetteer.py``, ``cli/evaluate.py``, ...); this
module assembles them and holds the commands about the store itself.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from marsad import config


class MarsadGroup(TyperGroup):
    """The command group: turns a missing encryption key into a one-line message (exit 2)
    wherever in a command the store first needs it."""

    def invoke(self, ctx: Any) -> Any:  # typer.Context; its base class is private
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Only a loaded store raises KeyRequiredError; importing the store to ask would
            # load it for every --help and typer.Exit of a subcommand.
            crypto = sys.modules.get("marsad.store.crypto")
            if crypto is None or not isinstance(exc, crypto.KeyRequiredError):
                raise
            err_console.print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(2) from exc


app = typer.Typer(
    cls=MarsadGroup,
    name="marsad",
    help=(
        "Marsad turns reports of attacks on civilians into a verified, evidence-linked incident "
        "database.\n\nThe database is an embedded SQLite file by default (./marsad.db); use "
        "--db PATH or --db postgresql://... (or MARSAD_DB) to choose another. An encrypted "
        "store needs its key: --key-file PATH before the command, or MARSAD_KEY_FILE."
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
KeyFileOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="Key file of an encrypted store (default: $MARSAD_KEY_FILE); see `marsad key init`.",
    ),
]


class GlobalOptions:
    """Options given before the command name, for every command that opens a store. Every
    ``marsad`` invocation sets them anew (a test that runs a command through an app of its own
    resets them with :meth:`reset`)."""

    key_file: Path | None = None

    @classmethod
    def reset(cls) -> None:
        cls.key_file = None


@app.callback()
def _global_options(key_file: KeyFileOption = None) -> None:
    GlobalOptions.key_file = key_file


def _global_key_file() -> Path | None:
    return GlobalOptions.key_file


def default_actor() -> str:
    """Who is acting, for the ledger: $MARSAD_ACTOR, else the login name."""
    env = os.environ.get("MARSAD_ACTOR")
    if env:
        return env
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def key_path(key_file: Path | None = None) -> Path | None:
    """``key_file``, else ``marsad --key-file``, else ``$MARSAD_KEY_FILE``; None if none."""
    return config.key_file(key_file or _global_key_file())


def store_key(key_file: Path | None = None) -> Any:
    """The key found by :func:`key_path` (None when none is given); an unreadable key file
    ends the command with exit status 2."""
    from marsad.store.crypto import KeyFileError, load_key_file

    path = key_path(key_file)
    if path is None:
        return None
    try:
        return load_key_file(path)
    except KeyFileError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc


def open_store(db: str | None, key_file: Path | None = None) -> Any:
    from marsad.store import Store

    url = config.database_url(db)
    key = store_key(key_file)
    try:
        return Store(url, key=key)
    except Exception as exc:
        err_console.print(f"[red]error:[/red] cannot open database {url}: {exc}")
        raise typer.Exit(2) from exc


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _register() -> None:
    from marsad.cli import (
        alerts,
        custody,
        data_commands,
        evaluate,
        feeds,
        gazetteer,
        keys,
        persons,
        pipeline_commands,
        publish,
        search,
        store_commands,
        watch,
        web,
    )
    from marsad.cli.extract import extract_command
    from marsad.cli.resolve import resolve_command

    store_commands.register(app)
    pipeline_commands.register(app)
    app.command("extract")(extract_command)
    app.command("resolve")(resolve_command)
    publish.register(app)
    data_commands.register(app)
    web.register(app)
    gazetteer.register(app)
    keys.register(app)
    custody.register(app)
    persons.register(app)
    feeds.register(app)
    watch.register(app)
    search.register(app)
    app.add_typer(evaluate.app, name="eval")
    app.add_typer(alerts.app, name="alerts")


_register()


def main() -> None:
    app()
