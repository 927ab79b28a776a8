"""Extraction spread over Dask workers; the store is written by this process alone.

Workers receive chunks of documents (text and metadata: :class:`~marsad.jobs.extract.DocumentInput`)
and run :func:`marsad.jobs.extract.compute_document` on each, the very function a one-process run
calls, so claims and the persons kept for protection are read the same way. This process
(the coordinator) stores each document's result with :func:`marsad.jobs.extract.store_result` in
the one extraction run, chunk after chunk in the order the documents were read: the stored
claims, persons and ledger entries are those of a one-process run.

A chunk whose task fails (an exception, or its worker dies) is retried by Dask; a chunk that
fails on every try is sent again one document at a time, so that a document that always fails
costs only itself: it becomes an error line of the report and the batch goes on.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from distributed import Client, LocalCluster, WorkerPlugin

from marsad import __version__
from marsad.jobs.extract import (
    DocumentInput,
    DocumentResult,
    ExtractReport,
    compute_document,
    start_report,
    store_result,
)
from marsad.store import Store
from marsad.store.models import Document

if TYPE_CHECKING:
    from distributed import Future

CHUNK_SIZE = 200
"""Documents per task: a few seconds of work, so the scheduler's cost per task is negligible."""
RETRIES = 2
"""Tries after the first, per chunk and then per document."""
CONNECT_TIMEOUT_S = 20
WARM_LANGUAGES: tuple[str, ...] = ("en", "ar")

Compute = Callable[[DocumentInput], DocumentResult]


class ClusterError(RuntimeError):
    """The Dask cluster cannot be used: unreachable, lost, or its workers run another engine."""


class EngineWarmup(WorkerPlugin):
    """Builds the engines and loads the gazetteer once per worker, when it starts (the module
    caches of :mod:`marsad.extract` keep them), rather than in its first task."""

    name = "marsad-engine"

    def setup(self, worker: Any) -> None:
        warm_engine()


def warm_engine() -> None:
    from marsad.extract import engine_for
    from marsad.gazetteer import default_gazetteer
    from marsad.lang import load_language_pack

    for code in WARM_LANGUAGES:
        engine_for(load_language_pack(code))
    default_gazetteer()


def engine_fingerprint() -> tuple[str, tuple[str, ...]]:
    """What decides a worker's claims besides the text: Marsad's version and the gazetteer
    packs added with ``marsad gazetteer import`` on that machine."""
    from marsad.gazetteer.geonames_import import installed_packs

    return __version__, tuple(p.name for p in installed_packs())


def extract_chunk(docs: list[DocumentInput], compute: Compute = compute_document) -> list[Any]:
    """The task a worker runs: one result per document, in order."""
    return [compute(doc) for doc in docs]


@contextmanager
def dask_client(
    *, workers: int | None = None, scheduler: str | None = None, processes: bool = True
) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a local cluster of ``workers`` processes
    (one thread each: extraction is pure Python) that is shut down on leaving."""
    cluster: LocalCluster | None = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        else:
            cluster = LocalCluster(
                n_workers=workers or 1,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    try:
        client.register_plugin(EngineWarmup())
        check_workers(client)
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def check_workers(client: Client) -> None:
    """Refuse a cluster whose workers would read documents differently from this process."""
    here = engine_fingerprint()
    try:
        theirs = client.run(engine_fingerprint)
    except Exception as exc:  # a worker without Marsad cannot even load the function
        raise ClusterError(f"the Dask workers cannot run Marsad: {exc!r}") from exc
    for address, (version, packs) in theirs.items():
        found = (version, tuple(packs))
        if found != here:
            raise ClusterError(
                f"worker {address} runs Marsad {version} with gazetteer packs "
                f"{list(packs) or 'none'}; this process runs {here[0]} with "
                f"{list(here[1]) or 'none'}"
            )


def extract_documents_dask(
    store: Store,
    documents: Iterable[Document],
    *,
    actor: str,
    client: Client,
    chunk_size: int = CHUNK_SIZE,
    retries: int = RETRIES,
    compute: Compute = compute_document,
    on_document: Callable[[DocumentInput, int], None] | None = None,
) -> ExtractReport:
    """:func:`marsad.jobs.extract.extract_documents` with the engine run on ``client``'s workers.

    At most two chunks per worker thread are in flight, so memory stays flat however many
    documents there are."""
    run = _Run(store, start_report(store, actor=actor), client, compute, retries, actor)
    window = 2 * max(1, sum(client.nthreads().values()))
    pending: deque[tuple[list[DocumentInput], Future[list[Any]]]] = deque()
    items = (DocumentInput.of(doc) for doc in documents)
    while chunk := list(islice(items, chunk_size)):
        pending.append((chunk, run.submit(chunk)))
        if len(pending) >= window:
            run.store_chunk(*pending.popleft(), on_document)
    while pending:
        run.store_chunk(*pending.popleft(), on_document)
    return run.report


@dataclass
class _Run:
    store: Store
    report: ExtractReport
    client: Client
    compute: Compute
    retries: int
    actor: str

    def submit(self, chunk: list[DocumentInput]) -> Future[list[Any]]:
        return self.client.submit(
            extract_chunk, chunk, self.compute, retries=self.retries, pure=False
        )

    def store_chunk(
        self,
        chunk: list[DocumentInput],
        future: Future[list[Any]],
        on_document: Callable[[DocumentInput, int], None] | None,
    ) -> None:
        for doc, result in zip(chunk, self.results(chunk, future), strict=True):
            if isinstance(result, BaseException):
                self.report.errors.append(
                    f"{doc.label()}: failed on all {self.retries + 1} tries on the Dask "
                    f"workers ({type(result).__name__}; the worker's log has the traceback)"
                )
                continue
            stored = store_result(self.store, doc, result, self.report, actor=self.actor)
            if stored is not None and on_document is not None:
                on_document(doc, stored)

    def results(self, chunk: list[DocumentInput], future: Future[list[Any]]) -> list[Any]:
        """The chunk's results; if it failed on every try, each document's own result or the
        exception it failed with on every try."""
        try:
            return future.result()
        except Exception:
            self.check_connected()
        finally:
            future.release()
        singles = [self.submit([doc]) for doc in chunk]
        results: list[Any] = []
        for single in singles:
            try:
                results.append(single.result()[0])
            except Exception as exc:
                self.check_connected()
                results.append(exc)
            finally:
                single.release()
        return results

    def check_connected(self) -> None:
        if self.client.status != "running":
            raise ClusterError(
                "lost the Dask scheduler; the documents stored so far stay stored, and "
                "`marsad process` again extracts the rest"
            )
