"""``marsad watch``: reports dropped into a watched folder become incidents within seconds,
files still being written are waited out, and a restart stores nothing twice.

The reports are written for these tests; no person is named."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from marsad.cli import app
from marsad.config import database_url
from marsad.jobs.watch import Watcher, is_candidate
from marsad.store import Store
from marsad.store.models import Document, Incident, LedgerEntry

REPORT = """---
title: Artillery shelling on the Ariha vegetable market
source: Hill Country Field Network
published: 2023-10-14
---
On Saturday, 14 October 2023, government artillery shelled the vegetable market in Ariha, in
Idlib countryside, killing four civilians and injuring nine others, according to our field team.
"""

SECOND_REPORT = """---
title: Air strike on a poultry farm near Sarmin
source: Hill Country Field Network
published: 2023-10-15
---
A warplane carried out an air strike on a poultry farm on the edge of Sarmin, Idlib countryside,
on 15 October 2023. Two farm workers were killed.
"""


def count(url: str, model: type) -> int:
    store = Store(url)
    try:
        with store.reading() as session:
            return int(session.execute(select(func.count()).select_from(model)).scalar() or 0)
    finally:
        store.close()


def wait_for(condition: object, timeout: float) -> float:
    """Seconds until ``condition()`` held; fails after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():  # type: ignore[operator]
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s")


@dataclass
class Running:
    url: str
    folder: Path
    watcher: Watcher


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    """A watcher on ``tmp_path/inbox`` in a thread, its store on SQLite."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    url = database_url(str(tmp_path / "marsad.db"))
    store = Store(url)
    watcher = Watcher(store, [folder], actor="watch-test", max_bytes=10**6, debounce=1.0)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert watcher.started.wait(20), "the watcher did not start"
        yield Running(url, folder, watcher)
    finally:
        stop.set()
        thread.join(10)
        store.close()
    assert not thread.is_alive()


def test_a_dropped_report_is_an_incident_within_10_s(running: Running) -> None:
    assert count(running.url, Incident) == 0
    (running.folder / "ariha.md").write_text(REPORT, encoding="utf-8")
    elapsed = wait_for(lambda: count(running.url, Incident) > 0, timeout=30)
    assert elapsed < 10, f"{elapsed:.1f} s"
    # a folder moved in with a report inside is read too
    sub = running.folder.parent / "batch"
    sub.mkdir()
    (sub / "sarmin.md").write_text(SECOND_REPORT, encoding="utf-8")
    sub.rename(running.folder / "batch")
    wait_for(lambda: count(running.url, Incident) >= 2, timeout=30)
    assert count(running.url, Document) == 2


def test_a_partial_write_is_read_once_and_whole(running: Running) -> None:
    path = running.folder / "slow-copy.md"
    half = len(REPORT) // 2
    with path.open("w", encoding="utf-8") as handle:
        handle.write(REPORT[:half])
        handle.flush()
        time.sleep(0.4)  # shorter than the debounce: a writer that is still at work
        handle.write(REPORT[half:])
    wait_for(lambda: count(running.url, Document) == 1, timeout=30)
    time.sleep(1.2)  # over a debounce: long enough for a second, later read to have happened
    store = Store(running.url)
    try:
        with store.reading() as session:
            (doc,) = session.execute(select(Document)).scalars().all()
    finally:
        store.close()
    assert doc.title == "Artillery shelling on the Ariha vegetable market"
    assert doc.text.endswith("according to our field team.")
    assert running.watcher.total.errors == []


def test_a_download_under_a_temporary_name_is_read_once_renamed(running: Running) -> None:
    partial = running.folder / "sarmin.md.part"
    partial.write_text(SECOND_REPORT, encoding="utf-8")
    (running.folder / "notes.txt~").write_text(REPORT, encoding="utf-8")  # an editor's backup
    time.sleep(1.5)  # a debounce and more: time enough to have read them, had they been read
    assert count(running.url, Document) == 0
    partial.rename(running.folder / "sarmin.md")
    wait_for(lambda: count(running.url, Document) == 1, timeout=30)
    store = Store(running.url)
    try:
        with store.reading() as session:
            names = session.execute(select(Document.original_name)).scalars().all()
    finally:
        store.close()
    assert names == [str(running.folder / "sarmin.md")]


def test_a_restart_stores_nothing_twice(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "ariha.md").write_text(REPORT, encoding="utf-8")
    (folder / "sarmin.md").write_text(SECOND_REPORT, encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    url = database_url(str(tmp_path / "marsad.db"))
    runner = CliRunner()
    args = ["watch", str(folder), "--once", "--db", url, "--json"]

    first = runner.invoke(app, args, catch_exceptions=False)
    assert first.exit_code == 1, first.output  # the broken file is named
    report = json.loads(first.output)
    assert report["stored"] == 2 and report["incidents_created"] >= 2
    assert len(report["errors"]) == 1 and "broken.json" in report["errors"][0]
    documents, incidents = count(url, Document), count(url, Incident)
    entries = count(url, LedgerEntry)

    (folder / "broken.json").unlink()
    again = runner.invoke(app, args, catch_exceptions=False)
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    assert report["stored"] == 0 and report["duplicates"] == 2
    assert (count(url, Document), count(url, Incident)) == (documents, incidents)
    # resolving again found nothing new to write: not one ledger entry more
    assert count(url, LedgerEntry) == entries


def test_temporary_hidden_and_other_names_are_not_candidates() -> None:
    for name in ("a.md", "b.TXT", "c.html", "d.jsonl", "sub/e.json", "f.pdf", "g.eml"):
        assert is_candidate(name), name
    for name in ("a.md.part", "a.md.crdownload", "a.tmp", "a.md~", ".a.md", "~$a.md", "a.xlsx"):
        assert not is_candidate(name), name


def test_watching_a_folder_that_is_not_there_is_exit_2(tmp_path: Path) -> None:
    url = database_url(str(tmp_path / "marsad.db"))
    result = CliRunner().invoke(app, ["watch", str(tmp_path / "nowhere"), "--db", url])
    assert result.exit_code == 2
    assert "not a folder" in result.output
