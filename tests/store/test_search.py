"""Search on both backends: Arabic letter forms folded both ways, incidents by their sources'
words, clearance kept, the index in step with writes and rebuilt by the migration."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select, text

from marsad.contract.document import NewDocument
from marsad.contract.incident import SourceView
from marsad.store import Store
from marsad.store.search import SearchEntry, snippet, word_keys
from store.test_store_incidents import make_incident

# written for the project: invented places and people
ARABIC_REPORT = "قصفت طائرات حربية مدينة ادلب صباح اليوم وأصيبت مدرسة في قرية الزيتونة."
ENGLISH_REPORT = "Shelling hit the Qasr Lemonade market near Saraqib at dawn; four injured."
RESTRICTED_REPORT = "Field note: the monitor met families in Tell Apricot after the strike."


def add(store: Store, body: str, sensitivity: str = "public", title: str | None = None) -> str:
    doc = NewDocument(
        original=body.encode(),
        original_name="report.txt",
        media_type="text/plain",
        text=body,
        title=title,
        sensitivity=sensitivity,
    )
    return store.add_document(doc, actor="tester").document_id


def test_keys_fold_alef_ta_marbuta_alef_maqsura_diacritics_and_tatweel() -> None:
    assert word_keys("إدلب") == word_keys("ادلب") == word_keys("أدلب")
    assert word_keys("مدرسة") == word_keys("مدرسه")
    assert word_keys("مستشفى") == word_keys("مستشفي")
    assert word_keys("إِدْلِب") == word_keys("ادلـــب")
    assert word_keys("Saraqib MARKET") == ["saraqib", "market"]


def test_arabic_place_found_whatever_the_alef_and_ta_marbuta(store: Store) -> None:
    doc_id = add(store, ARABIC_REPORT, title="تقرير ميداني")
    add(store, ENGLISH_REPORT)
    for query in ("إدلب", "ادلب", "أدلب"):
        hits = store.search(query, "public")
        assert [(h.kind, h.id) for h in hits] == [("document", doc_id)], query
        assert "ادلب" in hits[0].snippet
    # the text says "مدرسة" (ta marbuta); the query writes it with a final ha
    assert [h.id for h in store.search("مدرسه", "public")] == [doc_id]
    assert store.search("ادلب مدرسه", "public")[0].id == doc_id
    assert store.search("ادلب Saraqib", "public") == []  # every word must be found


def test_incident_found_by_a_word_of_its_source_excerpt(store: Store) -> None:
    source = SourceView(
        "d1",
        1,
        "outlet",
        "t",
        None,
        "2023-10-06",
        "public",
        "Residents said the bakery on Olive Lane was struck twice",
    )
    iid = store.save_incident(
        make_incident(date(2023, 10, 6), sources=[source], notes="checked"), actor="resolver"
    )
    hits = store.search("bakery", "internal", kinds=["incident"])
    assert [(h.kind, h.id) for h in hits] == [("incident", str(iid))]
    assert "bakery" in hits[0].snippet
    assert store.search("saraqib", "internal", kinds=["incident"])[0].id == str(iid)
    # saved again with another excerpt: the old words no longer find it
    view = store.incident(iid, max_sensitivity="restricted")
    assert view is not None
    view.sources[0].excerpt = "A pharmacy was hit"
    store.save_incident(view, actor="resolver")
    assert store.search("bakery", "internal") == []
    assert store.search("pharmacy", "internal")[0].id == str(iid)


def test_restricted_document_never_found_by_a_lower_clearance(store: Store) -> None:
    doc_id = add(store, RESTRICTED_REPORT, sensitivity="restricted")
    assert store.search("apricot", "public") == []
    assert store.search("apricot", "internal") == []
    assert [h.id for h in store.search("apricot", "restricted")] == [doc_id]


def test_claims_indexed_when_replaced(store: Store) -> None:
    from marsad.contract.claim import DocumentMeta
    from marsad.extract import extract

    doc_id = add(store, "An air strike killed 3 civilians in Saraqib on 6 October 2023.")
    run = store.start_run(engine="test", engine_version="1", actor="tester")
    doc = store.document(doc_id)
    assert doc is not None
    claims = extract(doc.text, DocumentMeta(published="2023-10-07"))
    store.replace_claims(doc_id, claims, run_id=run, actor="tester")
    hits = store.search("civilians", "public", kinds=["claim"])
    assert hits and all(h.kind == "claim" for h in hits)
    first = {h.id for h in hits}
    store.replace_claims(doc_id, claims, run_id=run, actor="tester")
    again = {h.id for h in store.search("civilians", "public", kinds=["claim"])}
    assert again and not again & first  # superseded claims left the index


def test_migration_indexes_rows_already_stored(store: Store) -> None:
    doc_id = add(store, ENGLISH_REPORT)
    with store.transaction() as session:
        session.execute(text("DELETE FROM search_entries"))
    assert store.search("lemonade", "public") == []
    assert store.reindex_search() >= 1
    assert [h.id for h in store.search("lemonade", "public")] == [doc_id]
    with store.reading() as session:
        kinds = set(session.execute(select(SearchEntry.kind)).scalars())
    assert kinds == {"document"}


def test_snippet_only_when_every_word_is_shown() -> None:
    assert snippet(["a market was hit"], word_keys("market")) == "a market was hit"
    assert snippet(["a ████ was hit"], word_keys("market")) is None


def test_encrypted_store_indexes_keyed_words_only(tmp_path: Path) -> None:
    from marsad.store.crypto import StoreKey

    store = Store(f"sqlite:///{tmp_path / 'enc.db'}", key=StoreKey.generate())
    try:
        doc_id = add(store, ARABIC_REPORT)
        assert [h.id for h in store.search("إدلب", "public")] == [doc_id]
        with store.reading() as session:
            terms = " ".join(session.execute(select(SearchEntry.terms)).scalars())
        assert "ادلب" not in terms and "مدرسه" not in terms and terms
    finally:
        store.close()


def test_migration_0011_indexes_what_was_stored_before(store: Store) -> None:
    from alembic import command

    from marsad.store.db import alembic_config

    doc_id = add(store, ARABIC_REPORT)
    iid = store.save_incident(make_incident(date(2023, 10, 6), place="Kafr Lemon"), actor="r")
    cfg = alembic_config(store.engine.url.render_as_string(hide_password=False))
    for target in ("0010", "head"):
        with store.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            (command.downgrade if target == "0010" else command.upgrade)(cfg, target)
    assert [h.id for h in store.search("أدلب", "public")] == [doc_id]
    assert [h.id for h in store.search("lemon", "internal", kinds=["incident"])] == [str(iid)]
