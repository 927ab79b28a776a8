"""Scoring person detection: are the named individuals of a text found, and do their names stay
out of places?

A name the engine misses is never masked, so **recall** is the figure that matters most;
**precision** says how many found "names" are not people. **Name parts as places** counts the
places the engine reports whose evidence overlaps a person's name in the text ("al-Hasan" of
"Omar al-Hasan" taken for the village Al Hissan): a place of that kind is wrong twice, as a
place and as a name left unmasked.

Two kinds of file are scored, told apart by their lines:

* the project's person set (``eval/persons/persons_en.jsonl``): ``{"id", "text", "persons":
  [names as written], "places": [places really meant]}``; ids holding ``-b2-`` (``-b3-`` ...)
  are batches written after the rules were tuned on the ones before, scored on their own too;
* the gold set (``eval/gold/gold.jsonl``): the persons annotated on its claims, read as
  :func:`marsad.evaluate.gold.read_gold` reads them, with their evidence spans.

Names are compared folded (case, hyphens and spacing ignored) and per document: a person the
text names twice is one person. Found names are counted twice over: *in claims* (the names of
all the document's claims, which is what the store records) and *in text* (every name the
person rules find in the whole text, claims or not: a document the engine draws no claim from
still names people).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marsad.contract.claim import Claim, DocumentMeta
from marsad.evaluate.files import EvalFileError, RowWarnings, read_jsonl, read_text
from marsad.evaluate.gold import read_gold
from marsad.evaluate.metrics import PRF
from marsad.evaluate.runner import Extractor, default_extractor, safe_extract
from marsad.evaluate.tables import Table, pct

NameReader = Callable[[str], list[str]]

# "-b2-", "-b3-" in an id: a batch written after the rules were tuned on the ones before
_BATCH = re.compile(r"-b(\d+)-")


def fold(name: str) -> str:
    """A name as compared: lower case, hyphens as spaces, single spaces."""
    return " ".join(name.lower().replace("-", " ").replace("’", "'").split())


@dataclass(slots=True)
class PersonItem:
    """One text and what it really names."""

    id: str
    text: str
    persons: list[str]
    places: list[str] = field(default_factory=list)
    published: str | None = None
    # where each person's name stands in the text (found by search when not given)
    spans: list[tuple[int, int]] = field(default_factory=list)


def read_person_set(path: str | Path, warnings: RowWarnings) -> list[PersonItem]:
    """The items of a person set; malformed lines go to ``warnings``."""
    items: list[PersonItem] = []
    for line, obj in read_jsonl(path, warnings):
        text, persons, places = obj.get("text"), obj.get("persons"), obj.get("places", [])
        if not (isinstance(text, str) and _names(persons) and _names(places)):
            warnings.add(line, f"line {line}: needs text (string), persons and places (lists)")
            continue
        assert isinstance(persons, list) and isinstance(places, list)  # checked by _names
        missing = [p for p in persons if p not in text]
        if missing:
            warnings.add(line, f"line {line}: person(s) not in the text: {', '.join(missing)}")
            continue
        spans = [(m, m + len(p)) for p in persons for m in _occurrences(text, p)]
        items.append(
            PersonItem(str(obj.get("id", line)), text, persons, places, obj.get("published"), spans)
        )
    return items


def gold_person_items(path: str | Path, warnings: RowWarnings) -> list[PersonItem]:
    """The gold set's documents as person items: the persons annotated on their claims."""
    items: list[PersonItem] = []
    for doc in read_gold(path, warnings):
        persons = [p for c in doc.claims for p in c.persons]
        # (gold places are canonical names, not words of the text: not scored here)
        items.append(
            PersonItem(
                doc.id,
                doc.text,
                [p.name for p in persons],
                [],
                doc.published,
                [(p.evidence.start, p.evidence.end) for p in persons],
            )
        )
    return items


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _occurrences(text: str, name: str) -> list[int]:
    out, at = [], text.find(name)
    while at >= 0:
        out.append(at)
        at = text.find(name, at + 1)
    return out


def default_name_reader() -> NameReader:
    """The names the English pack's person rules find anywhere in a text."""
    from marsad.extract import engine_for
    from marsad.lang import load_language_pack

    engine = engine_for(load_language_pack("en"))
    return lambda text: [p.name for p in engine.persons_of_text(text)]


@dataclass(slots=True)
class PersonScore:
    in_claims: PRF = field(default_factory=PRF)
    in_text: PRF = field(default_factory=PRF)
    parts_as_places: int = 0
    places_meant: PRF = field(default_factory=PRF)  # recall only: meant places kept
    texts: int = 0
    texts_without_claims: int = 0

    def add(self, item: PersonItem, claims: list[Claim], read: list[str]) -> dict[str, Any]:
        """Score one text (``read``: the names found in its whole text); returns what it got
        wrong (empty lists when nothing)."""
        wanted = {fold(p) for p in item.persons}
        found = {fold(p.name) for c in claims for p in c.persons}
        in_text = {fold(n) for n in read}
        self.in_claims.add(len(found & wanted), len(found), len(wanted))
        self.in_text.add(len(in_text & wanted), len(in_text), len(wanted))
        self.texts += 1
        self.texts_without_claims += int(not claims)
        places = [p for c in claims for p in c.places]
        as_places = sorted(
            {
                p.evidence.text
                for p in places
                if any(p.evidence.start < e and s < p.evidence.end for s, e in item.spans)
            }
        )
        self.parts_as_places += len(as_places)
        found_places = {fold(p.name) for p in places} | {fold(p.evidence.text) for p in places}
        meant = {fold(p) for p in item.places}
        self.places_meant.add(len(meant & found_places), len(meant), len(meant))
        return {
            "id": item.id,
            "missed": sorted(wanted - found),
            "missed_in_text": sorted(wanted - in_text),
            "extra": sorted(found - wanted),
            "name_parts_as_places": as_places,
            "places_missed": sorted(meant - found_places),
            "claims": len(claims),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "in_claims": self.in_claims.to_dict(),
            "in_text": self.in_text.to_dict(),
            "name_parts_as_places": self.parts_as_places,
            "places_meant_found": self.places_meant.to_dict()["recall"],
            "texts": self.texts,
            "texts_without_claims": self.texts_without_claims,
        }


def score_persons(
    path: str | Path, extractor: Extractor | None = None, reader: NameReader | None = None
) -> dict[str, Any]:
    """Score person detection on a person set or on the gold set (told apart by the file's
    first line); the result is JSON-ready."""
    warnings = RowWarnings(str(path))
    gold = _is_gold(path)
    items = gold_person_items(path, warnings) if gold else read_person_set(path, warnings)
    if not items:
        raise EvalFileError(f"{path}: no usable texts ({warnings.summary() or 'empty file'})")
    run = extractor or default_extractor()
    read = reader or default_name_reader()
    scores = {"all": PersonScore()}
    documents: list[dict[str, Any]] = []
    errors = 0
    for item in items:
        claims, error = safe_extract(run, item.text, DocumentMeta(published=item.published))
        errors += int(bool(error))
        batch = _batch(item.id)
        names = read(item.text)
        outcome = scores["all"].add(item, claims, names)
        if not gold:
            scores.setdefault(batch, PersonScore()).add(item, claims, names)
        documents.append({**outcome, "error": error})
    return {
        "dataset": "persons",
        "kind": "gold" if gold else "person set",
        "path": str(path),
        "extraction_errors": errors,
        "warnings": warnings.to_dict(),
        "scores": {name: s.to_dict() for name, s in scores.items()},
        "documents": [d for d in documents if _wrong(d)],
    }


def _wrong(d: dict[str, Any]) -> bool:
    return bool(d["missed"] or d["extra"] or d["error"] or d["name_parts_as_places"])


def _batch(item_id: str) -> str:
    """ "p-a-001" -> "first batch"; "p-b2-001" -> "batch 2" (written after tuning)."""
    found = _BATCH.search(item_id)
    return f"batch {found.group(1)}" if found else "first batch"


def _is_gold(path: str | Path) -> bool:
    for line in read_text(path).splitlines():
        if line.strip():
            try:
                return "claims" in json.loads(line)
            except (json.JSONDecodeError, TypeError):
                return False
    return False


def persons_tables(result: dict[str, Any]) -> list[Table]:
    scores = Table(
        f"Persons ({result['kind']})",
        ["texts", "found in", "recall", "precision", "F1", "tp/found/named", "parts as places"],
        [],
    )
    for name, s in result["scores"].items():
        for where in ("in_claims", "in_text"):
            p = s[where]
            scores.rows.append(
                [
                    f"{name} ({s['texts']})",
                    where.replace("_", " "),
                    pct(p["recall"]),
                    pct(p["precision"]),
                    pct(p["f1"]),
                    f"{p['tp']}/{p['predicted']}/{p['reference']}",
                    str(s["name_parts_as_places"]) if where == "in_claims" else "",
                ]
            )
    errors = Table(
        "Persons: texts with errors",
        ["id", "missed (in claims)", "missed in text", "extra (in claims)", "parts as places"],
        [],
    )
    for d in result["documents"]:
        errors.rows.append(
            [
                d["id"] + ("" if d["claims"] else " (no claim)"),
                "; ".join(d["missed"]),
                "; ".join(d["missed_in_text"]),
                "; ".join(d["extra"]),
                "; ".join(d["name_parts_as_places"]),
            ]
        )
    return [scores, errors] if errors.rows else [scores]


def persons_summary(result: dict[str, Any]) -> str:
    s = result["scores"]["all"]
    c, t = s["in_claims"], s["in_text"]
    return (
        f"Persons {result['kind']} {s['texts']} texts: recall in claims {pct(c['recall'])} "
        f"(precision {pct(c['precision'])}), in text {pct(t['recall'])} (precision "
        f"{pct(t['precision'])}); name parts as places {s['name_parts_as_places']}"
    )
