"""What the search index costs on writes, and how a search compares with a scan.

Usage::

    .venv/bin/python benchmarks/search.py [--docs 2000]

Stores ``--docs`` invented reports twice in one run, with the index hook and with it stubbed
out, and prints the write-time ratio; then times ``Store.search`` for a rare word against
reading every document and looking for the word (the scan a store without an index needs).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from unittest import mock

from rich.progress import track

from marsad.contract.document import NewDocument
from marsad.store import Store, search

WORDS = [
    "قصف",
    "غارة",
    "مدينة",
    "ادلب",
    "سوق",
    "مدرسة",
    "shelling",
    "market",
    "school",
    "strike",
    "convoy",
    "bakery",
]


def report(i: int) -> NewDocument:
    body = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(60)) + f" ref{i}"
    return NewDocument(
        original=body.encode(), original_name=f"r{i}.txt", media_type="text/plain", text=body
    )


def store_all(folder: Path, name: str, n: int) -> tuple[Store, float]:
    store = Store(f"sqlite:///{folder / name}")
    started = time.perf_counter()
    for i in track(range(n), description=f"storing ({name})"):
        store.add_document(report(i), actor="bench")
    return store, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    n = parser.parse_args().docs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with mock.patch.object(search, "index_document", lambda session, doc: None):
            plain, t_plain = store_all(folder, "plain.db", n)
        indexed, t_indexed = store_all(folder, "indexed.db", n)
        word = f"ref{n // 2}"
        started = time.perf_counter()
        hits = indexed.search(word, "restricted")
        t_search = time.perf_counter() - started
        started = time.perf_counter()
        scanned = [d.id for d in indexed.iter_documents() if word in d.text.split()]
        t_scan = time.perf_counter() - started
        plain.close()
        indexed.close()
    print(f"{n} documents: writes with the index / without = {t_indexed / t_plain:.2f}")
    print(
        f"search {t_search * 1000:.1f} ms ({len(hits)} hit), scan {t_scan * 1000:.1f} ms "
        f"({len(scanned)}): scan / search = {t_scan / t_search:.0f}"
    )


if __name__ == "__main__":
    main()
