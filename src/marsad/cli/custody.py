"""``marsad checkpoint`` and ``marsad packet``: custody that proves itself outside the store.
``marsad verify --checkpoint FILE`` is answered by :func:`check_checkpoint_option` here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from marsad.cli import (
    DbOption,
    JsonOption,
    console,
    default_actor,
    err_console,
    key_path,
    open_store,
    print_json,
)
from marsad.cli.publish import AreaOption, FromOption, ToOption, parse_period

SigningKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--signing-key",
        help="Key file with the signing key (default: $MARSAD_SIGNING_KEY, else the store's "
        "--key-file or $MARSAD_KEY_FILE).",
    ),
]
SIGNING_KEY_ENV = "MARSAD_SIGNING_KEY"  # a signing-only key file, for a store not encrypted


def _signing_key(path: Path | None, *, required: bool) -> Any:
    """The signing key of ``path`` (else of the key file); None when none is given and it is
    not required; an unreadable key file ends the command (exit 2)."""
    from marsad.store.crypto import KeyFileError, load_signing_key

    env = os.environ.get(SIGNING_KEY_ENV)
    found = path or (Path(env).expanduser() if env else None) or key_path()
    if found is None:
        if not required:
            return None
        err_console.print(
            "[red]error:[/red] no signing key: give --signing-key PATH (or MARSAD_SIGNING_KEY, "
            "--key-file, MARSAD_KEY_FILE); `marsad key init` or `marsad key add-signing` "
            "makes one"
        )
        raise typer.Exit(2)
    try:
        return load_signing_key(found)
    except KeyFileError as exc:
        if not required:
            return None
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc


def _fail(exc: Exception) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {exc}", highlight=False)
    return typer.Exit(2)


def checkpoint_command(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Sign the ledger head; write it here.")
    ] = None,
    tsa_request: Annotated[
        Path | None,
        typer.Option(
            "--tsa-request",
            help="Write an RFC 3161 time-stamp query (DER) for the latest checkpoint, for any "
            "time-stamping authority.",
        ),
    ] = None,
    tsa_response: Annotated[
        Path | None,
        typer.Option("--tsa-response", help="Check and store the authority's answer (DER)."),
    ] = None,
    tsa_ca: Annotated[
        Path | None,
        typer.Option("--tsa-ca", help="The authority's CA certificates (PEM), to check it."),
    ] = None,
    signing_key: SigningKeyOption = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Sign the ledger head with the organisation's Ed25519 key (`-o FILE`), ask a
    time-stamping authority to vouch for it (`--tsa-request`), and keep its answer
    (`--tsa-response FILE --tsa-ca PEM`). Each is kept in the store and logged."""
    from marsad.custody.checkpoint import CheckpointError
    from marsad.custody.tsa import TimestampError

    if not (output or tsa_request or tsa_response):
        err_console.print(
            "[red]error:[/red] say what to do: -o FILE, --tsa-request or --tsa-response"
        )
        raise typer.Exit(2)
    if tsa_response and not tsa_ca:
        err_console.print("[red]error:[/red] --tsa-response needs the authority's --tsa-ca PEM")
        raise typer.Exit(2)
    key = _signing_key(signing_key, required=output is not None)
    store = open_store(db)
    try:
        done = _checkpoint_work(store, key, output, tsa_request, tsa_response, tsa_ca)
    except (CheckpointError, TimestampError, OSError) as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    if json_output:
        print_json(done)
        return
    _print_checkpoint_work(done)


def _checkpoint_work(
    store: Any,
    key: Any,
    output: Path | None,
    tsa_request: Path | None,
    tsa_response: Path | None,
    tsa_ca: Path | None,
) -> dict[str, Any]:
    """Store a TSA answer, sign a checkpoint, write a TSA query: whichever were asked, in
    that order (so one call can keep an answer and ask for the next checkpoint's stamp)."""
    from marsad.custody.checkpoint import make_checkpoint
    from marsad.custody.tsa import make_request, store_response

    done: dict[str, Any] = {}
    if tsa_response and tsa_ca:
        token = store_response(
            store, tsa_response.read_bytes(), tsa_ca.read_bytes(), actor=default_actor()
        )
        done["timestamp"] = token.__dict__
    checkpoint_id = None
    if output:
        checkpoint_id, statement = make_checkpoint(store, key, actor=default_actor())
        output.write_bytes(statement.file_bytes())
        done["checkpoint"] = {"file": str(output), **statement.body}
    if tsa_request:
        for_id, query = make_request(store, checkpoint_id)
        tsa_request.write_bytes(query)
        done["tsa_request"] = {"file": str(tsa_request), "checkpoint_id": for_id}
    return done


def _print_checkpoint_work(done: dict[str, Any]) -> None:
    if "timestamp" in done:
        t = done["timestamp"]
        console.print(
            f"Time-stamp stored: checkpoint of entry {t['checkpoint_seq']} existed at "
            f"{t['gen_time']}, vouched for by {t['tsa']}.",
            highlight=False,
        )
    if "checkpoint" in done:
        c = done["checkpoint"]
        console.print(
            f"Checkpoint written to {c['file']}: entry {c['seq']}, head {c['head']}, "
            f"{c['entries']} entries, signed by key {c['key_fingerprint']}.",
            highlight=False,
        )
    if "tsa_request" in done:
        r = done["tsa_request"]
        console.print(
            f"Time-stamp query written to {r['file']} (checkpoint {r['checkpoint_id']}). Send "
            "it to a time-stamping authority, then: marsad checkpoint --tsa-response "
            "ANSWER.tsr --tsa-ca AUTHORITY.pem",
            highlight=False,
        )


def check_checkpoint_option(store: Any, path: Path | None) -> Any:
    """For ``marsad verify --checkpoint FILE``: the :class:`CheckpointCheck` of the file
    against this store (None when no file is given); an unreadable file ends the command."""
    from marsad.custody.checkpoint import CheckpointError, Statement, verify_checkpoint

    if path is None:
        return None
    try:
        statement = Statement.parse(path.read_bytes())
        return verify_checkpoint(store, statement, own_key=_signing_key(None, required=False))
    except (CheckpointError, OSError) as exc:
        raise _fail(exc) from exc


def print_checkpoint_check(check: Any, path: Path) -> None:
    status = "[green]holds[/green]" if check.ok else "[red]FAILED[/red]"
    if check.key_is_yours is None:
        whose = "no signing key of yours was given to compare"
    elif check.key_is_yours:
        whose = "this is the signing key in your key file"
    else:
        whose = "NOT the signing key in your key file"
    console.print(
        f"Checkpoint {path} {status}: entry {check.seq}, head {check.head[:16]}…, "
        f"{check.entries_checked} entries recomputed; signed by key {check.fingerprint} "
        f"({'signature valid' if check.signature_ok else 'signature INVALID'}; {whose}).",
        highlight=False,
    )
    for problem in check.problems:
        console.print(f"[red]CHECKPOINT[/red] {problem}", highlight=False)


def packet_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="The packet: FILE.zip.")],
    incident: Annotated[
        list[int] | None, typer.Option("--incident", help="Incident id (repeatable).")
    ] = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    area: AreaOption = None,
    signing_key: SigningKeyOption = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Write an evidence packet: the originals byte for byte, the incident records, their
    ledger entries chained to a fresh signed checkpoint, time-stamp tokens, a SHA-256
    manifest and verify_packet.py (standard library only). RESTRICTED material: it holds
    originals and unmasked names. Each packet is recorded in the ledger."""
    from marsad.contract.incident import IncidentFilter
    from marsad.custody.checkpoint import CheckpointError
    from marsad.custody.packet import PacketError, PacketScope, write_packet

    if not (incident or date_from or date_to or area):
        err_console.print("[red]error:[/red] choose incidents: --incident ID or --from/--to/--area")
        raise typer.Exit(2)
    scope = PacketScope(
        incident_ids=list(incident or []),
        incident_filter=IncidentFilter(
            date_from=parse_period(date_from, end=False),
            date_to=parse_period(date_to, end=True),
            area=area,
        ),
    )
    key = _signing_key(signing_key, required=True)
    store = open_store(db)
    try:
        report = write_packet(store, scope, output, signing_key=key, actor=default_actor())
    except (PacketError, CheckpointError, OSError) as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    if json_output:
        print_json({**report.__dict__, "path": str(report.path)})
        return
    console.print(
        f"Packet written to {report.path}: {report.incidents} incident(s), {report.documents} "
        f"original(s), {report.files} files; ledger entry {report.ledger_seq}, signed "
        f"checkpoint of entry {report.checkpoint_seq}. It is RESTRICTED material (originals, "
        "unmasked names): hand it only to those entitled to it.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("checkpoint")(checkpoint_command)
    app.command("packet")(packet_command)
