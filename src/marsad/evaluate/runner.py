"""Running the extraction engine over evaluation texts, one document at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from marsad.evaluate.files import RowWarnings
from marsad.evaluate.incident import DEFAULT_RULE
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


def scored_result(
    dataset: str,
    path: str | Path,
    warnings: RowWarnings,
    outcomes: list[dict[str, Any]],
    summary: dict[str, Any],
    examples: list[dict[str, Any]],
) -> dict[str, Any]:
    """The result an evaluator returns: what was scored, how, its figures and its rows."""
    return {
        "dataset": dataset,
        "path": str(path),
        "main_incident_rule": DEFAULT_RULE,
        "warnings": warnings.to_dict(),
        "extraction_errors": sum(1 for o in outcomes if o["error"]),
        **summary,
        "examples": examples,
        "outcomes": outcomes,
    }
