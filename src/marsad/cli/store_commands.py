"""Commands about the evidence store: ingest, verify, ledger, summary."""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from marsad import config
from marsad.cli import (
    DbOption,
    JsonOption,
    console,
    default_actor,
    err_console,
    open_store,
    print_json,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from marsad.jobs.ingest import IngestReport
    from marsad.store import Store
    from marsad.store.verify import VerifyReport


def progress_bar(*, disable: bool = False) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[note]}"),
        console=err_console,
        disable=disable,
        transient=True,
    )


AMBIGUOUS_SHOWN = 10  # candidates listed for an ambiguous id prefix
FollowSymlinksOption = Annotated[
    bool,
    typer.Option(
        "--follow-symlinks",
        help="Read what symbolic links point to (by default each link is named and skipped).",
    ),
]


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    db: DbOption = None,
    max_bytes: Annotated[
        int | None,
        typer.Option(
            "--max-bytes", help="Largest file accepted (default 50 MB, or $MARSAD_MAX_BYTES)."
        ),
    ] = None,
    follow_symlinks: FollowSymlinksOption = False,
    json_output: JsonOption = False,
) -> None:
    """Store reports byte for byte, content-addressed by SHA-256, and log each in the ledger.

    Supported: .txt and .md (optional YAML front matter; a WhatsApp chat export is one document
    per message), .html (visible text only), .json and .jsonl (a Telegram export is one document
    per message), .pdf with a text layer, .docx and .eml (see docs/formats.md). Bad files are
    named with the reason; the rest of the batch still goes in. Exit status: 0 all stored, 1 some
    items were rejected (partial batch), 2 nothing was stored.
    """
    from marsad.ingest.parse import IngestError
    from marsad.jobs.ingest import ingest_paths

    store = open_store(db)
    with progress_bar(disable=json_output) as progress:
        task = progress.add_task("Ingesting", total=None, note="")
        seen_files: set[str] = set()

        def on_item(item: object) -> None:
            name = item.path if isinstance(item, IngestError) else item.original_name  # type: ignore[attr-defined]
            file_name = name.split("#", 1)[0]
            if file_name not in seen_files:
                seen_files.add(file_name)
                progress.update(task, advance=1, note=Path(file_name).name[:40])

        report = ingest_paths(
            store,
            paths,
            actor=default_actor(),
            max_bytes=config.max_bytes(max_bytes),
            follow_symlinks=follow_symlinks,
            on_files=lambda count: progress.update(task, total=count),
            on_item=on_item,
        )
    store.close()
    if json_output:
        print_json(report.as_dict())
    else:
        print_ingest_report(report)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def print_ingest_report(report: IngestReport) -> None:
    console.print(
        f"[green]{report.stored} stored[/green], {report.duplicates} duplicate(s) unchanged, "
        f"[{'red' if report.errors else 'green'}]{len(report.errors)} rejected[/]"
    )
    if report.errors:
        console.print("Rejected items:")
        for line in report.errors:
            console.print(f"  - {line}", highlight=False)
    print_skipped(report.skipped)
    if report.stored + report.duplicates == 0:
        console.print("[red]Nothing was stored.[/red]")


def print_skipped(skipped: list[str]) -> None:
    """Files left out of a folder because they are not reports: a notice, not an error."""
    for line in skipped:
        console.print(f"[yellow]skipped:[/yellow] {line}", highlight=False)


def verify(
    db: DbOption = None,
    json_output: JsonOption = False,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="Also prove, against this signed checkpoint file, that no ledger entry up to "
            "it was rewritten or removed.",
        ),
    ] = None,
) -> None:
    """Re-hash every original, recompute what the ledger recorded, and walk its hash chain.

    Names each altered original, each broken link, and every row (document, claim, incident,
    person, account) that differs from its last ledgered state; exits 1 if anything is wrong."""
    from marsad.cli.custody import check_checkpoint_option, print_checkpoint_check

    store = open_store(db)
    report = store.verify()
    anchored = check_checkpoint_option(store, checkpoint)
    store.close()
    if json_output:
        print_json(
            {
                **verify_json(report),
                **({"checkpoint": anchored.as_dict()} if anchored else {}),
            }
        )
    else:
        print_verify(report)
        if anchored and checkpoint:
            print_checkpoint_check(anchored, checkpoint)
    if not report.ok or (anchored and not anchored.ok):
        raise typer.Exit(1)


def verify_json(report: VerifyReport) -> dict[str, object]:
    return {
        "ok": report.ok,
        "originals_checked": report.originals_checked,
        "originals_unchecked": report.originals_unchecked,
        "ledger_entries_checked": report.ledger_entries_checked,
        "rows_checked": dict(report.rows_checked),
        "not_checkable": dict(report.not_checkable),
        "altered_documents": [{"id": i, "name": n} for i, n in report.altered_documents],
        "missing_documents": [{"id": i, "name": n} for i, n in report.missing_documents],
        "chain_problems": [{"seq": s, "reason": r} for s, r in report.chain_problems],
        "row_problems": [
            {"table": p.table, "row": p.row, "reason": p.reason} for p in report.row_problems
        ],
    }


def print_verify(report: VerifyReport) -> None:
    for doc_id, name in report.altered_documents:
        console.print(
            f"[red]ALTERED[/red] document {doc_id} ({name}): bytes no longer match its SHA-256"
        )
    for doc_id, name in report.missing_documents:
        console.print(
            f"[red]MISSING[/red] document {doc_id} ({name}): logged as ingested, now absent"
        )
    for seq, reason in report.chain_problems:
        console.print(f"[red]LEDGER[/red] entry {seq}: {reason}")
    for problem in report.row_problems:
        console.print(
            f"[red]DIFFERS[/red] {problem.table} {problem.row}: {problem.reason}", highlight=False
        )
    status = "[green]intact[/green]" if report.ok else "[red]FAILED[/red]"
    compared = ", ".join(f"{n} {table}" for table, n in sorted(report.rows_checked.items()))
    console.print(
        f"Verification {status}: {report.originals_checked} originals re-hashed, "
        f"{report.ledger_entries_checked} ledger entries walked"
        + (f", rows recomputed: {compared}." if compared else ".")
    )
    if report.originals_unchecked:
        console.print(
            f"[yellow]{report.originals_unchecked} encrypted originals not checked[/yellow]: "
            "give the key (--key-file or MARSAD_KEY_FILE) to re-hash them."
        )
    for why, n in sorted(report.not_checkable.items()):
        console.print(f"[yellow]not checkable:[/yellow] {n} {why}", highlight=False)


def ledger_command(
    subject: Annotated[
        str | None,
        typer.Argument(
            help="A document id or any unique prefix of it (4+ characters), or incident:N; "
            "omit for the latest entries."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many entries when no subject is given.")] = 20,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Show the custody history of one document or incident (or the latest entries).

    A document may be named by any prefix of its SHA-256 that only it has; a prefix several
    documents share is refused with the candidates listed (exit 2)."""
    from sqlalchemy import select

    from marsad.store.models import LedgerEntry

    store = open_store(db)
    if subject is None:
        with store.reading() as session:
            entries = list(
                session.execute(
                    select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(limit)
                ).scalars()
            )[::-1]
    else:
        kind, _, ident = subject.partition(":") if ":" in subject else ("document", "", subject)
        if kind == "document":
            ident = document_by_prefix(store, ident)
        entries = store.history(kind, ident)
    from marsad.store.crypto import KeyRequiredError, reveal_payload

    dialect = store.engine.dialect
    doc_ids = sorted({e.subject_id for e in entries if e.subject_type == "document"})
    try:
        names = store.document_names(doc_ids)
    except KeyRequiredError:
        names = {}  # file names are sealed in an encrypted store opened without its key
    store.close()
    rows = [
        {
            "seq": e.seq,
            "time": e.time,
            "actor": e.actor,
            "action": e.action,
            "subject": f"{e.subject_type}:{e.subject_id}",
            # values sealed in an encrypted store are shown decrypted when the key is given
            "payload": reveal_payload(dialect, json.loads(e.payload)),
            "entry_hash": e.entry_hash,
            "prev_hash": e.prev_hash,
            **(
                {"file_name": names[e.subject_id]}
                if e.subject_type == "document" and e.subject_id in names
                else {}
            ),
        }
        for e in entries
    ]
    if json_output:
        print_json(rows)
        return
    print_ledger(rows)


def document_by_prefix(store: Store, prefix: str) -> str:
    """The one document whose id starts with ``prefix`` (4+ hexadecimal characters); anything
    else ends the command (exit 2) with what was wrong and, when several match, which."""
    text = prefix.strip().lower()
    if len(text) < 4:
        err_console.print(
            f"[red]error:[/red] {prefix!r} is too short: give at least 4 characters of a document "
            "id (or incident:N for an incident)",
            highlight=False,
        )
        raise typer.Exit(2)
    if len(text) > 64 or any(c not in "0123456789abcdef" for c in text):
        err_console.print(
            f"[red]error:[/red] {prefix[:70]!r} is not a document id (hexadecimal SHA-256); "
            "use incident:N for an incident",
            highlight=False,
        )
        raise typer.Exit(2)
    found = store.documents_with_prefix(text, limit=AMBIGUOUS_SHOWN + 1)
    if not found:
        err_console.print(f"[red]error:[/red] no document id starts with {text!r}", highlight=False)
        raise typer.Exit(2)
    if len(found) > 1:
        more = " (and more)" if len(found) > AMBIGUOUS_SHOWN else ""
        err_console.print(
            f"[red]error:[/red] {text!r} is ambiguous: it begins {len(found[:AMBIGUOUS_SHOWN])} "
            f"document ids{more}; give more characters:",
            highlight=False,
        )
        for doc_id, name in found[:AMBIGUOUS_SHOWN]:
            err_console.print(f"  {doc_id}  {name}", highlight=False)
        raise typer.Exit(2)
    return found[0][0]


def print_ledger(rows: list[dict[str, Any]]) -> None:
    table = Table(title="Ledger", show_lines=False)
    for col in ("seq", "time", "actor", "action", "subject", "file", "entry hash"):
        # ids are shown long enough to be given back to `marsad ledger`: never cut by wrapping
        table.add_column(col, no_wrap=col in ("subject", "entry hash"))
    for r in rows:
        kind, _, ident = str(r["subject"]).partition(":")
        short = ident[:16] + ("…" if len(ident) > 16 else "")
        table.add_row(
            str(r["seq"]),
            str(r["time"])[:19],
            str(r["actor"]),
            str(r["action"]),
            f"{kind}:{short}",
            PurePath(str(r["file_name"])).name if r.get("file_name") else "",
            str(r["entry_hash"])[:12] + "…",
        )
    console.print(table)


def summary(db: DbOption = None, json_output: JsonOption = False) -> None:
    """Counts of what the store holds (documents, claims, incidents by review status, ...),
    and the ledger head hash."""
    store = open_store(db)
    data = with_incident_counts(store.summary(), store.incident_review_counts())
    store.close()
    if json_output:
        print_json(data)
        return
    table = Table(title=f"Marsad store ({config.database_url(db)})", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)


def with_incident_counts(data: dict[str, Any], by_review: dict[str, int]) -> dict[str, Any]:
    """The summary with the incidents (total, by review status) after the claims."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        out[key] = value
        if key == "claims_by_event_type":
            out["incidents"] = sum(by_review.values())
            out["incidents_by_review_status"] = by_review
    out.setdefault("incidents", sum(by_review.values()))
    out.setdefault("incidents_by_review_status", by_review)
    return out


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(verify)
    app.command("ledger")(ledger_command)
    app.command()(summary)
