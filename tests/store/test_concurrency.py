"""Several processes on one store at once, on a SQLite file and on a PostgreSQL schema.

Each test starts real ``marsad`` processes together (first opens, ``process``, ``resolve``,
``import``) and then checks the store: one current claim set per document, each claim in at
most one incident, one stored copy of each file, an intact ledger and a schema migrated once.

The processes run the command line through a small driver that, once its imports are done,
waits for the others (so that they start their work together, not a few seconds apart as
interpreters start on a loaded machine), and that delays every ledger append a little, inside
its transaction: the writes of the processes then overlap the way they do on a busy store, and
a missing lock shows up on every run rather than now and then.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from marsad.cli import app
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.resolve import resolve_store
from marsad.store import Store
from marsad.store.db import alembic_config
from marsad.store.models import Claim, IncidentClaim, LedgerEntry, Original, Person, Source

DRIVER = """\
import os, sys, time
from pathlib import Path

from marsad.cli import main
from marsad.store import ledger

def slowed(append):
    def slow(*args, **kwargs):
        time.sleep(float(os.environ["APPEND_DELAY"]))
        return append(*args, **kwargs)
    return slow

ledger.append, ledger.append_many = slowed(ledger.append), slowed(ledger.append_many)
ready = Path(os.environ["READY_DIR"])
(ready / str(os.getpid())).touch()
deadline = time.monotonic() + 60
while len(os.listdir(ready)) < int(os.environ["READY_COUNT"]) and time.monotonic() < deadline:
    time.sleep(0.005)
sys.argv[0] = "marsad"
main()
"""

TOWNS = ["Sarmin", "Ariha", "Binnish", "Taftanaz", "Saraqib"]
# invented people, named in several reports so that runs add the same person at once
PEOPLE = ["Khalil Barakeh", "Rania Haddour"]
DOCUMENTS = 10


@dataclass(frozen=True)
class Finished:
    argv: Sequence[str]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        assert self.returncode == 0, f"{' '.join(self.argv)}: {self.stderr[-2000:]}"
        return json.loads(self.stdout)


def run_together(tmp_path: Path, *commands: Sequence[str], delay: float = 0.05) -> list[Finished]:
    """Start every command at once (each a ``marsad`` argument list) and wait for them all."""
    driver = tmp_path / "slow_marsad.py"
    driver.write_text(DRIVER, encoding="utf-8")
    ready = Path(tempfile.mkdtemp(dir=tmp_path))
    env = {
        **os.environ,
        "APPEND_DELAY": str(delay),
        "READY_DIR": str(ready),
        "READY_COUNT": str(len(commands)),
        "MARSAD_ACTOR": "concurrency-test",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, str(driver), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for argv in commands
    ]
    finished = []
    for argv, proc in zip(commands, procs, strict=True):
        out, err = proc.communicate(timeout=120)
        finished.append(Finished(argv, proc.returncode, out, err))
    return finished


def write_reports(folder: Path, count: int = DOCUMENTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        town, day = TOWNS[i % len(TOWNS)], 1 + i
        named = f" Among the dead was {PEOPLE[i % 2]}, a local teacher." if i % 3 == 0 else ""
        (folder / f"report-{i:02d}.md").write_text(
            f"---\ntitle: Shelling of {town}, note {i}\nsource: Invented Monitor {i % 3}\n"
            f"published: 2023-11-{day:02d}\nlanguage: en\nsensitivity: public\n---\n"
            f"Artillery shelling hit a residential street in {town} in Idlib governorate on "
            f"{day} November 2023, killing {2 + i % 4} civilians and injuring {3 + i} others."
            f"{named} The monitor gave this account in its note {i}.\n",
            encoding="utf-8",
        )
    return folder


def verify_passes(url: str) -> None:
    result = CliRunner().invoke(app, ["verify", "--db", url])
    assert result.exit_code == 0, result.output


def duplicate_claim_sets(store: Store) -> list[str]:
    """Documents whose current claims come from more than one run, or repeat a position."""
    with store.reading() as session:
        rows = session.execute(
            select(Claim.document_id)
            .where(Claim.superseded.is_(False), Claim.document_id.is_not(None))
            .group_by(Claim.document_id)
            .having(
                (func.count(func.distinct(Claim.run_id)) > 1)
                | (func.count() > func.count(func.distinct(Claim.position)))
            )
        ).scalars()
        return [str(r) for r in rows]


def claims_in_several_incidents(store: Store) -> list[int]:
    with store.reading() as session:
        return list(
            session.execute(
                select(IncidentClaim.claim_id)
                .group_by(IncidentClaim.claim_id)
                .having(func.count() > 1)
            ).scalars()
        )


def claims_in_no_incident(store: Store) -> list[int]:
    with store.reading() as session:
        return list(
            session.execute(
                select(Claim.id).where(
                    Claim.superseded.is_(False),
                    Claim.scope == "incident",
                    Claim.id.not_in(select(IncidentClaim.claim_id)),
                )
            ).scalars()
        )


def ledger_count(store: Store, action: str) -> dict[str, int]:
    """How many entries of ``action`` each subject has."""
    with store.reading() as session:
        rows = session.execute(
            select(LedgerEntry.subject_id, func.count())
            .where(LedgerEntry.action == action)
            .group_by(LedgerEntry.subject_id)
        ).all()
        return {str(subject): int(n) for subject, n in rows}


def count(store: Store, column: Any) -> int:
    with store.reading() as session:
        return int(session.execute(select(func.count(column))).scalar_one())


def repeated_persons(store: Store) -> list[str]:
    with store.reading() as session:
        rows = session.execute(
            select(Person.name_key).group_by(Person.name_key).having(func.count() > 1)
        ).scalars()
        return [str(key) for key in rows]


def extracted_store(store: Store, tmp_path: Path) -> None:
    """Ingest and extract the reports in this process (only resolution runs concurrently)."""
    ingest_paths(store, [write_reports(tmp_path / "reports")], actor="setup", max_bytes=10**6)
    extract_documents(store, store.iter_documents(), actor="setup")


# -- tests -----------------------------------------------------------------------------------


def test_first_opens_of_a_new_store_migrate_it_once(store_url: str, tmp_path: Path) -> None:
    opens = run_together(tmp_path, *[["summary", "--json", "--db", store_url]] * 3, delay=0)
    assert [o.json()["ledger_entries"] for o in opens] == [0, 0, 0]
    heads = set(ScriptDirectory.from_config(alembic_config(store_url)).get_heads())
    store = Store(store_url, migrate=False)
    try:
        with store.reading() as session:
            versions = session.execute(text("SELECT version_num FROM alembic_version")).all()
        assert sorted(v for (v,) in versions) == sorted(heads)
        assert store.summary()["ledger_entries"] == 0
        assert store.verify().ok
    finally:
        store.close()


def test_process_runs_at_once_share_documents_and_keep_one_claim_set(
    store: Store, tmp_path: Path
) -> None:
    ingest_paths(store, [write_reports(tmp_path / "reports")], actor="setup", max_bytes=10**6)
    runs = run_together(tmp_path, *[["process", "--json", "--db", store.url]] * 3)
    reports = [r.json() for r in runs]
    assert all(not r["errors"] for r in reports)
    # each new document was extracted by exactly one of the runs, the others left it
    assert sum(r["documents"] for r in reports) == DOCUMENTS
    assert duplicate_claim_sets(store) == []
    assert sorted(ledger_count(store, "extract").values()) == [1] * DOCUMENTS
    assert count(store, Claim.id) == sum(r["claims"] for r in reports)
    assert repeated_persons(store) == []
    verify_passes(store.url)


def test_process_runs_ingesting_the_same_folder_at_once(store: Store, tmp_path: Path) -> None:
    folder = write_reports(tmp_path / "reports")
    runs = run_together(tmp_path, *[["process", str(folder), "--json", "--db", store.url]] * 3)
    reports = [r.json() for r in runs]
    assert [r["rejected"] for r in reports] == [[], [], []]
    assert count(store, Original.sha256) == DOCUMENTS
    assert sorted(ledger_count(store, "ingest").values()) == [1] * DOCUMENTS
    assert count(store, Source.id) == 3
    assert sum(r["documents"] for r in reports) == DOCUMENTS
    assert duplicate_claim_sets(store) == []
    assert repeated_persons(store) == []
    verify_passes(store.url)


def test_resolve_runs_at_once_put_each_claim_in_one_incident(store: Store, tmp_path: Path) -> None:
    extracted_store(store, tmp_path)
    runs = run_together(tmp_path, *[["resolve", "--json", "--db", store.url]] * 3)
    reports = [r.json() for r in runs]
    # one run linked every claim; the ones after it found nothing new
    assert sorted(r["new_claims"] for r in reports) == [0, 0, DOCUMENTS]
    assert claims_in_several_incidents(store) == []
    assert claims_in_no_incident(store) == []
    assert ledger_count(store, "resolution_run") == {"resolve": 3}
    verify_passes(store.url)


def test_process_and_resolve_at_once_leave_no_claim_behind(store: Store, tmp_path: Path) -> None:
    ingest_paths(store, [write_reports(tmp_path / "reports")], actor="setup", max_bytes=10**6)
    process = ["process", "--json", "--db", store.url]
    runs = run_together(tmp_path, process, ["resolve", "--json", "--db", store.url], process)
    for r in runs:
        r.json()
    assert claims_in_several_incidents(store) == []
    # a run after them picks up every claim the concurrent one did not see
    resolve_store(store, actor="after")
    assert claims_in_several_incidents(store) == []
    assert claims_in_no_incident(store) == []
    assert duplicate_claim_sets(store) == []
    verify_passes(store.url)


def partner_csv(path: Path, rows: int = 6) -> Path:
    """An invented ACLED export: every row good."""
    header = "event_id_cnty,event_date,sub_event_type,actor1,admin1,location,latitude,longitude,"
    lines = [header + "fatalities,notes"]
    for i in range(rows):
        town = TOWNS[i % len(TOWNS)]
        lines.append(
            f"SYR77{i:04d},2023-11-{1 + i:02d},Shelling/artillery/missile attack,"
            f"Military Forces of Syria (2000-),Idlib,{town},35.9,36.6,{i + 1},"
            f"Invented partner note on {town}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_imports_of_one_file_at_once_store_it_once(store: Store, tmp_path: Path) -> None:
    csv_path = partner_csv(tmp_path / "partner.csv")
    command = ["import", "acled", str(csv_path), "--json", "--db", store.url]
    reports = [r.json() for r in run_together(tmp_path, command, command, command)]
    assert sorted(r["status"] for r in reports) == ["duplicate", "duplicate", "stored"]
    assert [r["stored"] for r in reports if r["status"] == "stored"] == [6]
    assert count(store, Claim.id) == 6
    assert count(store, Original.sha256) == 1
    assert ledger_count(store, "import") == {reports[0]["sha256"]: 1}
    assert count(store, Source.id) == 1
    verify_passes(store.url)


def test_resolution_waits_for_claims_being_written(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim whose transaction commits after a resolution run began is not skipped for good:
    the run waits for it (on PostgreSQL a later claim id may commit first)."""
    from marsad.extract import extract
    from marsad.jobs.extract import document_meta
    from marsad.store import ledger

    ingest_paths(store, [write_reports(tmp_path / "reports", 1)], actor="setup", max_bytes=10**6)
    [doc] = store.iter_documents()
    claims = extract(doc.text, document_meta(doc))
    run = store.start_run(engine="test", engine_version="1", actor="setup")
    paused, release = threading.Event(), threading.Event()
    append = ledger.append

    def append_after_release(session: Any, **entry: Any) -> Any:
        if entry["action"] == "extract":  # the claims are written, not yet committed
            paused.set()
            release.wait(30)
        return append(session, **entry)

    monkeypatch.setattr(ledger, "append", append_after_release)
    writer = threading.Thread(
        target=store.replace_claims, args=(doc.id, claims), kwargs={"run_id": run, "actor": "t"}
    )
    writer.start()
    assert paused.wait(30)
    reports: list[Any] = []
    resolver = threading.Thread(target=lambda: reports.append(resolve_store(store, actor="r")))
    resolver.start()
    resolver.join(1.5)
    waited = resolver.is_alive()
    release.set()
    writer.join(30)
    resolver.join(30)
    assert waited, "resolution finished while a claim was still being written"
    assert [r.new_claims for r in reports] == [len(claims)] and claims
    assert claims_in_no_incident(store) == []
