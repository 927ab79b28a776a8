"""The evidence store on both backends: content addressing, custody ledger, verification."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, text, update

from marsad.contract import claim as contract
from marsad.contract.document import NewDocument
from marsad.store import Store
from marsad.store.models import Claim, LedgerEntry, Original, Person


def new_doc(body: bytes, name: str = "r.txt", **kw: str) -> NewDocument:
    return NewDocument(
        original=body,
        original_name=name,
        media_type="text/plain",
        text=body.decode("utf-8", "replace"),
        **kw,  # type: ignore[arg-type]
    )


def test_original_is_content_addressed_and_kept_byte_for_byte(store: Store) -> None:
    body = b"Shelling hit Kafr Nabl on 3 May.\r\n\tTrailing  spaces  \n"
    result = store.add_document(new_doc(body, source="Idlib Monitor"), actor="tester")
    assert result.status == "stored"
    assert result.document_id == hashlib.sha256(body).hexdigest()
    assert store.original(result.document_id) == body
    doc = store.document(result.document_id[:10])
    assert doc is not None and doc.id == result.document_id


def test_same_bytes_twice_is_a_duplicate_and_changes_nothing(store: Store) -> None:
    store.add_document(new_doc(b"one report"), actor="a")
    before = store.summary()
    again = store.add_document(new_doc(b"one report", name="copy.txt"), actor="b")
    assert again.status == "duplicate"
    assert store.summary() == before


def test_every_ingest_is_a_chained_ledger_entry(store: Store) -> None:
    ids = [
        store.add_document(new_doc(f"report {i}".encode()), actor="a").document_id for i in range(3)
    ]
    with store.reading() as session:
        entries = list(session.execute(select(LedgerEntry).order_by(LedgerEntry.seq)).scalars())
    assert [e.subject_id for e in entries] == ids
    assert entries[0].prev_hash == "0" * 64
    assert entries[1].prev_hash == entries[0].entry_hash
    assert entries[2].prev_hash == entries[1].entry_hash
    assert store.ledger_head() == entries[2].entry_hash
    assert json.loads(entries[0].payload)["sha256"] == ids[0]


def test_verify_clean_store(store: Store) -> None:
    for i in range(5):
        store.add_document(new_doc(f"report {i}".encode()), actor="a")
    report = store.verify()
    assert report.ok
    assert report.originals_checked == 5 and report.ledger_entries_checked == 5


def test_verify_names_an_altered_original(store: Store) -> None:
    keep = store.add_document(new_doc(b"untouched report"), actor="a")
    victim = store.add_document(new_doc(b"report to be altered", name="altered.txt"), actor="a")
    with store.transaction() as session:
        session.execute(
            update(Original)
            .where(Original.sha256 == victim.document_id)
            .values(content=b"report to be altereD")
        )
    report = store.verify()
    assert not report.ok
    assert report.altered_documents == [(victim.document_id, "altered.txt")]
    assert keep.document_id not in {d for d, _ in report.altered_documents}


def test_verify_detects_edited_and_removed_ledger_entries(store: Store) -> None:
    for i in range(4):
        store.add_document(new_doc(f"report {i}".encode()), actor="a")
    with store.transaction() as session:
        session.execute(update(LedgerEntry).where(LedgerEntry.seq == 2).values(actor="mallory"))
    problems = store.verify().chain_problems
    assert [seq for seq, _ in problems] == [2]
    with store.transaction() as session:
        session.execute(text("DELETE FROM ledger WHERE seq = 3"))
    reasons = " ".join(r for _, r in store.verify().chain_problems)
    assert "gap" in reasons and "broken link" in reasons


def test_verify_detects_a_deleted_document(store: Store) -> None:
    gone = store.add_document(new_doc(b"will vanish", name="gone.txt"), actor="a")
    with store.transaction() as session:
        session.execute(text("DELETE FROM documents WHERE id = :i"), {"i": gone.document_id})
        session.execute(text("DELETE FROM originals WHERE sha256 = :i"), {"i": gone.document_id})
    assert store.verify().missing_documents == [(gone.document_id, "gone.txt")]


def _claim(doc_text: str) -> contract.Claim:
    ev = contract.Span(0, len(doc_text), doc_text)
    return contract.Claim(
        scope="incident",
        event_type="air_strike",
        evidence=ev,
        date_start="2023-10-06",
        date_end="2023-10-06",
        date_precision=1,
        counts=[contract.Count("killed", 4, 4, "exact", contract.Span(0, 1, doc_text[0]))],
        persons=[
            contract.PersonMention("Layla Haddad", contract.Span(0, 1, doc_text[0]), "activist")
        ],
    )


def test_claims_replace_keeps_superseded_and_logs(store: Store) -> None:
    doc = store.add_document(new_doc(b"Four killed in an air strike."), actor="a")
    run = store.start_run(engine="test", engine_version="1", actor="a")
    first = store.replace_claims(doc.document_id, [_claim("Four killed")], run_id=run, actor="a")
    second = store.replace_claims(doc.document_id, [_claim("Four killed")], run_id=run, actor="a")
    assert len(first) == len(second) == 1
    current = store.claims_for(doc.document_id)
    assert [c.id for c in current] == second
    assert current[0].killed_low == 4
    assert contract.claim_from_dict(current[0].data).counts[0].low == 4
    assert len(store.claims_for(doc.document_id, include_superseded=True)) == 2
    with store.reading() as session:
        person = session.execute(select(Person)).scalar_one()
        assert person.sensitivity == "restricted"
        assert session.execute(select(Claim).where(Claim.superseded.is_(True))).scalar_one()
    actions = [e.action for e in store.history("document", doc.document_id)]
    assert actions == ["ingest", "extract", "extract"]
    assert store.verify().ok


def test_unknown_sensitivity_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="sensitivity"):
        store.add_document(new_doc(b"x", sensitivity="secret"), actor="a")
    assert store.count_documents() == 0


def test_claim_json_round_trip() -> None:
    claim = _claim("Four killed")
    assert contract.claim_from_dict(json.loads(json.dumps(claim.to_dict()))) == claim
