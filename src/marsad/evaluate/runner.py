"""Running the extraction engine over evaluation texts, one document at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from marsad.contract.claim import Claim, DocumentMeta
from marsad.evaluate.files import RowWarnings
from marsad.evaluate.incident import DEFAULT_RULE
from marsad.lang import LanguagePackError

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


# What ``extract_or_no_pack`` records as the error of a document whose language has no usable
# pack; the Arabic evaluators count these rows apart from engine failures.
NO_PACK = "no language pack"


def extract_or_no_pack(
    extractor: Extractor, text: str, meta: DocumentMeta
) -> tuple[list[Claim], str]:
    """As :func:`safe_extract`, but a missing or unusable language pack gives the error
    ``NO_PACK: ...``, so an evaluation of a language still being written runs and says why."""
    try:
        return extractor(text, meta), ""
    except LanguagePackError as exc:
        return [], f"{NO_PACK}: {exc}"
    except Exception as exc:  # noqa: BLE001 - any engine failure is recorded and scored as a miss
        return [], f"{type(exc).__name__}: {exc}"


def no_pack(error: str) -> bool:
    """True when the error is ``extract_or_no_pack``'s for a missing language pack."""
    return error.startswith(NO_PACK)


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
