"""Extraction on Dask workers against one process: documents per second, speed-up, peak memory.

    .venv/bin/python benchmarks/scale.py [--docs 200000] [--postgres URL] [--chunk-size 200]
        [--rounds 1]

Generated reports (the seeded generator of ``benchmarks/extract.py``, about 300 words each) are
ingested into an empty store and extracted three ways: in one process (the loop of
:func:`marsad.jobs.extract.extract_documents`, its two halves timed apart: the CPU the engine takes
and the CPU storing takes), and with :mod:`marsad.jobs.scale` on a local Dask
cluster of 1 and of 2 worker processes, the store written by the coordinator. This runs at
``--docs`` and at half of it, on SQLite and, with ``--postgres``, on PostgreSQL (each run in a
schema of its own, dropped afterwards). Every run is a child process of its own, so its peak
resident memory (ru_maxrss) is its own; the workers' peak is that of the largest worker
process. The script prints documents per second for ingest and extraction, the speed-up of
each Dask run over one process, and the ratio of peak memory between the two sizes (flat
memory: about 1). With ``--rounds R`` the three runs take turns R times and each keeps its best
rate, so load from elsewhere on a shared machine falls on all of them alike.
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
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import product
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from scratch import postgres_scratch

from extract import report  # the generator of benchmarks/extract.py, beside this script

MODES = ("one process", "dask 1 worker", "dask 2 workers")


def generate(path: Path, count: int, seed: int = 19) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            record = {"text": report(rng), "published": f"2023-10-{1 + i % 28:02d}"}
            fh.write(json.dumps(record) + "\n")


@contextmanager
def database(postgres: str | None, folder: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh schema on the PostgreSQL server."""
    from marsad.config import database_url

    if not postgres:
        yield database_url(str(folder / "bench.db"))
        return
    yield from postgres_scratch(postgres)


def one_process(store: Any, documents: Any) -> tuple[Any, float, float]:
    """:func:`marsad.jobs.extract.extract_documents`'s loop, with the CPU seconds of the engine and
    of the store writes counted apart."""
    from marsad.jobs.extract import DocumentInput, compute_document, start_report, store_result

    report = start_report(store, actor="bench")
    engine_s = store_s = 0.0
    for doc in documents:
        item = DocumentInput.of(doc)
        began = time.process_time()
        result = compute_document(item)
        computed = time.process_time()
        store_result(store, item, result, report, actor="bench")
        engine_s += computed - began
        store_s += time.process_time() - computed
    return report, engine_s, store_s


def child(corpus: Path, mode: str, postgres: str | None, chunk_size: int) -> dict[str, Any]:
    from marsad.jobs.ingest import ingest_paths
    from marsad.jobs.scale import dask_client, extract_documents_dask
    from marsad.store import Store

    with tempfile.TemporaryDirectory() as tmp, database(postgres, Path(tmp)) as url:
        store = Store(url)
        started = time.perf_counter()
        ingested = ingest_paths(store, [corpus], actor="bench", max_bytes=1 << 30)
        ingest_s = time.perf_counter() - started
        documents = store.iter_documents(unextracted=True)
        if mode == MODES[0]:
            started = time.perf_counter()
            extracted, engine_s, store_s = one_process(store, documents)
            extract_s = time.perf_counter() - started
        else:
            # the cluster's start (interpreters, engines) is not part of the rate
            with dask_client(workers=int(mode.split()[1])) as client:
                started = time.perf_counter()
                extracted = extract_documents_dask(
                    store, documents, actor="bench", client=client, chunk_size=chunk_size
                )
                extract_s = time.perf_counter() - started
        store.close()
    split = (
        {"engine_cpu_ms": 1000 * engine_s / n, "store_cpu_ms": 1000 * store_s / n}
        if mode == MODES[0] and (n := extracted.documents)
        else {}
    )
    return {
        "mode": mode,
        "documents": ingested.stored,
        "extracted": extracted.documents,
        "claims": extracted.claims,
        "errors": len(extracted.errors),
        "ingest_docs_s": round(ingested.stored / ingest_s, 1),
        "extract_docs_s": round(extracted.documents / extract_s, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        **{k: round(v, 1) for k, v in split.items()},
    }


def run_all(args: argparse.Namespace, console: Console) -> list[dict[str, Any]]:
    backends = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
    sizes = [args.docs // 2, args.docs]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, Progress(console=console) as progress:
        runs = len(backends) * len(sizes) * len(MODES) * args.rounds
        task = progress.add_task("runs", total=runs)
        for size in sizes:
            corpus = Path(tmp) / f"docs-{size}"
            corpus.mkdir()
            generate(corpus / "reports.jsonl", size)
            for (backend, url), _round, mode in product(backends, range(args.rounds), MODES):
                cmd = [sys.executable, __file__, "--child", str(corpus), "--mode", mode]
                cmd += ["--chunk-size", str(args.chunk_size)]
                cmd += ["--postgres", url] if url else []
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                row = {"backend": backend, **json.loads(out.strip().splitlines()[-1])}
                rows.append(row)
                progress.console.print(json.dumps(row))
                progress.advance(task)
    return rows


def best(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per backend, size and mode: the fastest round, with the highest peaks of all rounds."""
    kept: dict[tuple[str, int, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["backend"], r["documents"], r["mode"])
        old = kept.get(key)
        new = r if old is None or r["extract_docs_s"] > old["extract_docs_s"] else old
        for peak in ("peak_mb", "worker_peak_mb"):
            new = {**new, peak: max(r[peak], old[peak] if old else 0.0)}
        kept[key] = new
    return list(kept.values())


def summary(rows: list[dict[str, Any]], console: Console) -> None:
    rows = best(rows)
    console.print(
        f"\n{'backend':<11} {'documents':>9} {'mode':<15} {'ingest/s':>9} {'extract/s':>10} "
        f"{'speed-up':>9} {'peak MB':>8} {'worker MB':>10}"
    )
    for r in rows:
        one = next(
            o["extract_docs_s"]
            for o in rows
            if (o["backend"], o["documents"], o["mode"]) == (r["backend"], r["documents"], MODES[0])
        )
        console.print(
            f"{r['backend']:<11} {r['documents']:>9} {r['mode']:<15} {r['ingest_docs_s']:>9} "
            f"{r['extract_docs_s']:>10} {r['extract_docs_s'] / one:>8.2f}x {r['peak_mb']:>8} "
            f"{r['worker_peak_mb']:>10}"
            + (
                f"   CPU per document: engine {r['engine_cpu_ms']} ms, store {r['store_cpu_ms']} ms"
                if "store_cpu_ms" in r
                else ""
            )
        )
    sizes = sorted({r["documents"] for r in rows})
    for backend in sorted({r["backend"] for r in rows}):
        for mode in MODES:
            small, large = (
                next(r for r in rows if (r["backend"], r["documents"], r["mode"]) == key)
                for key in ((backend, sizes[0], mode), (backend, sizes[-1], mode))
            )
            console.print(
                f"{backend} {mode}: documents x{sizes[-1] / sizes[0]:.0f}, coordinator peak "
                f"x{large['peak_mb'] / small['peak_mb']:.2f}"
                + (
                    f", worker peak x{large['worker_peak_mb'] / small['worker_peak_mb']:.2f}"
                    if mode != MODES[0]
                    else ""
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200_000, help="the larger of the two sizes")
    parser.add_argument("--postgres", help="also run on this PostgreSQL server (a schema a run)")
    parser.add_argument("--chunk-size", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each kind, best kept")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.mode, args.postgres, args.chunk_size)))
        return
    console = Console(soft_wrap=True)
    summary(run_all(args, console), console)


if __name__ == "__main__":
    main()
