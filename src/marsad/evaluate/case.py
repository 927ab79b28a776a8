"""Scoring the engine against CASE 2021 Task 2 (fine-grained event classification of snippets).

Each snippet carries one ``SubType``: an ACLED sub-event code (25 classes) or one of five types
that are not conflict events (diplomacy, attribution, disasters, organised crime). The engine's
reading of a snippet is the ACLED sub-event type of its main claim, picked with
``incident.main_incident`` under the default rule as the FA-KES and UCDP evaluations do, mapped to
the CASE code (``mapping.case_code``); no claim at all reads as ``none``.

Two headline figures:

* **weighted F1** over the rows whose gold label is one of the 25 ACLED classes, as the task's
  official scorer computed it (per-class F1 weighted by gold support; a prediction of ``none`` or
  of a class the engine lacks is a miss; predictions on the other rows do not enter it). Macro F1
  (mean over the classes present in gold) and accuracy on the same rows are reported beside it.
* **non-conflict rows left alone**: the share of the five-type rows for which the engine returns
  no violent claim at all (``mapping.is_violent``); the share whose main claim is not violent is
  reported beside it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marsad.contract.claim import Claim, DocumentMeta
from marsad.evaluate.files import EvalFileError, RowWarnings, read_csv
from marsad.evaluate.incident import main_incident
from marsad.evaluate.mapping import (
    CASE_CONFLICT_CLASSES,
    CASE_NO_CLAIM,
    CASE_NON_CONFLICT_CLASSES,
    case_code,
    is_violent,
)
from marsad.evaluate.metrics import Accuracy, Confusion, share
from marsad.evaluate.runner import Extractor, default_extractor, safe_extract, scored_result
from marsad.evaluate.tables import Table, pct

REQUIRED_COLUMNS = ("id", "EventSnippet", "SubType")
SNIPPET_PREVIEW = 120
TOP_CONFUSIONS = 15


@dataclass(slots=True)
class CaseRow:
    row: int
    id: str
    text: str
    gold: str


def read_case(path: str | Path, warnings: RowWarnings) -> list[CaseRow]:
    """The usable rows of a CASE 2021 Task 2 file (unknown labels, empty snippets to warnings)."""
    known = set(CASE_CONFLICT_CLASSES) | set(CASE_NON_CONFLICT_CLASSES)
    rows: list[CaseRow] = []
    for r in read_csv(path, REQUIRED_COLUMNS, delimiter="\t"):
        gold = r.values["SubType"].strip()
        text = r.values["EventSnippet"]
        if gold not in known:
            warnings.add(r.number, f"{r.where()}: SubType {gold!r} is not a CASE 2021 class")
        elif not text.strip():
            warnings.add(r.number, f"{r.where()}: empty EventSnippet")
        else:
            rows.append(CaseRow(r.number, r.values["id"].strip() or str(r.number), text, gold))
    return rows


# --- the F1 arithmetic -------------------------------------------------------------------------


def per_class_scores(pairs: list[tuple[str, str]], classes: tuple[str, ...]) -> dict[str, Any]:
    """Precision, recall, F1 and gold support of each class over (gold, predicted) pairs.

    A class never predicted has precision 0, and a class never in gold recall 0 (scikit-learn's
    zero-division convention), so a class the engine cannot produce scores F1 0.
    """
    gold = Counter(g for g, _ in pairs)
    predicted = Counter(p for _, p in pairs)
    hits = Counter(g for g, p in pairs if g == p)
    out: dict[str, Any] = {}
    for c in classes:
        precision = hits[c] / predicted[c] if predicted[c] else 0.0
        recall = hits[c] / gold[c] if gold[c] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[c] = {
            "support": gold[c],
            "predicted": predicted[c],
            "correct": hits[c],
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
    return out


def averaged_f1(scores: dict[str, Any]) -> dict[str, float | None]:
    """Support-weighted and macro F1 over the classes with gold support."""
    present = [s for s in scores.values() if s["support"]]
    total = sum(s["support"] for s in present)
    return {
        "weighted_f1": share(sum(s["f1"] * s["support"] for s in present), total),
        "macro_f1": sum(s["f1"] for s in present) / len(present) if present else None,
    }


# --- prediction and scoring --------------------------------------------------------------------


def predict(claims: list[Claim]) -> str:
    """The CASE code the engine gives a snippet (see the module docstring)."""
    main = main_incident(claims)
    return CASE_NO_CLAIM if main is None else case_code(main.acled_sub_event_type)


def _outcome(row: CaseRow, claims: list[Claim], error: str) -> dict[str, Any]:
    main = main_incident(claims)
    return {
        "row": row.row,
        "id": row.id,
        "gold": row.gold,
        "predicted": predict(claims),
        "acled_sub_event_type": main.acled_sub_event_type if main else None,
        "n_claims": len(claims),
        "main_violent": main is not None and is_violent(main),
        "any_violent": any(is_violent(c) for c in claims),
        "error": error,
    }


def _is_failure(o: dict[str, Any]) -> bool:
    if o["gold"] in CASE_NON_CONFLICT_CLASSES:
        return bool(o["any_violent"])
    return bool(o["gold"] != o["predicted"])


def summarise(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """Headline figures, per-class table and confusion of scored outcomes (JSON-ready)."""
    conflict = [o for o in outcomes if o["gold"] in CASE_CONFLICT_CLASSES]
    pairs = [(o["gold"], o["predicted"]) for o in conflict]
    classes = per_class_scores(pairs, CASE_CONFLICT_CLASSES)
    accuracy = Accuracy()
    for gold, predicted in pairs:
        accuracy.add(gold == predicted)
    other = [o for o in outcomes if o["gold"] in CASE_NON_CONFLICT_CLASSES]
    confusion = Confusion()
    for o in outcomes:
        confusion.add(o["gold"], o["predicted"])
    misses = Counter((o["gold"], o["predicted"]) for o in outcomes if o["gold"] != o["predicted"])
    return {
        "rows_scored": len(outcomes),
        "conflict_rows": len(conflict),
        "non_conflict_rows": len(other),
        **averaged_f1(classes),
        "accuracy": accuracy.to_dict(),
        "non_conflict_without_violent_claim": share(
            sum(1 for o in other if not o["any_violent"]), len(other)
        ),
        "non_conflict_main_claim_not_violent": share(
            sum(1 for o in other if not o["main_violent"]), len(other)
        ),
        "per_class": classes,
        "predicted_on_non_conflict": dict(Counter(o["predicted"] for o in other).most_common()),
        "top_confusions": [
            {"gold": g, "predicted": p, "rows": n}
            for (g, p), n in misses.most_common(TOP_CONFUSIONS)
        ],
        "confusion": confusion.to_dict(),
    }


def score_case(
    path: str | Path,
    extractor: Extractor | None = None,
    limit: int | None = None,
    examples: int = 10,
) -> dict[str, Any]:
    """Score the engine on a CASE 2021 Task 2 TSV file; the result is JSON-ready.

    ``examples`` failing rows (a wrong class on an ACLED row, a violent claim on a non-conflict
    row) are kept with the first characters of their snippet for the terminal.
    """
    warnings = RowWarnings(str(path))
    rows = read_case(path, warnings)
    if not rows:
        raise EvalFileError(f"{path}: no usable rows ({warnings.summary()})")
    run = extractor or default_extractor()
    outcomes: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for row in rows[:limit] if limit else rows:
        claims, error = safe_extract(run, row.text, DocumentMeta(source="case2021"))
        outcome = _outcome(row, claims, error)
        outcomes.append(outcome)
        if _is_failure(outcome) and len(failures) < examples:
            preview = " ".join(row.text.split())[:SNIPPET_PREVIEW]
            failures.append({**outcome, "snippet": preview})
    return scored_result("case2021", path, warnings, outcomes, summarise(outcomes), failures)


# --- presentation ------------------------------------------------------------------------------


def case_tables(result: dict[str, Any]) -> list[Table]:
    """Headline figures, the per-class table and the commonest confusions."""
    acc = result["accuracy"]
    head = Table("CASE 2021 Task 2", ["measure", "value", "rows"], [])
    head.rows += [
        ["weighted F1 (25 ACLED classes)", pct(result["weighted_f1"]), str(acc["total"])],
        ["macro F1 (25 ACLED classes)", pct(result["macro_f1"]), str(acc["total"])],
        ["accuracy (25 ACLED classes)", pct(acc["accuracy"]), f"{acc['correct']}/{acc['total']}"],
        [
            "non-conflict rows without a violent claim",
            pct(result["non_conflict_without_violent_claim"]),
            str(result["non_conflict_rows"]),
        ],
        [
            "non-conflict rows whose main claim is not violent",
            pct(result["non_conflict_main_claim_not_violent"]),
            str(result["non_conflict_rows"]),
        ],
    ]
    per_class = Table(
        "CASE 2021: per class", ["class", "support", "predicted", "precision", "recall", "F1"], []
    )
    for name, s in result["per_class"].items():
        per_class.rows.append(
            [
                name,
                str(s["support"]),
                str(s["predicted"]),
                pct(s["precision"]),
                pct(s["recall"]),
                pct(s["f1"]),
            ]
        )
    confusions = Table("CASE 2021: commonest confusions", ["gold", "predicted", "rows"], [])
    confusions.rows += [
        [c["gold"], c["predicted"], str(c["rows"])] for c in result["top_confusions"]
    ]
    return [head, per_class, confusions]


def example_lines(examples: list[dict[str, Any]]) -> list[str]:
    """One line per failure example: id, gold -> predicted, the snippet's first characters."""
    return [f"{e['id']}: {e['gold']} -> {e['predicted']}: {e['snippet']}" for e in examples]


def case_summary(result: dict[str, Any]) -> str:
    return (
        f"CASE 2021 {result['rows_scored']} snippets: weighted F1 {pct(result['weighted_f1'])}, "
        f"macro F1 {pct(result['macro_f1'])}, accuracy {pct(result['accuracy']['accuracy'])} "
        f"on {result['conflict_rows']} ACLED rows; "
        f"{pct(result['non_conflict_without_violent_claim'])} of "
        f"{result['non_conflict_rows']} non-conflict rows without a violent claim"
    )
