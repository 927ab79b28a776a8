"""Scoring the cue-based person reader on the project's Arabic person set.

The set (``eval/persons/persons_ar.jsonl``) holds one sentence a line: ``{"id", "text",
"persons": [names as written]}``; ids holding ``-b2-`` are the batch written after the cues were
tuned, scored on their own. Names are compared per sentence in their normalised form (letter
forms, diacritics, tatweel, underscores of hashtags and spacing folded): a person named twice in
a sentence is one person.

Besides recall and precision, **masked** says what protection the found names give: a masker
built from the names found in a sentence must cover every letter of every occurrence of each
real name in it (a name found only in part, or a form the masker does not reach, counts as not
masked).

Run: ``python -m marsad.evaluate.persons_ar [FILE] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marsad.evaluate.files import EvalFileError, RowWarnings, read_jsonl
from marsad.evaluate.metrics import PRF, share
from marsad.extract.cued_persons import CuedPersonReader
from marsad.protect.names import MASK, NameMasker

DEFAULT_SET = Path(__file__).resolve().parents[3] / "eval" / "persons" / "persons_ar.jsonl"
SECOND_BATCH = "-b2-"


@dataclass(slots=True)
class ArabicPersonItem:
    id: str
    text: str
    persons: list[str]


def read_items(path: str | Path, warnings: RowWarnings) -> list[ArabicPersonItem]:
    """The sentences of an Arabic person set; malformed lines go to ``warnings``."""
    items = []
    for line, obj in read_jsonl(path, warnings):
        text, persons = obj.get("text"), obj.get("persons")
        if not isinstance(text, str) or not isinstance(persons, list):
            warnings.add(line, f"line {line}: needs text (string) and persons (list)")
            continue
        missing = [p for p in persons if not isinstance(p, str) or not p or p not in text]
        if missing:
            warnings.add(line, f"line {line}: person(s) not in the text: {missing}")
            continue
        items.append(ArabicPersonItem(str(obj.get("id", line)), text, list(persons)))
    return items


@dataclass(slots=True)
class ArabicPersonScore:
    names: PRF = field(default_factory=PRF)
    occurrences: int = 0
    masked: int = 0
    sentences: int = 0

    def add(
        self, item: ArabicPersonItem, found: list[str], reader: CuedPersonReader
    ) -> dict[str, Any]:
        """Score one sentence; returns what it got wrong (empty lists when nothing)."""
        wanted = {reader.normalise(p): p for p in item.persons}
        got = {reader.normalise(n): n for n in found}
        self.names.add(len(wanted.keys() & got.keys()), len(got), len(wanted))
        self.sentences += 1
        unmasked = _unmasked(item, found)
        self.occurrences += sum(item.text.count(p) for p in dict.fromkeys(item.persons))
        self.masked += sum(item.text.count(p) for p in dict.fromkeys(item.persons)) - len(unmasked)
        return {
            "id": item.id,
            "missed": sorted(wanted[k] for k in wanted.keys() - got.keys()),
            "extra": sorted(got[k] for k in got.keys() - wanted.keys()),
            "not_masked": unmasked,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.names.to_dict(),
            "sentences": self.sentences,
            "occurrences": self.occurrences,
            "masked": self.masked,
            "masked_share": share(self.masked, self.occurrences),
        }


def _unmasked(item: ArabicPersonItem, found: list[str]) -> list[str]:
    """The occurrences of real names that a masker of the found names leaves partly visible."""
    masked = NameMasker(found).mask(item.text) if found else item.text
    out = []
    for person in dict.fromkeys(item.persons):
        at = item.text.find(person)
        while at >= 0:
            end = at + len(person)
            letters = [i for i in range(at, end) if item.text[i].isalpha()]
            if any(masked[i] != MASK for i in letters):
                out.append(person)
            at = item.text.find(person, end)
    return out


def score_arabic_persons(
    path: str | Path = DEFAULT_SET, reader: CuedPersonReader | None = None
) -> dict[str, Any]:
    """Score the reader on an Arabic person set; the result is JSON-ready."""
    warnings = RowWarnings(str(path))
    items = read_items(path, warnings)
    if not items:
        raise EvalFileError(f"{path}: no usable sentences ({warnings.summary() or 'empty file'})")
    read = reader or CuedPersonReader.from_language("ar")
    scores = {"all": ArabicPersonScore()}
    wrong = []
    for item in items:
        found = [p.name for p in read.read(item.text)]
        outcome = scores["all"].add(item, found, read)
        batch = "second batch" if SECOND_BATCH in item.id else "first batch"
        scores.setdefault(batch, ArabicPersonScore()).add(item, found, read)
        if outcome["missed"] or outcome["extra"] or outcome["not_masked"]:
            wrong.append(outcome)
    return {
        "dataset": "persons_ar",
        "path": str(path),
        "warnings": warnings.to_dict(),
        "scores": {name: s.to_dict() for name, s in scores.items()},
        "sentences": wrong,
    }


def summary(result: dict[str, Any]) -> list[str]:
    lines = []
    for name, s in result["scores"].items():
        lines.append(
            f"{name}: {s['sentences']} sentences, recall {_pct(s['recall'])}, precision "
            f"{_pct(s['precision'])} ({s['tp']} found of {s['reference']} named, "
            f"{s['predicted']} found in all); masked {s['masked']}/{s['occurrences']}"
        )
    for d in result["sentences"]:
        parts = [f"{k}: {'; '.join(v)}" for k, v in d.items() if k != "id" and v]
        lines.append(f"  {d['id']}  " + " | ".join(parts))
    return lines


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_SET))
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        result = score_arabic_persons(args.path)
    except EvalFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print("\n".join(summary(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
