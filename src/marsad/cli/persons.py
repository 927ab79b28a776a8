"""``marsad persons`` and ``marsad approve``: protected persons, texts approved to publish."""

from __future__ import annotations

from typing import Annotated

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

app = typer.Typer(help="Protected persons: every form of their names is masked in every output.")


@app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="The name as reports write it.")],
    aliases: Annotated[
        list[str] | None,
        typer.Option("--alias", help="Another form of the name, e.g. in Arabic (repeatable)."),
    ] = None,
    role: Annotated[str, typer.Option("--role", help="activist, journalist, ...")] = "unknown",
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Protect a person (restricted), or add other forms of a protected person's name."""
    store = open_store(db)
    try:
        pid = store.add_protected_person(
            name, aliases=aliases or [], role=role, actor=default_actor()
        )
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    if json_output:
        print_json({"id": pid})
    else:
        console.print(f"person {pid} is protected; every output masks the name from now on")


@app.command("list")
def list_command(db: DbOption = None, json_output: JsonOption = False) -> None:
    """Every protected person (restricted content: names are shown in full)."""
    store = open_store(db)
    try:
        persons = store.protected_persons("public")
    finally:
        store.close()
    if json_output:
        print_json(
            [
                {"id": p.id, "name": p.name, "aliases": list(p.aliases), "role": p.role}
                for p in persons
            ]
        )
        return
    for p in persons:
        extra = f" (also {', '.join(p.aliases)})" if p.aliases else ""
        console.print(f"{p.id:>6}  {p.name}{extra}  [{p.role}; {p.origin}]", highlight=False)
    console.print(f"{len(persons)} protected persons")


def approve_command(
    text: Annotated[str, typer.Argument(help="The exact text to publish (a title, an excerpt).")],
    field: Annotated[str, typer.Option("--field", help="title, excerpt, notes, url")] = "excerpt",
    db: DbOption = None,
) -> None:
    """Approve a free text word for word for public outputs (refused while it names a
    protected person in any form)."""
    store = open_store(db)
    try:
        digest = store.approve_text(text, field=field, actor=default_actor())
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    console.print(f"approved for publication: sha256 {digest}")


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="persons")
    parent.command("approve")(approve_command)
