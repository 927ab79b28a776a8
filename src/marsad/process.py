"""Run the extraction engine over stored documents and store the claims (one run, logged)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from marsad import __version__
from marsad.schema import DocumentMeta
from marsad.store import Store
from marsad.store.models import Document

ENGINE_NAME = "marsad.extract"


@dataclass
class ExtractReport:
    run_id: int
    documents: int = 0
    claims: int = 0
    errors: list[str] = field(default_factory=list)


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

    A document the engine cannot handle is reported and skipped; the others still go through."""
    from marsad.extract import extract

    run_id = store.start_run(engine=ENGINE_NAME, engine_version=__version__, actor=actor)
    report = ExtractReport(run_id=run_id)
    for doc in documents if documents is not None else store.iter_documents():
        try:
            claims = extract(doc.text, document_meta(doc))
        except ValueError as exc:
            report.errors.append(f"{doc.original_name} ({doc.id[:12]}): {exc}")
            continue
        store.replace_claims(doc.id, claims, run_id=run_id, actor=actor)
        report.documents += 1
        report.claims += len(claims)
        if on_document is not None:
            on_document(doc, len(claims))
    return report
