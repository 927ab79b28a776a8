"""The tamper matrix: each edit made to a store behind the application's back, with raw SQL, is
named by ``marsad verify`` as the row it changed (SQLite and PostgreSQL). Every name and report
below is invented for these tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from marsad.contract.document import NewDocument
from marsad.jobs.extract import extract_documents
from marsad.jobs.resolve import resolve_store
from marsad.store import Store, ledger
from marsad.store.models import Claim, Incident, LedgerEntry, Person
from marsad.store.verify import VerifyReport

REPORTS = {
    "market.txt": (
        "public",
        "An air strike hit the vegetable market in Ariha on 6 October 2023, killing 7 civilians "
        "and wounding 15 others, rescuers said. Among the dead was Tarek Samadi, a fruit seller.",
    ),
    "clinic.txt": (
        "restricted",
        "Shelling struck a clinic in Kafr Nabl on 9 October 2023, killing 3 people, a local "
        "monitor told us. The nurse Leila Hamdoun was wounded in the attack.",
    ),
    "bakery.txt": (
        "internal",
        "A drone strike hit a bakery in Sarmin on 12 October 2023, killing 4 civilians, the "
        "civil defence said.",
    ),
}
PROTECTED = "Yusra Qandil"


@dataclass
class Filled:
    store: Store
    docs: dict[str, str]  # file name -> document id
    viewer: str = "vera-viewer"


def _fill(store: Store) -> Filled:
    docs = {}
    for name, (sensitivity, body) in REPORTS.items():
        added = store.add_document(
            NewDocument(
                original=body.encode(),
                original_name=name,
                media_type="text/plain",
                text=body,
                title=f"Report {name}",
                source="Invented Monitor",
                published="2023-10-13",
                language="en",
                sensitivity=sensitivity,
            ),
            actor="tester",
        )
        docs[name] = added.document_id
    extract_documents(store, actor="tester")
    resolve_store(store, actor="resolver")
    store.add_protected_person(PROTECTED, aliases=["Umm Sami"], actor="analyst")
    store.add_user("vera-viewer", "a-long-password", "viewer", actor="admin")
    store.add_user("ali-analyst", "a-long-password", "analyst", actor="admin")
    first = min(_incident_ids(store))
    store.confirm_incident(first, actor="ali-analyst", note="checked against the monitor")
    return Filled(store, docs)


def _incident_ids(store: Store) -> list[int]:
    with store.reading() as session:
        return list(session.execute(select(Incident.id).order_by(Incident.id)).scalars())


def _json_param(session: Session) -> str:
    # a JSON value written as text: PostgreSQL needs the cast, SQLite would spoil it with one
    return "CAST(:d AS JSON)" if session.get_bind().dialect.name == "postgresql" else ":d"


def _named(report: VerifyReport, table: str, row: str) -> bool:
    return any(p.table == table and row in p.row.split(", ") for p in report.row_problems)


# -- the edits: each makes one change with raw SQL and returns the (table, row) it changed -----

Edit = Callable[[Filled], tuple[str, str]]


def raise_killed(f: Filled) -> tuple[str, str]:
    iid = max(_incident_ids(f.store))
    with f.store.transaction() as s:
        s.execute(
            text("UPDATE incidents SET killed_best = killed_best + 100 WHERE id = :i"), {"i": iid}
        )
    return "incidents", str(iid)


def raise_killed_of_confirmed(f: Filled) -> tuple[str, str]:
    iid = min(_incident_ids(f.store))  # its last entry is the review, not the resolution
    with f.store.transaction() as s:
        s.execute(text("UPDATE incidents SET killed_high = 100 WHERE id = :i"), {"i": iid})
    return "incidents", str(iid)


def _first_claim(f: Filled) -> Claim:
    with f.store.reading() as s:
        q = select(Claim).where(Claim.superseded.is_(False)).order_by(Claim.id)
        claim = s.execute(q).scalars().first()
    assert claim is not None
    return claim


def _write_claim_data(f: Filled, claim: Claim) -> None:
    with f.store.transaction() as s:
        s.execute(
            text(f"UPDATE claims SET data = {_json_param(s)} WHERE id = :i"),
            {"d": json.dumps(claim.data), "i": claim.id},
        )


def shift_evidence_span(f: Filled) -> tuple[str, str]:
    claim = _first_claim(f)
    claim.data["evidence"]["start"] += 1
    _write_claim_data(f, claim)
    return "claims", str(claim.id)


def edit_count_in_json(f: Filled) -> tuple[str, str]:
    claim = _first_claim(f)
    assert claim.data["counts"], "the invented reports give each claim a count"
    claim.data["counts"][0]["low"] = 70
    _write_claim_data(f, claim)
    return "claims", str(claim.id)


def edit_count_column(f: Filled) -> tuple[str, str]:
    claim = _first_claim(f)
    with f.store.transaction() as s:
        s.execute(text("UPDATE claims SET killed_low = 70 WHERE id = :i"), {"i": claim.id})
    return "claims", str(claim.id)


def edit_document_text(f: Filled) -> tuple[str, str]:
    doc = f.docs["bakery.txt"]
    with f.store.transaction() as s:
        s.execute(text("UPDATE documents SET text = 'nothing happened' WHERE id = :i"), {"i": doc})
    return "documents", doc


def publish_restricted_document(f: Filled) -> tuple[str, str]:
    doc = f.docs["clinic.txt"]
    with f.store.transaction() as s:
        s.execute(text("UPDATE documents SET sensitivity = 'public' WHERE id = :i"), {"i": doc})
    return "documents", doc


def delete_protected_person(f: Filled) -> tuple[str, str]:
    with f.store.reading() as s:
        pid = s.execute(select(Person.id).where(Person.origin == "analyst:analyst")).scalar_one()
    with f.store.transaction() as s:
        s.execute(text("DELETE FROM person_mentions WHERE person_id = :p"), {"p": pid})
        s.execute(text("DELETE FROM persons WHERE id = :p"), {"p": pid})
    return "persons", str(pid)


def delete_extracted_person(f: Filled) -> tuple[str, str]:
    with f.store.reading() as s:
        pid = (
            s.execute(select(Person.id).where(Person.origin != "analyst:analyst")).scalars().first()
        )
    assert pid is not None, "the extractor stores the persons the reports name"
    with f.store.transaction() as s:
        s.execute(text("DELETE FROM person_mentions WHERE person_id = :p"), {"p": pid})
        s.execute(text("DELETE FROM persons WHERE id = :p"), {"p": pid})
    return "persons", str(pid)


def clear_person(f: Filled) -> tuple[str, str]:
    with f.store.reading() as s:
        pid = s.execute(select(Person.id).order_by(Person.id)).scalars().first()
    with f.store.transaction() as s:
        s.execute(text("UPDATE persons SET sensitivity = 'public' WHERE id = :p"), {"p": pid})
    return "persons", str(pid)


def viewer_made_admin(f: Filled) -> tuple[str, str]:
    with f.store.transaction() as s:
        s.execute(text("UPDATE users SET role = 'admin' WHERE username = :u"), {"u": f.viewer})
    return "users", f.viewer


def delete_document_row(f: Filled) -> tuple[str, str]:
    doc = f.docs["market.txt"]
    with f.store.transaction() as s:
        claims = "SELECT id FROM claims WHERE document_id = :d"
        s.execute(text(f"DELETE FROM incident_claims WHERE claim_id IN ({claims})"), {"d": doc})
        s.execute(text("DELETE FROM claims WHERE document_id = :d"), {"d": doc})
        s.execute(text("DELETE FROM person_mentions WHERE document_id = :d"), {"d": doc})
        s.execute(text("DELETE FROM documents WHERE id = :d"), {"d": doc})
    return "documents", doc


def remove_last_entry(f: Filled) -> tuple[str, str]:
    """The last entry cut off with the head moved back: the chain itself is then whole."""
    f.store.add_user("late-user", "a-long-password", "viewer", actor="admin")
    _cut_last_entry(f.store)
    return "users", "late-user"


def remove_last_entry_after_resolution(f: Filled) -> tuple[str, str]:
    f.store.correct_incident(max(_incident_ids(f.store)), "killed.best", 5, actor="ali-analyst")
    _cut_last_entry(f.store)
    return "incidents", str(max(_incident_ids(f.store)))


def _cut_last_entry(store: Store) -> None:
    with store.transaction() as s:
        last = s.execute(select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1)).scalar_one()
        seq, prev = last.seq, last.prev_hash
        s.execute(text("DELETE FROM ledger WHERE seq = :s"), {"s": seq})
        s.execute(
            text("UPDATE ledger_head SET seq = :s, entry_hash = :h WHERE id = 1"),
            {"s": seq - 1, "h": prev},
        )


EDITS: list[Edit] = [
    raise_killed,
    raise_killed_of_confirmed,
    shift_evidence_span,
    edit_count_in_json,
    edit_count_column,
    edit_document_text,
    publish_restricted_document,
    delete_protected_person,
    delete_extracted_person,
    clear_person,
    viewer_made_admin,
    delete_document_row,
    remove_last_entry,
    remove_last_entry_after_resolution,
]


@pytest.fixture
def filled(store: Store) -> Filled:
    return _fill(store)


def test_an_untouched_store_verifies_clean(filled: Filled) -> None:
    report = filled.store.verify()
    assert report.ok, report.row_problems
    assert not report.not_checkable
    for table in ("documents", "claims", "incidents", "persons", "users"):
        assert report.rows_checked[table] > 0, table


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: e.__name__)
def test_each_edit_is_named(filled: Filled, edit: Edit) -> None:
    table, row = edit(filled)
    report = filled.store.verify()
    assert not report.ok
    assert _named(report, table, row), (table, row, report.row_problems)
    assert not report.chain_problems  # every edit leaves the chain itself whole


def test_small_batches_find_the_same(filled: Filled) -> None:
    """Everything is read in pages: pages of 2 rows give the same answers as pages of 200."""
    viewer_made_admin(filled)
    raise_killed(filled)
    edit_document_text(filled)
    big, small = filled.store.verify(), filled.store.verify(batch=2)
    assert sorted(map(str, small.row_problems)) == sorted(map(str, big.row_problems))
    assert small.rows_checked == big.rows_checked
    assert len(big.row_problems) >= 3


def test_entries_without_hashes_are_counted_not_passed(filled: Filled) -> None:
    """A correction ledgered the way it was before record hashes cannot be re-hashed: it is
    counted as not checkable, and the rest of the store still verifies."""
    iid = max(_incident_ids(filled.store))
    filled.store.append_ledger(
        actor="ali-analyst",
        action="correct",
        subject_type="incident",
        subject_id=str(iid),
        payload={"field": "notes", "machine": "", "value": "old style", "reason": ""},
    )
    report = filled.store.verify()
    assert report.ok, report.row_problems
    assert report.not_checkable["incidents (corrected before record hashes)"] == 1


def test_a_document_ingested_before_text_hashes_is_checked_by_its_spans(store: Store) -> None:
    """Without a text hash in its ingest entry, a document's text is still checked against
    the evidence its claims quote."""
    body = "An air strike hit Ariha on 6 October 2023, killing 7 civilians, rescuers said."
    with store.transaction() as s:
        s.execute(
            text("INSERT INTO originals (sha256, size, content) VALUES (:i, :n, :c)"),
            {"i": ledger.sha256_hex(body), "n": len(body), "c": body.encode()},
        )
    doc_id = ledger.sha256_hex(body)
    _old_style_document(store, doc_id, body)
    extract_documents(store, actor="tester")
    clean = store.verify()
    assert clean.ok, clean.row_problems
    assert clean.not_checkable["document texts (ingested before text hashes)"] == 1
    with store.transaction() as s:
        s.execute(
            text("UPDATE documents SET text = :t WHERE id = :i"),
            {"t": body.replace("7 civilians", "1 civilian"), "i": doc_id},
        )
    report = store.verify()
    assert any(p.table == "claims" and "does not quote" in p.reason for p in report.row_problems)


def _old_style_document(store: Store, doc_id: str, body: str) -> None:
    from datetime import UTC, datetime

    from marsad.store.models import Document

    with store.transaction() as s:
        s.add(
            Document(
                id=doc_id,
                title=None,
                language="en",
                retrieved_at=datetime.now(UTC),
                original_name="old.txt",
                media_type="text/plain",
                text=body,
                sensitivity="internal",
                extra={},
            )
        )
        s.flush()
        ledger.append(  # the ingest payload as it was before text hashes
            s,
            actor="tester",
            action="ingest",
            subject_type="document",
            subject_id=doc_id,
            payload={
                "sha256": doc_id,
                "size": len(body),
                "original_name": "old.txt",
                "media_type": "text/plain",
                "source": None,
                "sensitivity": "internal",
            },
        )
