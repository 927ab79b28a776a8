"""Write every claim the engine makes on the regression corpus, one JSON line per text.

The corpus is the project's gold set, examples and seeds, and every English text of the dev sets in
``../shared/eval`` (read in place, never copied). A refactor of the engine must leave this output
byte-identical::

    python scripts/extract_snapshot.py --eval ../shared/eval > /tmp/before.jsonl
    # ... change the engine ...
    python scripts/extract_snapshot.py --eval ../shared/eval > /tmp/after.jsonl
    cmp /tmp/before.jsonl /tmp/after.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from marsad.contract.claim import DocumentMeta
from marsad.extract import extract

ROOT = Path(__file__).resolve().parent.parent
csv.field_size_limit(sys.maxsize)


def project_texts() -> Iterator[tuple[str, str, DocumentMeta]]:
    for line in (ROOT / "eval/gold/gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        yield f"gold/{row['id']}", row["text"], DocumentMeta(published=row.get("published"))
    for folder in ("examples/reports", "../shared/seeds"):
        for path in sorted((ROOT / folder).glob("*")):
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                yield f"{folder}/{path.name}", text, DocumentMeta()


def eval_texts(folder: Path) -> Iterator[tuple[str, str, DocumentMeta]]:
    columns = {
        "fakes_dev.csv": "article_content",
        "syrianarchive_2017_dev.csv": "description",
        "ucdp_ged_syria_2016_2017.csv": "source_headline",
    }
    for name, column in columns.items():
        with (folder / name).open(encoding="utf-8", newline="") as f:
            for k, row in enumerate(csv.DictReader(f)):
                yield f"{name}/{k}", row[column] or "", DocumentMeta()
    with (folder / "case2021_task2_dev.tsv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            yield f"case/{row['id']}", row["EventSnippet"], DocumentMeta()
    for name, fields in (
        ("syrianarchive_incidents_ar_en.jsonl", ("title_en", "summary_en")),
        ("syrianarchive_investigations_ar_en.jsonl", ("text_en",)),
    ):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        for k, line in enumerate(lines):
            row = json.loads(line)
            for field in fields:
                yield f"{name}/{k}/{field}", row.get(field) or "", DocumentMeta()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, help="the shared eval folder (../shared/eval)")
    args = parser.parse_args()
    texts = list(project_texts())
    if args.eval is not None:
        texts += list(eval_texts(args.eval))
    out = sys.stdout
    for key, text, meta in texts:
        claims = [c.to_dict() for c in extract(text, meta)]
        out.write(json.dumps({"text": key, "claims": claims}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
