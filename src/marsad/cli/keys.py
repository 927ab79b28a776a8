"""``marsad key``: the key that encrypts a store's restricted content at rest."""

from __future__ import annotations

import typer

from marsad.cli import KeyFileOption, console, err_console, key_path

key_app = typer.Typer(help="The encryption key of a store's restricted content.")


@key_app.command("init")
def init_key(key_file: KeyFileOption = None) -> None:
    """Write a new key file, readable by you only (mode 0600). An existing file is never
    overwritten. A store first opened with the key is encrypted from its first write."""
    from marsad.store.crypto import StoreKey, write_key_file

    path = key_path(key_file)
    if path is None:
        err_console.print(
            "[red]error:[/red] say where to write the key: --key-file PATH (or MARSAD_KEY_FILE)"
        )
        raise typer.Exit(2)
    key = StoreKey.generate()
    try:
        write_key_file(path, key)
    except FileExistsError as exc:
        err_console.print(
            f"[red]error:[/red] {path} already exists; it is not overwritten (a store "
            "encrypted with it would become unreadable)",
            highlight=False,
        )
        raise typer.Exit(2) from exc
    except OSError as exc:
        err_console.print(f"[red]error:[/red] cannot write {path}: {exc}", highlight=False)
        raise typer.Exit(2) from exc
    console.print(f"Wrote a new key to {path} (fingerprint {key.fingerprint}).", highlight=False)
    console.print(
        "Keep a copy somewhere safe and apart from the database and its backups: if this "
        "file is lost, the encrypted content of every store it encrypts is lost with it."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(key_app, name="key")
