"""Peak memory of reading Telegram exports of growing size: it must not grow with the messages.

Each size is written as one Telegram Desktop export (result.json, formatted text, forwards,
service messages) and read in its own child process by the ingest parser, every message built
into a document as for the store; ``--store`` also stores them in a fresh SQLite file. The
script prints the ratio of the peaks (``ru_maxrss`` of the child, and the Python heap's peak by
``tracemalloc``) between the largest and the smallest export.

    .venv/bin/python benchmarks/ingest_telegram.py [--sizes 20000 200000] [--store]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

PLACES = ["Saraqib", "Ariha", "Kafr Nabl", "Atarib", "Darat Izza", "Binnish", "Sarmin"]


def message(rng: random.Random, number: int) -> dict[str, object]:
    if number % 50 == 0:
        return {"id": number, "type": "service", "date": "2024-03-12T10:00:00", "action": "pin"}
    place = rng.choice(PLACES)
    text: object = [
        {"type": "bold", "text": f"Bulletin {number}:"},
        f" shelling hit {place} on 12 March 2024, wounding {rng.randint(1, 9)} civilians. ",
        {"type": "hashtag", "text": "#Idlib"},
    ]
    item: dict[str, object] = {
        "id": number,
        "type": "message",
        "date": "2024-03-12T14:05:33",
        "date_unixtime": "1710245133",
        "from": "Bench Channel",
        "from_id": "channel9",
        "text": text,
    }
    if number % 7 == 0:
        item["forwarded_from"] = "Another Channel"
    return item


def write_export(path: Path, count: int) -> None:
    rng = random.Random(11)
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n "name": "Bench Channel",\n "type": "public_channel",\n "id": 9,\n')
        out.write(' "messages": [')
        for number in range(1, count + 1):
            separator = "\n  " if number == 1 else ",\n  "
            out.write(separator + json.dumps(message(rng, number), ensure_ascii=False))
        out.write("\n ]\n}\n")


def child(count: int, store_it: bool) -> None:
    from marsad.config import database_url
    from marsad.ingest.parse import ParsedDocument, parse_file
    from marsad.jobs.ingest import ingest_paths
    from marsad.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "result.json"
        write_export(export, count)
        size = export.stat().st_size
        tracemalloc.start()
        started = time.perf_counter()
        if store_it:
            store = Store(database_url(str(Path(tmp) / "bench.db")))
            report = ingest_paths(store, [export], actor="bench", max_bytes=1 << 20)
            store.close()
            documents = report.stored
        else:
            documents = sum(
                isinstance(item, ParsedDocument) for item in parse_file(export, max_bytes=1 << 20)
            )
        elapsed = time.perf_counter() - started
        heap_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(
        json.dumps(
            {
                "messages": count,
                "export_mb": round(size / 2**20, 1),
                "documents": documents,
                "seconds": round(elapsed, 2),
                "heap_peak_mb": round(heap_peak / 2**20, 2),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--store", action="store_true", help="also store every message")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.store)
        return
    rows = []
    for size in args.sizes:
        command = [sys.executable, __file__, "--child", str(size), *(["--store"] * args.store)]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        print(
            f"\nmessages x{last['messages'] / first['messages']:.0f} "
            f"(export x{last['export_mb'] / first['export_mb']:.1f}): "
            f"heap peak x{last['heap_peak_mb'] / first['heap_peak_mb']:.2f}, "
            f"peak RSS x{last['peak_rss_mb'] / first['peak_rss_mb']:.2f}"
        )


if __name__ == "__main__":
    main()
