"""``marsad process --workers N`` and ``--scheduler ADDRESS``: extraction on Dask workers, the
store written by one coordinator, with the same result as one process.

Every report here is written for the project (the example corpus, a few short reports below and
reports from the benchmark's generator); every name in them is invented."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from distributed import LocalCluster
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.cli import app
from marsad.config import database_url
from marsad.extract import engine_for
from marsad.jobs.extract import DocumentInput, DocumentResult, compute_document
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.scale import dask_client, extract_documents_dask
from marsad.store import Store
from marsad.store.models import Claim, LedgerEntry, Person, PersonMention
from paths import REPO

EXAMPLES = REPO / "examples" / "reports"
GENERATED = 40

# the Arabic report names a person only its cues find; the English one quotes an Arabic
# passage that names one; the French note has no language pack; the last names a person in
# its title only
REPORTS = {
    "ar-sarmin.md": """---
title: قصف على بلدة سرمين
language: ar
published: 2023-10-12
---
قتل ثلاثة مدنيين بينهم طفل وأصيب خمسة آخرون جراء قصف مدفعي لقوات النظام على بلدة سرمين في ريف
إدلب يوم الخميس، بحسب الدفاع المدني السوري.
وقال الناشط الإعلامي رامي القصاب إن القصف استهدف منازل المدنيين قرب المسجد.
""",
    "en-quote.md": """---
title: Statement from a field monitor
published: 2023-10-15
---
Two civilians were injured when artillery shells hit Ariha on Sunday, local rescuers said.
A relative told our monitor: "قال الشاب مازن الحلبي إن القذائف سقطت قرب المدرسة".
""",
    "fr-note.md": """---
title: Note de terrain
language: fr
published: 2023-10-16
---
Deux civils ont été blessés à Ariha dimanche.
""",
    "title-person.md": """---
title: Activist Nadia Qassem threatened after Binnish strike
published: 2023-10-17
---
An air strike hit a bakery in Binnish on Tuesday, killing four civilians and injuring nine,
civil defence teams said.
""",
}


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("bench_extract", REPO / "benchmarks/extract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for path in EXAMPLES.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    rng, report = random.Random(19), _generator().report
    with (folder / "generated.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(GENERATED):
            record = {"text": report(rng), "published": f"2023-10-{1 + i % 28:02d}"}
            fh.write(json.dumps(record) + "\n")
    return folder


def _run_cli(args: list[str]) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def snapshot(store: Store) -> dict[str, list[Any]]:
    """What a run stored, less ids, run ids and times, in the order it was stored."""
    with store.reading() as session:
        claims = session.execute(
            select(Claim.document_id, Claim.position, Claim.data, Claim.superseded).order_by(
                Claim.id
            )
        ).all()
        persons = session.execute(
            select(Person.name, Person.role, Person.origin, Person.sensitivity).order_by(Person.id)
        ).all()
        mentions = session.execute(
            select(Person.name, PersonMention.document_id, PersonMention.start, PersonMention.end)
            .join(Person, Person.id == PersonMention.person_id)
            .order_by(PersonMention.id)
        ).all()
        entries = session.execute(
            select(LedgerEntry.action, LedgerEntry.subject_id, LedgerEntry.payload).order_by(
                LedgerEntry.seq
            )
        ).all()
    ledger = [
        (action, subject, json.loads(payload).get("claims_sha256"))
        for action, subject, payload in entries
        if action != "extraction_run"
    ]
    return {
        "claims": [(d, p, json.dumps(data, sort_keys=True), s) for d, p, data, s in claims],
        "persons": [tuple(row) for row in persons],
        "mentions": [tuple(row) for row in mentions],
        "ledger": ledger,
    }


@pytest.fixture(scope="module")
def reference(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The report and the stored rows of one process over the corpus."""
    url = database_url(str(tmp_path_factory.mktemp("reference") / "marsad.db"))
    code, report = _run_cli(["process", "--db", url, str(corpus)])
    assert code == 1 and len(report["errors"]) == 1 and "fr-note.md" in report["errors"][0]
    store = Store(url)
    try:
        return report, snapshot(store)
    finally:
        store.close()


def _same_report(report: dict[str, Any], expected: dict[str, Any]) -> None:
    keys = ("documents", "claims", "persons_recorded", "taken_by_other_runs", "errors")
    assert {k: report[k] for k in keys} == {k: expected[k] for k in keys}


@pytest.mark.postgres
def test_two_workers_store_what_one_process_stores(
    store_url: str, corpus: Path, reference: tuple[dict[str, Any], dict[str, list[Any]]]
) -> None:
    expected_report, expected_rows = reference
    # small chunks, so that several are in flight at once and finish in any order
    args = ["process", "--db", store_url, "--workers", "2", "--chunk-size", "7", str(corpus)]
    code, report = _run_cli(args)
    assert code == 1  # the French note, as with one process
    _same_report(report, expected_report)
    assert report["documents"] == len(list(EXAMPLES.iterdir())) + len(REPORTS) - 1 + GENERATED
    store = Store(store_url)
    try:
        rows = snapshot(store)
    finally:
        store.close()
    assert rows == expected_rows
    names = {p[0] for p in rows["persons"]}
    assert {"رامي القصاب", "مازن الحلبي", "Nadia Qassem"} <= names


@pytest.fixture(scope="module")
def threads_cluster() -> Iterator[LocalCluster]:
    """Two in-process workers: no interpreters to start."""
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    try:
        yield cluster
    finally:
        cluster.close()


@dataclass(frozen=True)
class Failing:
    """:func:`compute_document` that fails on the first ``tries`` tries of the ``targets``,
    raising or ending its worker process; every try is counted in ``folder``, which every
    worker sees."""

    folder: str
    targets: frozenset[str]
    tries: int = 1
    end_worker: bool = False

    def __call__(self, doc: DocumentInput) -> DocumentResult:
        if doc.id in self.targets:
            log = Path(self.folder) / doc.id
            with log.open("a", encoding="utf-8") as fh:
                fh.write("try\n")
            if self.tried(doc.id) <= self.tries:
                if self.end_worker:
                    os._exit(1)
                raise RuntimeError("injected failure")
        return compute_document(doc)

    def tried(self, doc_id: str) -> int:
        log = Path(self.folder) / doc_id
        return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def _ingested(corpus: Path, folder: Path) -> Store:
    store = Store(database_url(str(folder / "marsad.db")))
    assert not ingest_paths(store, [corpus], actor="tester", max_bytes=1_000_000).errors
    return store


def _ids(store: Store, count: int) -> list[str]:
    """Documents the engine reads (the French note aside), spread over the corpus."""
    ids = [d.id for d in store.iter_documents() if d.language != "fr"]
    return ids[:: len(ids) // count][:count]


def test_a_document_that_fails_once_is_retried(
    threads_cluster: LocalCluster,
    corpus: Path,
    reference: tuple[dict[str, Any], dict[str, list[Any]]],
    tmp_path: Path,
) -> None:
    store = _ingested(corpus, tmp_path)
    failing = Failing(str(tmp_path), frozenset(_ids(store, 3)))
    with dask_client(scheduler=threads_cluster.scheduler_address) as client:
        report = extract_documents_dask(
            store, store.iter_documents(), actor="tester", client=client, chunk_size=5,
            compute=failing,
        )  # fmt: skip
    assert [failing.tried(d) for d in failing.targets] == [2, 2, 2]
    assert report.documents == reference[0]["documents"] and len(report.errors) == 1
    assert snapshot(store) == reference[1]
    store.close()


def test_a_document_that_fails_every_try_is_reported_and_the_rest_stored(
    threads_cluster: LocalCluster,
    corpus: Path,
    reference: tuple[dict[str, Any], dict[str, list[Any]]],
    tmp_path: Path,
) -> None:
    store = _ingested(corpus, tmp_path)
    (bad,) = _ids(store, 1)
    failing = Failing(str(tmp_path), frozenset({bad}), tries=100)
    with dask_client(scheduler=threads_cluster.scheduler_address) as client:
        report = extract_documents_dask(
            store, store.iter_documents(), actor="tester", client=client, chunk_size=5,
            retries=1, compute=failing,
        )  # fmt: skip
    # two tries of its chunk, then two of its own
    assert failing.tried(bad) == 4
    name = store.document(bad).original_name  # type: ignore[union-attr]
    line = f"{name} ({bad[:12]}): failed on all 2 tries on the Dask workers (RuntimeError;"
    assert [e for e in report.errors if e.startswith(line)], report.errors
    documents = sum(1 for _ in store.iter_documents())
    assert report.documents == documents - 2  # the French note and the failing one
    assert not store.claims_for(bad)
    # every other document has the claims one process stores, in the same order
    assert snapshot(store)["claims"] == [c for c in reference[1]["claims"] if c[0] != bad]
    store.close()


def test_a_killed_worker_is_restarted_and_its_documents_retried(
    corpus: Path, reference: tuple[dict[str, Any], dict[str, list[Any]]], tmp_path: Path
) -> None:
    store = _ingested(corpus, tmp_path)
    (target,) = _ids(store, 1)
    failing = Failing(str(tmp_path), frozenset({target}), end_worker=True)
    with dask_client(workers=1) as client:
        report = extract_documents_dask(
            store, store.iter_documents(), actor="tester", client=client, chunk_size=8,
            compute=failing,
        )  # fmt: skip
        # each worker process built its engines once, when it started, not per task
        builds = client.run(lambda: engine_for.cache_info().misses)
    assert failing.tried(target) == 2
    assert len(builds) == 1 and all(n <= 2 for n in builds.values()), builds
    assert report.documents == reference[0]["documents"]
    assert snapshot(store) == reference[1]
    store.close()


def test_scheduler_option_extracts_on_that_cluster(
    threads_cluster: LocalCluster,
    corpus: Path,
    reference: tuple[dict[str, Any], dict[str, list[Any]]],
    tmp_path: Path,
) -> None:
    url = database_url(str(tmp_path / "marsad.db"))
    address = threads_cluster.scheduler_address
    code, report = _run_cli(["process", "--db", url, "--scheduler", address, str(corpus)])
    assert code == 1
    _same_report(report, reference[0])
    # the command set up that cluster's workers
    assert "marsad-engine" in threads_cluster.scheduler.worker_plugins
    store = Store(url)
    assert snapshot(store) == reference[1]
    store.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_scheduler_is_named_before_anything_is_ingested(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("marsad.jobs.scale.CONNECT_TIMEOUT_S", 1)
    url = database_url(str(tmp_path / "marsad.db"))
    address = f"tcp://127.0.0.1:{_free_port()}"
    runner = CliRunner(env={"COLUMNS": "400"})  # the error box on one line
    result = runner.invoke(app, ["process", "--db", url, "--scheduler", address, str(corpus)])
    assert result.exit_code == 2
    assert f"cannot reach the Dask scheduler at {address}" in result.output
    both = ["process", "--db", url, "--workers", "2", "--scheduler", address, str(corpus)]
    result = runner.invoke(app, both)
    assert result.exit_code == 2 and "not both" in result.output
    store = Store(url)
    assert store.count_documents() == 0
    store.close()
