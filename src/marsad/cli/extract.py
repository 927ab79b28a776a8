"""``marsad extract FILE... [--json] [--published DATE]``: claims from text files.

Registered by the CLI assembly in ``cli/__init__.py`` as a plain function. Each file is read as
UTF-8 text (``.txt``/``.md``); YAML front matter with ``published:`` sets the publication date
(``--published`` overrides it). The front matter is blanked to spaces rather than cut, so every
evidence offset points into the file exactly as it is on disk.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

import typer
import yaml
from rich.console import Console
from rich.table import Table

from marsad.extract import ExtractionError, extract
from marsad.extract.dates import parse_iso
from marsad.schema import Claim, DocumentMeta

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


class DocumentReadError(Exception):
    """A file that cannot be read as a text document."""


def read_document(path: Path) -> tuple[str, dict[str, object]]:
    """The text of ``path`` (front matter blanked, offsets preserved) and its front matter."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentReadError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentReadError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    front: dict[str, object] = {}
    m = _FRONT_MATTER.match(text)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            raise DocumentReadError(f"{path}: invalid YAML front matter ({exc})") from exc
        if isinstance(loaded, dict):
            front = {str(k): v for k, v in loaded.items()}
        blank = re.sub(r"[^\n]", " ", m.group(0))
        text = blank + text[m.end() :]
    return text, front


def _published(front: dict[str, object], override: str | None) -> str | None:
    if override:
        return override
    value = front.get("published") or front.get("date")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and parse_iso(value) is not None:
        return value[:10]
    return None


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
    out = Console()
    err = Console(stderr=True)
    if published is not None and parse_iso(published) is None:
        err.print(f"[red]error:[/red] --published {published!r} is not a YYYY-MM-DD date")
        raise typer.Exit(2)
    failed = 0
    table = Table("document", "scope / type", "date", "places", "perpetrators", "counts", "source")
    for path in files:
        try:
            text, front = read_document(path)
            meta = DocumentMeta(published=_published(front, published), source=str(path))
            claims = extract(text, meta)
        except (DocumentReadError, ExtractionError) as exc:
            failed += 1
            err.print(
                f"[red]error:[/red] {exc}"
                if str(path) in str(exc)
                else f"[red]error:[/red] {path}: {exc}"
            )
            continue
        for claim in claims:
            if json_output:
                sys.stdout.write(
                    json.dumps(
                        {"document": str(path), "claim": claim.to_dict()}, ensure_ascii=False
                    )
                    + "\n"
                )
            else:
                table.add_row(str(path), *_summary(claim))
        if not claims and not json_output:
            table.add_row(str(path), "(no claims)", "", "", "", "", "")
    if not json_output:
        out.print(table)
    if failed:
        raise typer.Exit(1)
