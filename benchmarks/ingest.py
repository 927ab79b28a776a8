"""Ingest throughput and peak memory for 10,000 and 100,000 generated documents.

Each size runs in its own child process so its peak resident memory (ru_maxrss) is its own. The
documents are written as JSON Lines files of 1,000 reports each plus loose .md files, the way a
partner hand-over or a monitors' export arrives. Streaming means peak memory must not grow with
the number of documents; the script prints the ratio of the two peaks.

    .venv/bin/python benchmarks/ingest.py [--sizes 10000 100000] [--postgres URL]
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
from pathlib import Path

PLACES = ["Saraqib", "Ariha", "Kafr Nabl", "Atarib", "Darat Izza", "Jisr al-Shughur", "Binnish"]
WEAPONS = ["an air strike", "artillery shelling", "a barrel bomb", "a drone strike", "rocket fire"]


def report(rng: random.Random, i: int) -> str:
    place, weapon = rng.choice(PLACES), rng.choice(WEAPONS)
    killed, injured = rng.randint(0, 12), rng.randint(0, 30)
    day = rng.randint(1, 28)
    return (
        f"Report {i}: {weapon} hit {place} on {day} October 2023, killing {killed} civilians "
        f"and injuring {injured}, local rescuers said. " * rng.randint(3, 8)
    )


def generate(folder: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    loose = min(1000, count // 10)
    for i in range(loose):
        day = 1 + i % 28
        meta = f"title: Report {i}\nsource: Monitor {i % 17}\npublished: 2023-10-{day:02d}"
        body = f"---\n{meta}\n---\n"
        (folder / f"r{i:06d}.md").write_text(body + report(rng, i), encoding="utf-8")
    i = loose
    while i < count:
        with (folder / f"batch{i:07d}.jsonl").open("w", encoding="utf-8") as fh:
            for _ in range(min(1000, count - i)):
                rec = {"id": f"d{i}", "text": report(rng, i), "source": f"Monitor {i % 17}"}
                fh.write(json.dumps(rec) + "\n")
                i += 1


def child(count: int, db_url: str | None) -> None:
    from marsad.config import database_url
    from marsad.jobs.ingest import ingest_paths
    from marsad.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        generate(folder, count)
        store = Store(db_url or database_url(str(Path(tmp) / "bench.db")))
        started = time.perf_counter()
        result = ingest_paths(store, [folder], actor="bench", max_bytes=50 * 1024 * 1024)
        elapsed = time.perf_counter() - started
        store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "documents": count,
                "stored": result.stored,
                "errors": len(result.errors),
                "seconds": round(elapsed, 2),
                "docs_per_second": round(result.stored / elapsed, 1),
                "peak_rss_mb": round(peak_mb, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--postgres", help="run against this PostgreSQL URL (tables must be empty)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.postgres)
        return
    rows = []
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--child", str(size)]
        if args.postgres:
            cmd += ["--postgres", args.postgres]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    print(f"\n{'documents':>10} {'docs/s':>9} {'peak MB':>9}")
    for r in rows:
        print(f"{r['documents']:>10} {r['docs_per_second']:>9} {r['peak_rss_mb']:>9}")
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        print(
            f"\ndocuments x{last['documents'] / first['documents']:.0f}: "
            f"peak memory x{last['peak_rss_mb'] / first['peak_rss_mb']:.2f}, "
            f"throughput x{last['docs_per_second'] / first['docs_per_second']:.2f}"
        )


if __name__ == "__main__":
    main()
