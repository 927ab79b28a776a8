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


@dataclass
class DocumentInput:
    """What extraction reads of a stored document: all a worker process is sent."""

    id: str
    name: str
    text: str
    meta: DocumentMeta  # the title is meta.title

    @classmethod
    def of(cls, doc: Document) -> DocumentInput:
        return cls(doc.id, doc.original_name, doc.text, document_meta(doc))

    def label(self) -> str:
        """How report lines name the document."""
        return f"{self.name} ({self.id[:12]})"


@dataclass
class DocumentResult:
    """What the engine read in one document, before anything is stored."""

    claims: list[Claim] | None = None  # None: the engine could not read the document
    error: str = ""
    # the engine has no pack for the language; ``cued`` holds the persons its cues found, or
    # is None when the language has no cues either
    no_pack: bool = False
    cued: list[PersonMention] | None = None
    named: list[PersonMention] = field(default_factory=list)
    title_persons: list[PersonMention] = field(default_factory=list)
    passage_persons: list[PersonMention] = field(default_factory=list)


def extract_documents(
    store: Store,
    documents: Iterable[Document] | None = None,
    *,
    actor: str,
    on_document: Callable[[DocumentInput, int], None] | None = None,
) -> ExtractReport:
    """Extract claims from ``documents`` (default: every stored document) in one logged run.

    A document the engine cannot handle is reported and skipped; the others still go through.
    When the engine has no pack for a document's language but that language has person cues,
    the persons the document names are still stored (the error line says how many).
    :mod:`marsad.jobs.scale` runs :func:`compute_document` on Dask workers instead of here."""
    report = start_report(store, actor=actor)
    for doc in documents if documents is not None else store.iter_documents():
        item = DocumentInput.of(doc)
        stored = store_result(store, item, compute_document(item), report, actor=actor)
        if on_document is not None and stored is not None:
            on_document(item, stored)
    return report


def start_report(store: Store, *, actor: str) -> ExtractReport:
    """Open the logged extraction run that every document's claims are stored under."""
    run_id = store.start_run(engine=ENGINE_NAME, engine_version=__version__, actor=actor)
    return ExtractReport(run_id=run_id)


def compute_document(doc: DocumentInput) -> DocumentResult:
    """Everything the engine reads in one document (claims and the persons to protect),
    with no store: the same function runs in this process or on a Dask worker."""
    from marsad.extract import extract

    meta = doc.meta
    try:
        claims = extract(doc.text, meta)
    except LanguagePackError as exc:
        return DocumentResult(error=str(exc), no_pack=True, cued=_cued_persons(doc, meta))
    except ValueError as exc:
        return DocumentResult(error=str(exc))
    named, title_persons = _named_persons(doc, meta)
    return DocumentResult(
        claims=claims,
        named=named,
        title_persons=title_persons,
        passage_persons=_passage_persons(doc, meta.language, claims),
    )


def store_result(
    store: Store, doc: DocumentInput, result: DocumentResult, report: ExtractReport, *, actor: str
) -> int | None:
    """Store what :func:`compute_document` read in ``doc`` under the report's run and count it
    in the report; returns how many claims were stored, None when none could be."""
    if result.claims is None:
        note = ""
        if result.no_pack and result.cued is not None:
            recorded = store.record_persons(doc.id, result.cued, actor=actor)
            report.persons += recorded
            note = f"; {recorded} person(s) recorded for protection"
        report.errors.append(f"{doc.label()}: {result.error}{note}")
        return None
    stored = store.replace_claims(
        doc.id, result.claims, run_id=report.run_id, actor=actor, unless_extracted_meanwhile=True
    )
    if stored is None:
        report.taken_by_other_runs += 1
        return None
    report.persons += store.record_persons(doc.id, result.named, actor=actor)
    for person in result.title_persons:
        store.add_protected_person(
            person.name, role=person.role, actor=actor, origin="extractor:title"
        )
        report.persons += 1
    if result.passage_persons:
        report.persons += store.record_persons(doc.id, result.passage_persons, actor=actor)
    report.documents += 1
    report.claims += len(result.claims)
    return len(result.claims)


def _named_persons(
    doc: DocumentInput, meta: DocumentMeta
) -> tuple[list[PersonMention], list[PersonMention]]:
    """Every person the document names, not only those near a claim (the store keeps each
    passage once), and the persons its title names when the title is not in the text."""
    from marsad.extract import persons_in

    named = persons_in(doc.text, meta)
    if meta.title and meta.title not in doc.text:
        return named, persons_in(meta.title, meta)
    return named, []


def _cued_persons(doc: DocumentInput, meta: DocumentMeta) -> list[PersonMention] | None:
    """The persons a document names, read by the cues of its language; None when that
    language has no cues either."""
    from marsad.extract.cued_persons import cued_reader

    reader = cued_reader(meta.language)
    return None if reader is None else reader.read(doc.text)


def _passage_persons(doc: DocumentInput, language: str, claims: list[Claim]) -> list[PersonMention]:
    """The persons named in passages of another script (an Arabic quotation in an English
    report) that the claims do not already name."""
    from marsad.extract.cued_persons import cued_reader

    found: list[PersonMention] = []
    for other in PASSAGE_LANGUAGES:
        reader = cued_reader(other) if other != language else None
        if reader is None or not reader.has_script(doc.text):
            continue
        named = {canonical_name(p.name) for c in claims for p in c.persons}
        found += [p for p in reader.read(doc.text) if canonical_name(p.name) not in named]
    return found
