"""Running the extraction engine over evaluation texts, one document at a time."""

from __future__ import annotations

from collections.abc import Callable

from marsad.schema import Claim, DocumentMeta

Extractor = Callable[[str, DocumentMeta], list[Claim]]


def default_extractor() -> Extractor:
    """``marsad.extract.extract`` with its default gazetteer."""
    from marsad.extract import extract

    def run(text: str, meta: DocumentMeta) -> list[Claim]:
        return extract(text, meta)

    return run


def safe_extract(extractor: Extractor, text: str, meta: DocumentMeta) -> tuple[list[Claim], str]:
    """Claims, or no claims and the error, so one failing document does not stop an evaluation."""
    try:
        return extractor(text, meta), ""
    except Exception as exc:  # noqa: BLE001 - any engine failure is recorded and scored as a miss
        return [], f"{type(exc).__name__}: {exc}"
