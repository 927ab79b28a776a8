"""``marsad extract FILE... [--json] [--published DATE]``: claims from documents.

Registered by the CLI assembly in ``cli/__init__.py`` as a plain function. Every file is read by
the ingest parser (:func:`marsad.ingest.parse.parse_file`), the same reader ``marsad ingest`` and
``marsad process`` use, so the preview shows exactly the claims the store would hold: HTML is
reduced to its visible text (never ``<script>`` or ``<style>``), front matter and ``<meta>`` tags
give the publication date (``--published`` overrides it), and evidence offsets point into that
parsed text. A ``.json``/``.jsonl`` file may hold several documents; each is extracted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from marsad.config import max_bytes

# The engine, the parser and the schema load inside the functions that use them, so that
# building the command line (and `marsad --help`) does not pay for them.
if TYPE_CHECKING:
    from marsad.contract.claim import Claim, DocumentMeta
    from marsad.contract.document import NewDocument


class DocumentReadError(Exception):
    """A file that cannot be read as a text document."""


def read_documents(path: Path) -> list[NewDocument]:
    """Every document in ``path`` as ingest would store it; a clear error when there is none."""
    from marsad.ingest.parse import IngestError, parse_file

    docs: list[NewDocument] = []
    errors: list[str] = []
    for item in parse_file(path, max_bytes=max_bytes(None)):
        if isinstance(item, IngestError):
            errors.append(str(item))
        else:
            docs.append(item)
    if errors and not docs:
        raise DocumentReadError("; ".join(errors))
    return docs


def read_document(path: Path) -> tuple[str, dict[str, object]]:
    """The parsed text of the first document in ``path`` and its metadata (title, source, url,
    published, language, sensitivity, plus any other front-matter keys)."""
    docs = read_documents(path)
    if not docs:
        raise DocumentReadError(f"{path}: no documents")
    doc = docs[0]
    meta: dict[str, object] = {
        "title": doc.title,
        "source": doc.source,
        "url": doc.url,
        "published": doc.published,
        "language": doc.language,
        "sensitivity": doc.sensitivity,
    }
    meta.update(doc.extra)
    return doc.text, {k: v for k, v in meta.items() if v is not None}


def _meta(doc: NewDocument, override: str | None) -> DocumentMeta:
    from marsad.contract.claim import DocumentMeta

    published = override or (doc.published[:10] if doc.published else None)
    language = doc.language if doc.language not in ("und", "") else "en"
    return DocumentMeta(published=published, language=language, title=doc.title, source=doc.source)


def _summary(claim: Claim) -> tuple[str, str, str, str, str, str]:
    when = claim.date_start or "?"
    if claim.date_end and claim.date_end != claim.date_start:
        when += f" .. {claim.date_end}"
    places = ", ".join(f"{p.name} ({p.precision})" for p in claim.places)
    actors = ", ".join(a.name for a in claim.perpetrators)
    counts = "; ".join(
        f"{c.category}{'' if c.group == 'all' else ' ' + c.group} "
        f"{'?' if c.low is None else c.low}"
        f"{'' if c.high is None or c.high == c.low else '-' + str(c.high)}"
        f" [{c.qualifier}{', derived' if c.derived else ''}]"
        for c in claim.counts
    )
    return (
        f"{claim.scope}\n{claim.event_type}",
        when,
        places,
        actors,
        counts,
        ", ".join(o.name for o in claim.reported_by),
    )


def extract_command(
    files: list[Path],
    json_output: bool = typer.Option(False, "--json", help="JSON Lines: one claim a line."),
    published: str | None = typer.Option(
        None,
        "--published",
        help="Publication date (YYYY-MM-DD) anchoring relative dates; overrides front matter.",
    ),
) -> None:
    """Show the claims the engine reads in text files, without storing anything."""
    from marsad.contract.claim import parse_iso_date
    from marsad.extract import ExtractionError, extract
    from marsad.lang import LanguagePackError

    out = Console()
    err = Console(stderr=True)
    if published is not None and parse_iso_date(published) is None:
        err.print(f"[red]error:[/red] --published {published!r} is not a YYYY-MM-DD date")
        raise typer.Exit(2)
    failed = 0
    table = Table("document", "scope / type", "date", "places", "perpetrators", "counts", "source")
    for path in files:
        try:
            docs = read_documents(path)
        except DocumentReadError as exc:
            failed += 1
            err.print(f"[red]error:[/red] {exc}")
            continue
        for doc in docs:
            try:
                claims = extract(doc.text, _meta(doc, published))
            except (ExtractionError, LanguagePackError) as exc:
                # the other files are still read
                failed += 1
                err.print(f"[red]error:[/red] {path}: {exc}")
                continue
            for claim in claims:
                if json_output:
                    record = {"document": str(path), "claim": claim.to_dict()}
                    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                else:
                    table.add_row(str(path), *_summary(claim))
            if not claims and not json_output:
                table.add_row(str(path), "(no claims)", "", "", "", "", "")
    if not json_output:
        out.print(table)
    if failed:
        raise typer.Exit(1)
