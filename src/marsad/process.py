"""Run the extraction engine over stored documents and store the claims (one run, logged).

Persons are protected even where no claim can be read: a document in a language the engine has
no pack for yet still has the persons it names read by their cues
(:mod:`marsad.extract.cued_persons`) and stored, restricted, so that every public output masks
them; and the passages of another script inside a document (an Arabic quotation in an English
report) are read the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from marsad import __version__
from marsad.contract.claim import Claim, DocumentMeta, PersonMention
from marsad.lang import LanguagePackError
from marsad.protect.names import canonical_name
from marsad.store import Store
from marsad.store.models import Document

ENGINE_NAME = "marsad.extract"

# languages whose passages are looked for inside documents of any other language
PASSAGE_LANGUAGES: tuple[str, ...] = ("ar",)


@dataclass
class ExtractReport:
    run_id: int
    documents: int = 0
    claims: int = 0
    errors: list[str] = field(default_factory=list)
    # person mentions stored besides those of claims: read by cues in documents the engine
    # cannot read, or in passages of another language
    persons: int = 0
    # documents another run, working at the same time, extracted first: left as it stored them
    taken_by_other_runs: int = 0


def document_meta(doc: Document) -> DocumentMeta:
    return DocumentMeta(
        published=doc.published.isoformat() if doc.published else None,
        language=doc.language if doc.language not in ("und", "") else "en",
        title=doc.title,
        source=doc.source.name if doc.source else None,
    )


def extract_documents(
    store: Store,
    documents: Iterable[Document] | None = None,
    *,
    actor: str,
    on_document: Callable[[Document, int], None] | None = None,
) -> ExtractReport:
    """Extract claims from ``documents`` (default: every stored document) in one logged run.

    A document the engine cannot handle is reported and skipped; the others still go through.
    When the engine has no pack for a document's language but that language has person cues,
    the persons the document names are still stored (the error line says how many)."""
    from marsad.extract import extract

    run_id = store.start_run(engine=ENGINE_NAME, engine_version=__version__, actor=actor)
    report = ExtractReport(run_id=run_id)
    for doc in documents if documents is not None else store.iter_documents():
        meta = document_meta(doc)
        try:
            claims = extract(doc.text, meta)
        except LanguagePackError as exc:
            recorded = _record_cued_persons(store, doc, meta.language, actor=actor)
            report.persons += recorded or 0
            note = "" if recorded is None else f"; {recorded} person(s) recorded for protection"
            report.errors.append(f"{doc.original_name} ({doc.id[:12]}): {exc}{note}")
            continue
        except ValueError as exc:
            report.errors.append(f"{doc.original_name} ({doc.id[:12]}): {exc}")
            continue
        stored = store.replace_claims(
            doc.id, claims, run_id=run_id, actor=actor, unless_extracted_meanwhile=True
        )
        if stored is None:
            report.taken_by_other_runs += 1
            continue
        report.persons += _record_named_persons(store, doc, meta, actor=actor)
        report.persons += _record_passage_persons(store, doc, meta.language, claims, actor=actor)
        report.documents += 1
        report.claims += len(claims)
        if on_document is not None:
            on_document(doc, len(claims))
    return report


def _record_named_persons(store: Store, doc: Document, meta: DocumentMeta, *, actor: str) -> int:
    """Store every person the document names, not only those near a claim (the store keeps
    each passage once), and the persons its title names when the title is not in the text."""
    from marsad.extract import persons_in

    recorded = store.record_persons(doc.id, persons_in(doc.text, meta), actor=actor)
    if doc.title and doc.title not in doc.text:
        for person in persons_in(doc.title, meta):
            store.add_protected_person(
                person.name, role=person.role, actor=actor, origin="extractor:title"
            )
            recorded += 1
    return recorded


def _record_cued_persons(store: Store, doc: Document, language: str, *, actor: str) -> int | None:
    """Store the persons a document names, read by the cues of its language; None when that
    language has no cues either."""
    from marsad.extract.cued_persons import cued_reader

    reader = cued_reader(language)
    if reader is None:
        return None
    return store.record_persons(doc.id, reader.read(doc.text), actor=actor)


def _record_passage_persons(
    store: Store, doc: Document, language: str, claims: list[Claim], *, actor: str
) -> int:
    """Store the persons named in passages of another script (an Arabic quotation in an
    English report) that the claims do not already name."""
    from marsad.extract.cued_persons import cued_reader

    found: list[PersonMention] = []
    for other in PASSAGE_LANGUAGES:
        reader = cued_reader(other) if other != language else None
        if reader is None or not reader.has_script(doc.text):
            continue
        named = {canonical_name(p.name) for c in claims for p in c.persons}
        found += [p for p in reader.read(doc.text) if canonical_name(p.name) not in named]
    return store.record_persons(doc.id, found, actor=actor) if found else 0
