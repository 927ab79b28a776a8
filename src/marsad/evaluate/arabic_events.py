"""Scoring assault and protest detection on annotated Arabic news sentences.

Each CSV file (openeventdata's Arabic event gold standard) holds sentences judged by annotators
for one event type, named in its ``event_type`` column (``ASSAULT`` or ``PROTEST``); ``label`` is
``yes`` (every annotator accepted), ``easy no`` (every annotator rejected), ``difficult no``
(mostly rejected) or ``ambiguous`` (too few or split judgements). Every sentence is one document
(language ``ar``, no publication date). The engine says "yes" when any of its claims has an event
type of the set's kind (:data:`EVENT_TYPES_BY_SET`); precision, recall and F1 are computed over
the ``yes`` and ``no`` sentences. Ambiguous sentences have no answer to score against: they are
counted, with how often the engine said yes on them, and left out of the figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from marsad.contract.claim import Claim, DocumentMeta
from marsad.evaluate.files import EvalFileError, RowWarnings, read_csv
from marsad.evaluate.metrics import PRF, share
from marsad.evaluate.runner import (
    Extractor,
    default_extractor,
    extract_or_no_pack,
    no_pack,
    scored_result,
)
from marsad.evaluate.tables import Table, pct

DATASET = "arabic_events"
REQUIRED_COLUMNS = ("event_type", "id", "label", "text")
POSITIVE = "yes"
NEGATIVES = ("easy no", "difficult no")
AMBIGUOUS = "ambiguous"
SNIPPET_PREVIEW = 120
F1_TARGET = 0.80
# File names looked for when a folder is given.
FILE_PATTERNS = ("*assault*gsr*.csv", "*protest*gsr*.csv")

# The annotators coded PLOVER categories. PLOVER's ASSAULT is any deliberate act that can do
# substantial physical harm, and in the version used here it takes in conventional fighting as
# well (its modes run from abduction, beating, torture and sexual violence through firearms and
# explosives to heavy weapons; the set's "yes" sentences include air strikes, mortar fire and
# clashes). So every Marsad type of battle, remote violence or violence against civilians counts,
# and so do two whose harm ACLED files elsewhere: excessive force against protesters (a
# protest sub-event in ACLED, but people are shot) and mob violence (a mob attacking people).
# Property destruction is a PLOVER assault mode too. Left out: violent demonstrations (PLOVER
# codes a riot as a PROTEST mode), arrests (COERCE), threats (THREATEN) and disrupted weapons
# use (a bomb defused harms no one).
ASSAULT_EVENT_TYPES: Final = frozenset(
    {
        "air_strike",
        "shelling",
        "armed_clash",
        "government_regains_territory",
        "non_state_overtakes_territory",
        "remote_explosive",
        "suicide_bomb",
        "chemical_weapon",
        "grenade",
        "attack",
        "abduction",
        "sexual_violence",
        "excessive_force_against_protesters",
        "mob_violence",
        "looting_property_destruction",
    }
)
# PLOVER's PROTEST is any collective public show of dissent, peaceful or a riot; a protest met
# by force is still one.
PROTEST_EVENT_TYPES: Final = frozenset(
    {
        "peaceful_protest",
        "protest_with_intervention",
        "excessive_force_against_protesters",
        "violent_demonstration",
    }
)
EVENT_TYPES_BY_SET: Final[dict[str, frozenset[str]]] = {
    "assault": ASSAULT_EVENT_TYPES,
    "protest": PROTEST_EVENT_TYPES,
}


@dataclass(slots=True)
class JudgedSentence:
    row: int
    id: str
    text: str
    label: str  # yes, easy no, difficult no, ambiguous


def read_judged(path: str | Path, warnings: RowWarnings) -> tuple[str, list[JudgedSentence]]:
    """(set name, usable sentences) of one file; unknown labels and empty texts to warnings."""
    known = (POSITIVE, *NEGATIVES, AMBIGUOUS)
    kinds: Counter[str] = Counter()
    rows: list[JudgedSentence] = []
    for r in read_csv(path, REQUIRED_COLUMNS):
        label = r.values["label"].strip().lower()
        text = r.values["text"]
        if label not in known:
            warnings.add(r.number, f"{r.where()}: label {label!r} is not one of {known}")
        elif not text.strip():
            warnings.add(r.number, f"{r.where()}: empty text")
        else:
            kinds[r.values["event_type"].strip().lower()] += 1
            rows.append(JudgedSentence(r.number, r.values["id"].strip(), text, label))
    if not rows:
        raise EvalFileError(f"{path}: no usable rows ({warnings.summary()})")
    name = kinds.most_common(1)[0][0]
    if len(kinds) > 1 or name not in EVENT_TYPES_BY_SET:
        raise EvalFileError(
            f"{path}: event_type must be one of {', '.join(k.upper() for k in EVENT_TYPES_BY_SET)}"
            f" on every row (found {', '.join(sorted(kinds))}); give one file per event type"
        )
    return name, rows


def detected(claims: list[Claim], wanted: frozenset[str]) -> bool:
    """Whether any claim is of one of the ``wanted`` event types."""
    return any(c.event_type in wanted for c in claims)


def input_files(paths: list[Path]) -> list[Path]:
    """The CSV files named, a folder standing for its assault and protest files."""
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted({f for pattern in FILE_PATTERNS for f in path.glob(pattern)})
        if not found:
            raise EvalFileError(
                f"{path}: no assault or protest file in this folder (looked for "
                f"{', '.join(FILE_PATTERNS)}); name the CSV files instead"
            )
        files += found
    return files


def _outcome(row: JudgedSentence, name: str, claims: list[Claim], error: str) -> dict[str, Any]:
    return {
        "set": name,
        "row": row.row,
        "id": row.id,
        "label": row.label,
        "predicted": detected(claims, EVENT_TYPES_BY_SET[name]),
        "event_types": sorted({c.event_type for c in claims}),
        "n_claims": len(claims),
        "no_language_pack": no_pack(error),
        # a missing pack is counted apart, not as an engine failure
        "error": "" if no_pack(error) else error,
    }


def summarise_set(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall and F1 over the yes/no sentences, and what was said per label."""
    scored = [o for o in outcomes if o["label"] != AMBIGUOUS]
    prf = PRF()
    for o in scored:
        gold = o["label"] == POSITIVE
        prf.add(int(gold and o["predicted"]), int(o["predicted"]), int(gold))
    per_label = {
        label: {
            "rows": sum(1 for o in outcomes if o["label"] == label),
            "said_yes": sum(1 for o in outcomes if o["label"] == label and o["predicted"]),
        }
        for label in (POSITIVE, *NEGATIVES, AMBIGUOUS)
    }
    refused = sum(1 for o in outcomes if o["no_language_pack"])
    figures = prf.to_dict()
    if figures["f1"] is None and prf.reference:
        # nothing said yes, so precision is undefined; F1 is 0 by scikit-learn's convention
        # (as in ``case.per_class_scores``), not "n/a", since every "yes" was missed
        figures["f1"] = 0.0
    return {
        "rows": len(outcomes),
        "rows_scored": len(scored),
        **figures,
        "per_label": per_label,
        "no_language_pack": {"rows": refused, "share": share(refused, len(outcomes))},
        "target_f1": F1_TARGET,
    }


def _is_miss(o: dict[str, Any]) -> bool:
    return o["label"] != AMBIGUOUS and o["predicted"] != (o["label"] == POSITIVE)


def score_arabic_events(
    paths: list[Path],
    extractor: Extractor | None = None,
    limit: int | None = None,
    examples: int = 5,
) -> dict[str, Any]:
    """Score assault and protest detection on the files (or folders) given; JSON-ready, with
    ``examples`` misses per set (a "yes" not found, or a "no" the engine said yes to)."""
    run = extractor or default_extractor()
    files = input_files(paths)
    warnings = RowWarnings(", ".join(str(f) for f in files))
    sets: dict[str, Any] = {}
    outcomes: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for path in files:
        name, rows = read_judged(path, warnings)
        if name in sets:
            raise EvalFileError(f"{path}: a second {name} file; give one file per event type")
        scored: list[dict[str, Any]] = []
        for row in rows[:limit] if limit else rows:
            claims, error = extract_or_no_pack(run, row.text, DocumentMeta(language="ar"))
            outcome = _outcome(row, name, claims, error)
            scored.append(outcome)
            if _is_miss(outcome) and sum(f["set"] == name for f in failures) < examples:
                preview = " ".join(row.text.split())[:SNIPPET_PREVIEW]
                failures.append({**outcome, "snippet": preview})
        sets[name] = {"path": str(path), **summarise_set(scored)}
        outcomes += scored
    summary = {"sets": sets, "rows_scored": len(outcomes)}
    return scored_result(DATASET, ", ".join(map(str, files)), warnings, outcomes, summary, failures)


# --- presentation ------------------------------------------------------------------------------


def arabic_events_tables(result: dict[str, Any]) -> list[Table]:
    """Precision, recall and F1 per set, and how often the engine said yes per label."""
    head = Table(
        "Arabic event sentences: detection",
        ["set", "precision", "recall", "F1", "target F1", "tp/said yes/yes", "no pack"],
        [],
    )
    labels = Table(
        "Arabic event sentences: engine said yes, by annotators' label",
        ["set", "label", "sentences", "said yes", "share"],
        [],
    )
    for name, s in result["sets"].items():
        head.rows.append(
            [
                name,
                pct(s["precision"]),
                pct(s["recall"]),
                pct(s["f1"]),
                pct(s["target_f1"]),
                f"{s['tp']}/{s['predicted']}/{s['reference']}",
                f"{s['no_language_pack']['rows']}/{s['rows']}",
            ]
        )
        for label, n in s["per_label"].items():
            said = n["said_yes"]
            labels.rows.append(
                [name, label, str(n["rows"]), str(said), pct(share(said, n["rows"]))]
            )
    return [head, labels]


def _short(identifier: str, keep: int = 28) -> str:
    """The protest file's ids are long hashes; their start is enough to find the row."""
    return identifier if len(identifier) <= keep else identifier[:keep] + "..."


def example_lines(examples: list[dict[str, Any]]) -> list[str]:
    """One line per miss: set, id, the label against what the engine said, the text's start."""
    said = {True: "engine yes", False: "engine no"}
    return [
        f"[{e['set']}] row {e['row']} ({_short(e['id'])}): {e['label']}, {said[e['predicted']]}"
        f"{' (no language pack)' if e['no_language_pack'] else ''}: {e['snippet']}"
        for e in examples
    ]


def arabic_events_summary(result: dict[str, Any]) -> str:
    parts = [
        f"{name} F1 {pct(s['f1'])} (P {pct(s['precision'])}, R {pct(s['recall'])}, "
        f"{s['rows_scored']} yes/no sentences; {s['no_language_pack']['rows']} of {s['rows']} "
        "without a language pack)"
        for name, s in result["sets"].items()
    ]
    return "Arabic event sentences: " + "; ".join(parts)
