"""Watch folders: files that appear or change are ingested, extracted and resolved.

Events come from watchfiles (inotify, FSEvents, ReadDirectoryChangesW; polling on network
shares with ``force_polling``). A file is read only once it has stopped changing: its size and
modification time must stay the same for ``debounce`` seconds, so a report still being copied
or downloaded is waited out, and names that downloaders and editors use while writing
(``.part``, ``.tmp``, ``.crdownload``, ``~``) are left alone until renamed. On start every
file already in the folders is read: the store knows each original by its SHA-256, so a file
ingested before a restart is a duplicate and nothing is stored twice.

Each batch of settled files runs the same steps as ``marsad process`` followed by ``marsad
resolve``: :func:`~marsad.jobs.ingest.ingest_paths`, then
:func:`~marsad.jobs.extract.extract_documents` over the documents not yet extracted, then
:func:`~marsad.jobs.resolve.resolve_store`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event
from typing import Any

from marsad.ingest.walk import SUPPORTED_SUFFIXES, iter_paths
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.resolve import resolve_store
from marsad.store import Store

TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp")
DEFAULT_DEBOUNCE = 1.0
_TICK_MS = 250  # how often pending files are looked at again when no event comes

Signature = tuple[int, int]  # size, modification time (ns)


def is_candidate(path: str) -> bool:
    """Whether a file of this name may be a report to read now: a supported type, not hidden,
    and not named as a file still being written."""
    name = os.path.basename(path)
    if not name or name.startswith((".", "~$")) or name.endswith("~"):
        return False
    lower = name.lower()
    if lower.endswith(TEMPORARY_SUFFIXES):
        return False
    return Path(lower).suffix in SUPPORTED_SUFFIXES


@dataclass
class Batch:
    """What one batch of settled files did."""

    files: list[str] = field(default_factory=list)
    stored: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    documents_extracted: int = 0
    claims: int = 0
    incidents_created: int = 0
    incidents_updated: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "documents_extracted": self.documents_extracted,
            "claims": self.claims,
            "incidents_created": self.incidents_created,
            "incidents_updated": self.incidents_updated,
        }


@dataclass
class _Pending:
    signature: Signature
    stable_since: float  # time.monotonic() when the signature was last seen to change


class Watcher:
    """Ingest, extract and resolve what appears in ``folders``; see the module's docstring."""

    def __init__(
        self,
        store: Store,
        folders: Sequence[Path],
        *,
        actor: str,
        max_bytes: int,
        debounce: float = DEFAULT_DEBOUNCE,
        follow_symlinks: bool = False,
        on_batch: Callable[[Batch], None] | None = None,
        on_wait: Callable[[int], None] | None = None,
    ) -> None:
        self.store = store
        # absolute, as watchfiles reports paths: a file is known by one name
        self.folders = [Path(os.path.abspath(f)) for f in folders]
        self.actor = actor
        self.max_bytes = max_bytes
        self.debounce = debounce
        self.follow_symlinks = follow_symlinks
        self.on_batch = on_batch
        self.on_wait = on_wait  # told how many files are waiting to settle
        self.pending: dict[str, _Pending] = {}
        self.done: dict[str, Signature] = {}  # what each file was when last read
        self.total = Batch()
        self.started = Event()  # set once events are watched and the settled files were read

    # -- what is there -----------------------------------------------------------------------

    def scan(self) -> None:
        """Every report already in the folders becomes pending."""
        skipped: list[str] = []
        errors: list[str] = []
        files = iter_paths(
            self.folders, skipped, errors=errors, follow_symlinks=self.follow_symlinks
        )
        self.note_paths(str(p) for p in files)
        if errors:
            self._record(Batch(errors=errors))

    def note_paths(self, paths: Iterable[str]) -> None:
        """Files that appeared or changed (a folder stands for every report in it)."""
        for path in paths:
            if os.path.isdir(path):
                self.scan_folder(path)
            elif is_candidate(path):
                self._note(path)

    def scan_folder(self, folder: str) -> None:
        skipped: list[str] = []
        errors: list[str] = []
        found = iter_paths([Path(folder)], skipped, errors=errors, follow_symlinks=False)
        for path in found:
            if is_candidate(str(path)):
                self._note(str(path))

    def _note(self, path: str) -> None:
        signature = _signature(path)
        if signature is None:
            self.pending.pop(path, None)  # gone (renamed or deleted) before it settled
            return
        if self.done.get(path) == signature:
            return  # an event for a file that has not changed since it was read
        entry = self.pending.get(path)
        if entry is None or entry.signature != signature:
            # a file last modified long ago needs no further wait; a fresh one waits in full
            age = min(max(time.time() - signature[1] / 1e9, 0.0), self.debounce)
            self.pending[path] = _Pending(signature, time.monotonic() - age)

    # -- settling and processing ---------------------------------------------------------------

    def settled(self) -> list[str]:
        """The pending files unchanged for ``debounce`` seconds, taken off the pending list."""
        now = time.monotonic()
        ready: list[str] = []
        for path, entry in list(self.pending.items()):
            signature = _signature(path)
            if signature is None:
                del self.pending[path]
            elif signature != entry.signature:
                self.pending[path] = _Pending(signature, now)
            elif now - entry.stable_since >= self.debounce:
                ready.append(path)
                del self.pending[path]
        return sorted(ready)

    def process(self, paths: list[str], *, always_extract: bool = False) -> Batch:
        """Ingest ``paths``, then extract and resolve what is new."""
        batch = Batch(files=list(paths))
        if paths:
            for path in paths:
                signature = _signature(path)
                if signature is not None:
                    self.done[path] = signature
            ingested = ingest_paths(
                self.store,
                [Path(p) for p in paths],
                actor=self.actor,
                max_bytes=self.max_bytes,
                follow_symlinks=self.follow_symlinks,
            )
            batch.stored, batch.duplicates = ingested.stored, ingested.duplicates
            batch.errors += ingested.errors
        if batch.stored or always_extract:
            self._extract_and_resolve(batch)
        self._record(batch)
        return batch

    def _extract_and_resolve(self, batch: Batch) -> None:
        # at start, only work a crash left undone: an idle restart writes no empty runs
        if batch.stored or self._unextracted():
            extracted = extract_documents(
                self.store, self.store.iter_documents(unextracted=True), actor=self.actor
            )
            batch.documents_extracted, batch.claims = extracted.documents, extracted.claims
            batch.errors += extracted.errors
        if batch.claims or self._unresolved():
            resolved = resolve_store(self.store, actor=self.actor)
            batch.incidents_created = resolved.incidents_created
            batch.incidents_updated = resolved.incidents_updated

    def _unextracted(self) -> bool:
        documents = self.store.iter_documents(batch=1, unextracted=True)
        return next(iter(documents), None) is not None

    def _unresolved(self) -> bool:
        last = int(self.store.resolver_state().get("last_claim_id", 0))
        return next(iter(self.store.claims_since(last, batch=1)), None) is not None

    def _record(self, batch: Batch) -> None:
        total = self.total
        total.files += batch.files
        total.stored += batch.stored
        total.duplicates += batch.duplicates
        total.errors += batch.errors
        total.documents_extracted += batch.documents_extracted
        total.claims += batch.claims
        total.incidents_created += batch.incidents_created
        total.incidents_updated += batch.incidents_updated
        if self.on_batch is not None and (batch.files or batch.errors):
            self.on_batch(batch)

    # -- the two ways to run ---------------------------------------------------------------------

    def run_once(self) -> Batch:
        """Process what the folders hold now (waiting for files still being written) and stop."""
        self.scan()
        first = True
        while self.pending or first:
            self.process(self.settled(), always_extract=first)
            first = False
            if self.pending:
                self._waiting()
                time.sleep(_TICK_MS / 1000)
        self.started.set()
        return self.total

    def run(self, stop: Event | None = None, *, force_polling: bool | None = None) -> Batch:
        """Process what is there, then everything that appears, until ``stop`` is set (or
        Ctrl-C, which raises ``KeyboardInterrupt``)."""
        from watchfiles import watch

        stop = stop or Event()
        warm_up()
        changes = watch(
            *self.folders,
            watch_filter=None,  # temporary and hidden names are left out by is_candidate
            debounce=_TICK_MS,
            rust_timeout=_TICK_MS,
            yield_on_timeout=True,
            stop_event=stop,
            force_polling=force_polling,
        )
        first = True
        for batch in changes:
            if first:
                # the first yield comes once the watcher runs: a file written from here on is
                # seen by it, one written before by the scan
                self.scan()
            self.note_paths(path for _change, path in batch)
            ready = self.settled()
            if ready or first:
                self.process(ready, always_extract=first)
            if first:
                self.started.set()
            first = False
            self._waiting()
        return self.total

    def _waiting(self) -> None:
        if self.on_wait is not None:
            self.on_wait(len(self.pending))


def warm_up() -> None:
    """Build every language's engine and the gazetteer now, so that the first report to arrive
    waits for its own extraction only."""
    from marsad.contract.claim import DocumentMeta
    from marsad.extract import extract
    from marsad.lang import available_packs

    for code in available_packs():
        try:
            extract(".", DocumentMeta(language=code))
        except Exception:  # a pack that cannot load fails again, named, on its first document
            continue


def _signature(path: str) -> Signature | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns
