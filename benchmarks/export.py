"""Export throughput and memory: bulk-load N incidents into a temporary SQLite file, then export
them in every format, each in its own process, printing rows per second and peak memory.

Memory must stay flat: each child reports its peak resident set size after the first tenth of
the rows and at the end; the ratio should stay close to 1 whatever N is.

    .venv/bin/python benchmarks/export.py --rows 1000000
    .venv/bin/python benchmarks/export.py --rows 100000      # quick, while developing
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from marsad.contract.incident import Actor, Figure, IncidentFilter, IncidentView, SourceView
from marsad.publish.export import FORMATS, export_incidents
from marsad.store import Store

PLACES = (
    ("Ariha", "SY070300", 35.81, 36.61),
    ("Sarmin", "SY070103", 35.90, 36.72),
    ("Maarat An Numan", "SY070200", 35.64, 36.67),
    ("Jisr Ash-Shugur", "SY070400", 35.81, 36.32),
    ("Atareb", "SY020600", 36.14, 36.83),
)
TYPES = ("air_strike", "shelling", "armed_clash", "attack", "remote_explosive")


def synthetic_incidents(n: int, seed: int = 7) -> Iterator[IncidentView]:
    """Invented incidents with realistic shape: ranges, sources, facilities, weapons."""
    rnd = random.Random(seed)
    start = date(2016, 1, 1)
    for i in range(n):
        place, pcode, lat, lon = PLACES[i % len(PLACES)]
        low = rnd.randint(0, 12)
        high = low + rnd.choice((0, 0, 1, 3))
        day = start + timedelta(days=rnd.randint(0, 3000))
        yield IncidentView(
            id=None,
            event_type=TYPES[i % len(TYPES)],
            date_start=day,
            date_end=day,
            date_precision=1,
            place_name=place,
            place_precision="exact",
            admin1="Idlib" if pcode.startswith("SY07") else "Aleppo",
            admin1_pcode=pcode[:4],
            admin2_pcode=pcode[:6],
            admin3_pcode=pcode,
            lat=lat + rnd.uniform(-0.05, 0.05),
            lon=lon + rnd.uniform(-0.05, 0.05),
            perpetrators=[Actor("sy_gov_forces", "Syrian government forces", "state_forces")],
            targets=[Actor("civilians", "Civilians", "civilians")],
            weapons=["artillery"] if i % 2 else ["air_dropped_bomb"],
            facilities={"school": 1} if i % 7 == 0 else {},
            figures={"killed": Figure(low, low, high), "injured": Figure(low * 2, low * 2, None)},
            grade="fair",
            source_count=1,
            sources=[
                SourceView(
                    None,
                    i,
                    "Benchmark Wire",
                    f"Report {i}",
                    f"https://example.invalid/{i}",
                    day.isoformat(),
                    "public",
                    "An invented passage standing in for the evidence excerpt.",
                )
            ],
            sensitivity="public",
        )


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(db: str, fmt: str, rows: int) -> None:
    """Export to /dev/null in this process and print one JSON line of measurements."""
    store = Store(db, migrate=False)
    tenth = max(rows // 10, 1)
    seen = 0
    early_peak = 0.0

    def on_row() -> None:
        nonlocal seen, early_peak
        seen += 1
        if seen == tenth:
            early_peak = peak_rss_mib()

    t0 = time.perf_counter()
    with open(os.devnull, "w", encoding="utf-8") as out:
        result = export_incidents(store, fmt, out, IncidentFilter(), actor="bench", on_row=on_row)
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "format": fmt,
                "rows": result.rows,
                "seconds": round(seconds, 2),
                "rows_per_s": round(result.rows / seconds),
                "peak_mib_at_10pct": round(early_peak, 1),
                "peak_mib_at_end": round(peak_rss_mib(), 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--child", nargs=2, metavar=("DB", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.rows)
        return

    with tempfile.TemporaryDirectory(prefix="marsad-bench-") as tmp:
        url = "sqlite:///" + str(Path(tmp) / "bench.db")
        store = Store(url)
        t0 = time.perf_counter()
        inserted = store.bulk_insert_incidents(
            synthetic_incidents(args.rows), actor="bench", batch=10_000
        )
        load_s = time.perf_counter() - t0
        size_mib = (Path(tmp) / "bench.db").stat().st_size / 2**20
        print(
            f"loaded {inserted} incidents in {load_s:.1f} s ({inserted / load_s:,.0f} rows/s), "
            f"database {size_mib:,.0f} MiB, ledger entries {store.summary()['ledger_entries']}"
        )
        store.close()
        print(
            f"{'format':8} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'peak@10%':>9} {'peak@end':>9}"
        )
        for fmt in args.formats.split(","):
            proc = subprocess.run(
                [sys.executable, __file__, "--rows", str(inserted), "--child", url, fmt],
                capture_output=True,
                text=True,
                check=True,
            )
            m = json.loads(proc.stdout.strip().splitlines()[-1])
            print(
                f"{m['format']:8} {m['rows']:>9} {m['seconds']:>8} {m['rows_per_s']:>9,} "
                f"{m['peak_mib_at_10pct']:>8}M {m['peak_mib_at_end']:>8}M"
            )


if __name__ == "__main__":
    main()
