"""Write every output the house makes from the regression corpus into one folder.

The corpus is the gold set's reports and the examples, run through the real path (ingest,
extract, resolve) on a fresh SQLite store. The outputs: claims, incidents as the API gives them,
the five export formats, the brief in Markdown and the reported totals. A refactor of the house
must leave the folder byte-identical::

    python scripts/outputs_snapshot.py /tmp/before
    # ... restructure ...
    python scripts/outputs_snapshot.py /tmp/after
    diff -r /tmp/before /tmp/after
"""

from __future__ import annotations

import argparse
import io
import json
import re
import tempfile
from datetime import date
from pathlib import Path

from marsad.config import DEFAULT_MAX_BYTES, database_url
from marsad.contract.incident import IncidentFilter
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.resolve import resolve_store
from marsad.publish.aggregates import compare_aggregates
from marsad.publish.brief import build_brief, render_markdown
from marsad.publish.export import FORMATS, export_incidents
from marsad.store import Store
from marsad.web.api import incident_json

ROOT = Path(__file__).resolve().parent.parent
ACTOR = "snapshot"
ALL = IncidentFilter(max_sensitivity="restricted")
# what changes from run to run by design: the time of writing and the ledger head it implies
_OF_THE_RUN = (
    (re.compile(r"(?m),\d{10}(?=\r?$)"), ",TIMESTAMP"),
    (re.compile(r"Ledger head \\\(SHA-256\\\): `[0-9a-f]{64}`"), "Ledger head: HEAD"),
    (re.compile(r"Generated: [0-9T:+-]+"), "Generated: TIME"),
)


def _steady(text: str) -> str:
    for pattern, stand_in in _OF_THE_RUN:
        text = pattern.sub(stand_in, text)
    return text


def write_corpus(folder: Path) -> list[Path]:
    """The gold reports as files with front matter, beside the example reports."""
    folder.mkdir(parents=True, exist_ok=True)
    for line in (ROOT / "eval/gold/gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        front = f"---\npublished: {row['published']}\n---\n" if row.get("published") else ""
        (folder / f"{row['id']}.md").write_text(front + row["text"], encoding="utf-8")
    return [folder, ROOT / "examples/reports"]


def fill_store(store: Store, corpus: list[Path]) -> None:
    ingest_paths(store, corpus, actor=ACTOR, max_bytes=DEFAULT_MAX_BYTES)
    extract_documents(store, store.iter_documents(unextracted=True), actor=ACTOR)
    resolve_store(store, actor=ACTOR)


def write_outputs(store: Store, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "claims.jsonl").open("w", encoding="utf-8") as f:
        for doc in store.iter_documents():
            for claim in store.claims_for(doc.id):
                row = {"document": claim.document_id, "position": claim.position, **claim.data}
                f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    with (out / "incidents.jsonl").open("w", encoding="utf-8") as f:
        for view in store.iter_incidents(ALL):
            f.write(json.dumps(incident_json(view), ensure_ascii=False, sort_keys=True) + "\n")
    for fmt in FORMATS:
        sink = io.StringIO()
        export_incidents(store, fmt, sink, ALL, actor=ACTOR, include_unreviewed=True)
        (out / f"export.{fmt}").write_text(_steady(sink.getvalue()), encoding="utf-8")
    period = IncidentFilter(date_from=date(2010, 1, 1), date_to=date(2030, 1, 1))
    brief = build_brief(store, period, title="Snapshot", actor=ACTOR, include_unreviewed=True)
    markdown = render_markdown(brief)
    (out / "brief.md").write_text(_steady(markdown), encoding="utf-8")
    with (out / "aggregates.jsonl").open("w", encoding="utf-8") as f:
        for comparison in compare_aggregates(store, ALL):
            f.write(json.dumps(comparison.to_dict(), ensure_ascii=False, default=str) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the outputs into")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(database_url(str(Path(tmp) / "snapshot.db")))
        fill_store(store, write_corpus(Path(tmp) / "gold"))
        write_outputs(store, args.out)
        store.close()


if __name__ == "__main__":
    main()
