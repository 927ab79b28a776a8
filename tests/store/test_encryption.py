"""Encryption at rest: with a key no protected name reaches the database in readable form,
the store reopens with the key, refuses a wrong one, and without one says what it needs.

Every name here is invented."""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import LargeBinary, create_engine, inspect, select, text, type_coerce, update
from typer.testing import CliRunner

from marsad.cli import app
from marsad.config import database_url
from marsad.contract.document import NewDocument
from marsad.contract.incident import IncidentFilter
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.resolve import resolve_store
from marsad.protect.names import canonical_name
from marsad.store import Store
from marsad.store.crypto import (
    KeyRequiredError,
    StoreKey,
    WrongKeyError,
    load_key_file,
    write_key_file,
)
from marsad.store.models import Original, Person

runner = CliRunner()

EXTRACTED = ["Huda Qassem", "Omar al-Hasan"]  # found by the extraction engine
ARABIC = "هدى قاسم"
DIRECT = [(ARABIC, ["Huda Kassem"]), ("Salma Darwish", ["Um Yusuf"])]  # inserted as rows
FILES = {
    "witness-huda-qassem.md": (
        "Huda Qassem killed in Ariha strike",
        "An air strike hit a house in Ariha on 6 October 2023, killing Huda Qassem, a "
        "teacher, and her neighbour Omar al-Hasan, local rescuers said.",
    ),
    "omar-al-hasan-followup.md": (
        "Funeral of Omar al-Hasan",
        "Rescuers in Ariha said on 7 October 2023 that an air strike the day before had "
        "killed two civilians, Huda Qassem and Omar al-Hasan, in their homes.",
    ),
}


def secret_strings() -> list[str]:
    """Everything that must not be readable in an encrypted store's files."""
    names = EXTRACTED + [n for n, _ in DIRECT] + [a for _, aliases in DIRECT for a in aliases]
    titles = [title for title, _ in FILES.values()]
    stems = [Path(f).stem for f in FILES]
    return names + titles + stems


def needles() -> list[bytes]:
    """Each secret as UTF-8, case-folded and as JSON escapes it (``\\u0647...``)."""
    found: list[bytes] = []
    for s in secret_strings():
        for form in (s, s.casefold(), canonical_name(s), json.dumps(s)[1:-1]):
            found.append(form.encode("utf-8"))
    return sorted(set(found))


def write_reports(folder: Path) -> list[Path]:
    folder.mkdir()
    paths: list[Path] = []
    for name, (title, body) in FILES.items():
        path = folder / name
        meta = f"title: {title}\nsource: Ariha Monitor {len(paths)}\npublished: 2023-10-07"
        path.write_text(f"---\n{meta}\nlanguage: en\nsensitivity: restricted\n---\n{body}\n")
        paths.append(path)
    return paths


def add_persons_directly(store: Store) -> None:
    with store.transaction() as session:
        for name, aliases in DIRECT:
            session.add(
                Person(name=name, aliases=aliases, role="victim", created_at=datetime.now(UTC))
            )


def fill(store: Store, folder: Path) -> None:
    """Ingest, person rows, extraction and resolution: every kind of restricted write."""
    report = ingest_paths(store, write_reports(folder), actor="tester", max_bytes=1_000_000)
    assert report.stored == len(FILES) and not report.errors
    add_persons_directly(store)
    extracted = extract_documents(store, actor="tester")
    assert extracted.claims >= len(FILES) and not extracted.errors
    resolve_store(store, actor="tester")


def persons(store: Store) -> dict[str, list[str]]:
    with store.reading() as session:
        return {p.name: p.aliases for p in session.execute(select(Person)).scalars()}


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "marsad.key"
    write_key_file(path, StoreKey.generate())
    return path


@pytest.fixture
def filled(store_url: str, key_file: Path, tmp_path: Path) -> Iterator[str]:
    """The URL of an encrypted store holding the reports, persons, claims and incidents."""
    store = Store(store_url, key=load_key_file(key_file))
    fill(store, tmp_path / "reports")
    store.close()
    yield store_url


# -- nothing readable --------------------------------------------------------------------------


def test_sqlite_files_hold_no_name(key_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "marsad.db"
    store = Store(database_url(str(path)), key=load_key_file(key_file))
    fill(store, tmp_path / "reports")
    wal = Path(f"{path}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the scan below reads the log too
    open_bytes = path.read_bytes() + wal.read_bytes()
    store.close()
    closed_bytes = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    for needle in needles():
        assert needle not in open_bytes, needle.decode()
        assert needle not in closed_bytes, needle.decode()


def test_plain_store_is_unchanged_and_the_scan_finds_names(tmp_path: Path) -> None:
    # the same scan over a store without a key finds the names: it would catch a leak
    path = tmp_path / "plain.db"
    store = Store(database_url(str(path)))
    fill(store, tmp_path / "reports")
    assert not store.encrypted
    with store.reading() as session:
        assert session.execute(text("SELECT count(*) FROM store_settings")).scalar_one() == 0
        stored = session.execute(text("SELECT name, name_key FROM persons")).all()
    assert ("Huda Qassem", "huda qassem") in stored
    store.close()
    raw = path.read_bytes()
    for name in EXTRACTED + [n for n, _ in DIRECT[1:]]:
        assert name.encode() in raw


def stored_text(url: str) -> Iterator[tuple[str, str, str]]:
    """(table, column, value) for every non-null value, as the database returns it."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                for col in inspect(conn).get_columns(table):
                    name = col["name"]
                    binary = isinstance(col["type"], LargeBinary)
                    expr = f'"{name}"' if binary else f'CAST("{name}" AS TEXT)'
                    for (value,) in conn.execute(text(f'SELECT {expr} FROM "{table}"')):
                        if isinstance(value, bytes):
                            value = value.decode("utf-8", errors="replace")
                        if value is not None:
                            yield table, name, str(value)
    finally:
        engine.dispose()


def test_stored_values_hold_no_name(filled: str) -> None:
    # on PostgreSQL (and SQLite): what SELECT returns of every column, as stored
    secrets = [n.decode() for n in needles()]
    values = list(stored_text(filled))
    assert any(t == "persons" for t, _, _ in values)
    leaks = [(t, c, s) for t, c, v in values for s in secrets if s in v]
    assert leaks == []


def test_protected_columns_are_sealed(filled: str) -> None:
    # JSON columns hold the sealed value as a JSON string: '"marsad:enc1:..."'
    values = stored_text(filled)
    sealed = {(t, c) for t, c, v in values if v.lstrip('"').startswith("marsad:enc1:")}
    for column in [
        ("documents", "text"),
        ("documents", "title"),
        ("documents", "original_name"),
        ("persons", "name"),
        ("persons", "aliases"),
        ("claims", "data"),
        ("incidents", "data"),
    ]:
        assert column in sealed


# -- reopened with the key, without it, with another ------------------------------------------


def test_reopened_with_the_key_reads_everything(filled: str, key_file: Path) -> None:
    store = Store(filled, key=load_key_file(key_file))
    try:
        assert store.verify().ok and store.verify().originals_checked == len(FILES)
        docs = list(store.iter_documents())
        assert {(d.title, Path(d.original_name).name) for d in docs} == {
            (title, name) for name, (title, _) in FILES.items()
        }
        assert all(store.original(d.id) == Path(d.original_name).read_bytes() for d in docs)
        claims = [c for d in docs for c in store.claims_for(d.id)]
        named = {p["name"] for c in claims for p in c.data["persons"]}
        assert set(EXTRACTED) <= named
        incidents = list(store.iter_incidents(IncidentFilter(max_sensitivity="restricted")))
        assert incidents and all(i.sources and i.figures["killed"].best for i in incidents)
        assert {s.document_id for i in incidents for s in i.sources} == {d.id for d in docs}
        found = persons(store)
        assert set(EXTRACTED) <= set(found)
        assert found[ARABIC] == ["Huda Kassem"]
        assert len(found) == len(EXTRACTED) + len(DIRECT)  # each name once, found by name_key
    finally:
        store.close()


def test_without_the_key_counts_work_and_content_asks_for_it(filled: str) -> None:
    store = Store(filled)
    try:
        assert store.encrypted
        summary = store.summary()
        assert summary["documents"] == len(FILES)
        assert summary["persons"] == len(EXTRACTED) + len(DIRECT)
        report = store.verify()
        assert report.ok and report.originals_unchecked == len(FILES)
        assert report.originals_checked == 0 and report.ledger_entries_checked > 0
        with store.reading() as session:
            first = session.execute(select(Original.sha256)).scalars().first()
        assert first is not None
        with pytest.raises(KeyRequiredError, match="give the key with --key-file"):
            store.document(first)
        with pytest.raises(KeyRequiredError):
            persons(store)
    finally:
        store.close()


def test_without_the_key_nothing_plain_is_written(filled: str) -> None:
    store = Store(filled)
    try:
        new = NewDocument(b"new bytes", "rami-haddad.txt", "text/plain", "Rami Haddad died.")
        with pytest.raises(KeyRequiredError):
            store.add_document(new, actor="tester")
        with pytest.raises(KeyRequiredError):
            add_persons_directly(store)
        assert store.summary()["documents"] == len(FILES)
        assert store.summary()["persons"] == len(EXTRACTED) + len(DIRECT)
    finally:
        store.close()


def test_a_wrong_key_is_refused(filled: str) -> None:
    with pytest.raises(WrongKeyError, match="not the key this store was encrypted with"):
        Store(filled, key=StoreKey.generate())


def test_a_key_is_refused_for_a_store_with_plain_content(store_url: str, key_file: Path) -> None:
    plain = Store(store_url)
    plain.add_document(NewDocument(b"x", "a.txt", "text/plain", "x"), actor="tester")
    plain.close()
    with pytest.raises(ValueError, match="not encrypted"):
        Store(store_url, key=load_key_file(key_file))


def test_verify_finds_altered_encrypted_originals(filled: str, key_file: Path) -> None:
    store = Store(filled, key=load_key_file(key_file))
    try:
        forged, scrambled = sorted(store.iter_documents(), key=lambda d: d.id)
        with store.transaction() as session:
            session.execute(  # a valid ciphertext of other bytes under the first id
                update(Original).where(Original.sha256 == forged.id).values(content=b"forged")
            )
            stored = session.execute(
                select(type_coerce(Original.content, LargeBinary)).where(
                    Original.sha256 == scrambled.id
                )
            ).scalar_one()
            session.execute(  # the second one's ciphertext with its last byte changed
                update(Original)
                .where(Original.sha256 == scrambled.id)
                .values(content=type_coerce(stored[:-1] + bytes([stored[-1] ^ 1]), LargeBinary))
            )
        report = store.verify()
        assert sorted(report.altered_documents) == sorted(
            [(forged.id, forged.original_name), (scrambled.id, scrambled.original_name)]
        )
    finally:
        store.close()


# -- files and the command line ----------------------------------------------------------------


def test_new_database_and_wal_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    store = Store(database_url(str(path)))
    store.add_document(NewDocument(b"x", "a.txt", "text/plain", "x"), actor="tester")
    try:
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    finally:
        store.close()


def test_key_init_writes_a_private_key_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "k" / "store.key"
    result = runner.invoke(app, ["key", "init", "--key-file", str(path)])
    assert result.exit_code == 0, result.output
    assert str(path) in result.output and "lost" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    body = json.loads(path.read_text())
    assert body["version"] == 1 and len(load_key_file(path).secret) == 32
    again = runner.invoke(app, ["key", "init", "--key-file", str(path)])
    assert again.exit_code == 2 and "already exists" in again.output
    assert json.loads(path.read_text()) == body


def test_cli_with_and_without_the_key(tmp_path: Path, key_file: Path) -> None:
    db = str(tmp_path / "cli.db")
    reports = [str(p) for p in write_reports(tmp_path / "reports")]
    stored = runner.invoke(app, ["--key-file", str(key_file), "ingest", "--db", db, *reports])
    assert stored.exit_code == 0, stored.output
    with_key = runner.invoke(
        app, ["verify", "--db", db, "--json"], env={"MARSAD_KEY_FILE": str(key_file)}
    )
    assert with_key.exit_code == 0, (with_key.output, with_key.exception)
    assert json.loads(with_key.output)["originals_checked"] == len(FILES)
    no_key = {"MARSAD_KEY_FILE": ""}
    unchecked = runner.invoke(app, ["verify", "--db", db], env=no_key)
    assert unchecked.exit_code == 0
    assert f"{len(FILES)} encrypted originals not checked" in unchecked.output
    doc_id = hashlib.sha256(Path(reports[0]).read_bytes()).hexdigest()
    needs_key = runner.invoke(app, ["ledger", "--db", db, doc_id[:12]], env=no_key)
    assert needs_key.exit_code == 2
    assert needs_key.output.strip().splitlines() == [
        "error: this store's restricted content is encrypted: give the key with --key-file "
        "or MARSAD_KEY_FILE"
    ]
    wrong = tmp_path / "other.key"
    write_key_file(wrong, StoreKey.generate())
    refused = runner.invoke(app, ["--key-file", str(wrong), "summary", "--db", db])
    assert refused.exit_code == 2 and "not the key" in refused.output


# -- the web application over an encrypted store -------------------------------------------


def test_the_web_app_reads_an_encrypted_store_with_its_key_and_masks_names(
    filled: str, key_file: Path
) -> None:
    from fastapi.testclient import TestClient

    from marsad.web import create_app

    key = load_key_file(key_file)
    store = Store(filled, key=key)
    store.add_user("ana_analyst", "correct-horse-1", "analyst", actor="t")
    token = store.create_token("ana_analyst", actor="t")
    store.close()
    with TestClient(create_app(filled, public_read=True, key=key)) as client:
        analyst = {"Authorization": f"Bearer {token}"}
        listed = client.get("/api/incidents?limit=50", headers=analyst)
        assert listed.status_code == 200 and listed.json()["items"]
        assert "Huda Qassem" in listed.text  # analysts read the decrypted excerpts
        docs = client.get("/api/documents", headers=analyst).json()["items"]
        assert {d["title"] for d in docs} == {title for title, _ in FILES.values()}
        assert client.get("/", headers=analyst).status_code == 200
    with TestClient(create_app(filled, public_read=True)) as client:
        refused = client.get("/api/incidents")
        assert refused.status_code == 503 and "--key-file" in refused.json()["detail"]
