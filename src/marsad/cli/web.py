"""``marsad serve`` (the web application) and ``marsad user`` (accounts and API tokens)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from marsad import config
from marsad.cli import (
    DbOption,
    JsonOption,
    console,
    default_actor,
    err_console,
    key_path,
    open_store,
    print_json,
    store_key,
)

if TYPE_CHECKING:
    from marsad.store import Store

# The store's account limits, repeated here because they appear in --help and importing
# marsad.store.accounts loads the whole store (SQLAlchemy, argon2); a test keeps them equal.
ROLES: tuple[str, ...] = ("viewer", "analyst", "admin")
TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650

user_app = typer.Typer(help="Accounts (admin, analyst, viewer) and their API tokens.")


def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    public_read: Annotated[
        bool,
        typer.Option(
            "--public-read", help="Let anonymous visitors read public records (off by default)."
        ),
    ] = False,
    workers: Annotated[int, typer.Option(help="Worker processes (one per CPU core).")] = 1,
) -> None:
    """Serve the dashboard and the JSON API (OpenAPI at /api/openapi.json)."""
    import uvicorn

    from marsad.web import create_app

    url = config.database_url(db)
    open_store(db).close()  # fail early, with a clear message, if the database cannot open
    key_file = key_path()
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(
            f"[yellow]warning:[/yellow] listening on {host}; put it behind HTTPS so that "
            "session cookies are marked Secure."
        )
    console.print(f"Marsad on http://{host}:{port}/  (database {url}, public read: {public_read})")
    if workers > 1:
        # one app (and one store) per process: uvicorn builds each from the environment
        from marsad.web.app import ENV_PUBLIC_READ, ENV_URL, HTTP_PROTOCOL

        os.environ[ENV_URL] = url
        os.environ[ENV_PUBLIC_READ] = "1" if public_read else "0"
        if key_file is not None:  # each worker reads the key file itself
            os.environ[config.ENV_KEY_FILE] = str(key_file)
        uvicorn.run(
            "marsad.web.app:app_from_env",
            factory=True,
            workers=workers,
            http=HTTP_PROTOCOL,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            proxy_headers=False,
        )
        return
    uvicorn.run(
        create_app(url, public_read=public_read, key=store_key()),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("Password", hide_input=True)
    again = typer.prompt("Repeat password", hide_input=True)
    if first != again:
        err_console.print("[red]error:[/red] the passwords differ")
        raise typer.Exit(2)
    return str(first)


@user_app.command("add")
def add_user(
    username: str,
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "viewer",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an account (the password is hashed with argon2id)."""
    store = open_store(db)
    try:
        account = store.add_user(username, _password(password_stdin), role, actor=default_actor())
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    if as_json:
        print_json({"username": account.username, "role": account.role})
    else:
        console.print(f"created {account.username} ({account.role})")


@user_app.command("token")
def new_token(
    username: str,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    expires: Annotated[
        int,
        typer.Option(
            "--expires", help=f"Days the token works for (1-{MAX_TOKEN_DAYS}).", metavar="DAYS"
        ),
    ] = TOKEN_DAYS,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue an API token (printed once; only its SHA-256 is stored)."""
    store = open_store(db)
    try:
        token = store.create_token(username, label=label, actor=default_actor(), days=expires)
    except (KeyError, ValueError) as exc:
        err_console.print(f"[red]error:[/red] {exc.args[0]}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    if as_json:
        print_json({"username": username, "label": label, "token": token, "days": expires})
    else:
        sys.stdout.write(token + "\n")


def _change(db: str | None, what: str, change: Callable[[Store], object]) -> None:
    """Run one account change; a refusal (unknown user, last admin, bad value) exits 2."""
    store = open_store(db)
    try:
        change(store)
    except (KeyError, ValueError) as exc:
        err_console.print(f"[red]error:[/red] {exc.args[0]}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    console.print(what)


@user_app.command("disable")
def disable_user(username: str, db: DbOption = None) -> None:
    """Disable an account: its sessions and API tokens stop working at once."""
    _change(
        db,
        f"disabled {username}",
        lambda s: s.set_user_active(username, False, actor=default_actor()),
    )


@user_app.command("enable")
def enable_user(username: str, db: DbOption = None) -> None:
    """Enable a disabled account again (its old tokens stay revoked)."""
    _change(
        db,
        f"enabled {username}",
        lambda s: s.set_user_active(username, True, actor=default_actor()),
    )


@user_app.command("passwd")
def change_password(
    username: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Set a new password; the account's open web sessions are closed."""
    password = _password(password_stdin)
    _change(
        db,
        f"password changed for {username}",
        lambda s: s.set_password(username, password, actor=default_actor()),
    )


@user_app.command("set-role")
def set_role(
    username: str,
    role: Annotated[str, typer.Argument(help=f"One of {', '.join(ROLES)}.")],
    db: DbOption = None,
) -> None:
    """Give an account another role (the last active admin keeps theirs)."""
    _change(
        db, f"{username} is now {role}", lambda s: s.set_role(username, role, actor=default_actor())
    )


@user_app.command("revoke-token")
def revoke_token(
    token: Annotated[str | None, typer.Argument(help="The token itself.")] = None,
    token_id: Annotated[int | None, typer.Option("--id", help="Or the token's id.")] = None,
    db: DbOption = None,
) -> None:
    """Revoke an API token by value or by id (see `marsad user list --tokens`)."""
    if (token is None) == (token_id is None):
        err_console.print("[red]error:[/red] give the token or --id, not both")
        raise typer.Exit(2)
    store = open_store(db)
    try:
        done = store.revoke_token(actor=default_actor(), token=token, token_id=token_id)
    finally:
        store.close()
    if not done:
        err_console.print("[red]error:[/red] no such live token")
        raise typer.Exit(1)
    console.print("revoked")


@user_app.command("list")
def list_users(
    tokens: Annotated[bool, typer.Option("--tokens", help="Also list API tokens.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List accounts (and, with --tokens, their API tokens; never the tokens themselves)."""
    store = open_store(db)
    try:
        users = store.users()
        toks = store.tokens() if tokens else []
    finally:
        store.close()
    now = datetime.now(UTC)
    if as_json:
        print_json(
            {
                "users": [
                    {"username": u.username, "role": u.role, "active": u.active} for u in users
                ],
                "tokens": [
                    {
                        "id": t.id,
                        "username": t.username,
                        "label": t.label,
                        "created_at": t.created_at.isoformat(),
                        "age_days": t.age_days(now),
                        "expires_at": t.expires_at.isoformat(),
                        "expired": t.expired(now),
                        "revoked": t.revoked_at is not None,
                    }
                    for t in toks
                ],
            }
        )
        return
    for u in users:
        console.print(f"{u.username:<24} {u.role:<8} {'active' if u.active else 'disabled'}")
    for t in toks:
        state = "revoked" if t.revoked_at else "expired" if t.expired(now) else "live"
        console.print(
            f"token {t.id:<5} {t.username:<20} {t.label:<20} {state:<8} "
            f"{t.age_days(now)} days old, expires {t.expires_at:%Y-%m-%d}",
            markup=False,
        )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.add_typer(user_app, name="user")
