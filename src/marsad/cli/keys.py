"""``marsad key``: the key file. It holds the key that encrypts a store's restricted content at
rest (``aes_gcm_256``) and the organisation's Ed25519 key that signs ledger checkpoints
(``ed25519``)."""

from __future__ import annotations

import base64
import contextlib
from pathlib import Path
from typing import Annotated

import typer

from marsad.cli import JsonOption, KeyFileOption, console, err_console, key_path, print_json

key_app = typer.Typer(help="The key file: the store's encryption key and the signing key.")


def _path_or_exit(key_file: Path | None) -> Path:
    path = key_path(key_file)
    if path is None:
        err_console.print(
            "[red]error:[/red] say which key file: --key-file PATH (or MARSAD_KEY_FILE)"
        )
        raise typer.Exit(2)
    return path


@key_app.command("init")
def init_key(
    key_file: KeyFileOption = None,
    signing_only: Annotated[
        bool,
        typer.Option(
            "--signing-only",
            help="Write only a signing key (for a store that is not encrypted at rest).",
        ),
    ] = False,
) -> None:
    """Write a new key file, readable by you only (mode 0600): an encryption key and a signing
    key. An existing file is never overwritten (see `marsad key add-signing` to give an
    existing file a signing key). A store first opened with the key is encrypted from its
    first write."""
    from marsad.store.crypto import SigningKey, StoreKey, write_key_file

    path = _path_or_exit(key_file)
    key = None if signing_only else StoreKey.generate()
    signing = SigningKey.generate()
    try:
        write_key_file(path, key, signing)
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
    if key is not None:
        console.print(
            f"Wrote a new key to {path} (fingerprint {key.fingerprint}).", highlight=False
        )
    console.print(f"Signing key fingerprint: {signing.fingerprint}", highlight=False)
    console.print(
        "Keep a copy somewhere safe and apart from the database and its backups: if this "
        "file is lost, the encrypted content of every store it encrypts is lost with it, "
        "and no new checkpoint can be signed with the same key."
    )


@key_app.command("add-signing")
def add_signing(key_file: KeyFileOption = None) -> None:
    """Add an Ed25519 signing key to an existing key file. The encryption key in it is left
    exactly as it is; a file that already has a signing key is not changed."""
    from marsad.store.crypto import KeyFileError, SigningKey, add_signing_key

    path = _path_or_exit(key_file)
    signing = SigningKey.generate()
    try:
        add_signing_key(path, signing)
    except FileExistsError as exc:
        err_console.print(f"[red]error:[/red] {exc}; it is not replaced", highlight=False)
        raise typer.Exit(2) from exc
    except (KeyFileError, OSError) as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    console.print(
        f"Added a signing key to {path} (fingerprint {signing.fingerprint}).", highlight=False
    )


@key_app.command("show")
def show_key(key_file: KeyFileOption = None, json_output: JsonOption = False) -> None:
    """Print the key file's fingerprints and the signing key's public half (never a secret):
    what an organisation publishes so that others can tell its checkpoints from forgeries."""
    from marsad.store.crypto import KeyFileError, load_key_file, load_signing_key

    path = _path_or_exit(key_file)
    found: dict[str, str | None] = {"encryption_fingerprint": None, "signing_fingerprint": None}
    with contextlib.suppress(KeyFileError):  # a signing-only file has no encryption key
        found["encryption_fingerprint"] = load_key_file(path).fingerprint
    try:
        signing = load_signing_key(path)
        found["signing_fingerprint"] = signing.fingerprint
        found["signing_public_key"] = base64.b64encode(signing.public_raw).decode("ascii")
    except KeyFileError as exc:
        if found["encryption_fingerprint"] is None:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(2) from exc
    if json_output:
        print_json(found)
        return
    for name, value in found.items():
        console.print(f"{name.replace('_', ' ')}: {value or '-'}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(key_app, name="key")
