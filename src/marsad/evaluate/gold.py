"""Scoring the engine against the project's hand-annotated gold set (JSON Lines).

Each line is ``{"id", "text", "published", "style", "claims": [Claim.to_dict(), ...]}``.

**Claim alignment.** Within a document every (system, gold) claim pair whose evidence spans
overlap is scored ``character Jaccard overlap of the evidence spans + 0.25 if the event types are
equal``; pairs are then matched greedily, best score first, each claim used at most once. Greedy
matching is enough here: documents hold a handful of claims and overlapping evidence is rare.

**Field scores.** For each field a claim yields a bag of items, in two forms: *value* (e.g. a count
is ``(category, group, low, high)``) and *span* (the evidence offsets). True positives are the
bag intersection over aligned pairs; precision divides by all system items (also those of
unaligned claims), recall by all gold items.

**Places.** Gold places carry a canonical name and governorate but usually no gazetteer id (the
annotators name places; they do not look up ids). So a gold place is resolved through
``default_gazetteer().resolve_name(name, admin1=...)``, and a (system, gold) pair of places agrees
when both sides have an id and the ids are equal, or, when either side has none, when their
folded names are equal. Comparing ids makes "Maarat al-Numan" and "Ma'arrat an-Nu'man" the same
place, and keeps two villages that share a name in different governorates apart. Pairs are
matched greedily (documents name a few places), so the count is still a bag intersection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from marsad.contract.claim import Claim, DocumentMeta, PlaceRef, Span, claim_from_dict
from marsad.evaluate.files import EvalFileError, RowWarnings, read_jsonl
from marsad.evaluate.metrics import PRF, multiset_overlap
from marsad.evaluate.runner import Extractor, default_extractor, safe_extract
from marsad.ingest.language import detect_language

TYPE_BONUS = 0.25

Item = Any
FieldItems = Callable[[Claim], tuple[list[Item], list[Item]]]


def _offsets(span: Span | None) -> list[tuple[int, int]]:
    return [(span.start, span.end)] if span is not None else []


def _fold(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").split())


@dataclass(frozen=True, slots=True)
class PlaceKey:
    """What a place is compared by: its gazetteer id when known, else its folded name."""

    id: str | None
    name: str

    def agrees(self, other: PlaceKey) -> bool:
        if self.id is not None and other.id is not None:
            return self.id == other.id
        return self.name == other.name

    def __repr__(self) -> str:
        return self.id or self.name


_AREA_PRECISIONS = ("governorate", "region")


@lru_cache(maxsize=4096)
def _gold_place_id(name: str, admin1: str | None, precision: str, kind: str | None) -> str | None:
    """The gazetteer id of a gold place, if its name resolves.

    A governorate or a region of one ("western Aleppo") is keyed by the governorate, as the
    engine keys it; a settlement by the place ``resolve_name`` picks within ``admin1``, or the
    candidate of the annotated ``kind`` when the name is shared (city Idlib vs. the governorate).
    """
    from marsad.gazetteer import default_gazetteer
    from marsad.gazetteer.normalize import matching_rules

    gaz = default_gazetteer()
    if precision in _AREA_PRECISIONS:
        drop = set(matching_rules()["directions"]) | set(matching_rules()["countryside_words"])
        core = " ".join(w for w in name.split() if w.lower() not in drop)
        unit = gaz.resolve_admin1(core) or (gaz.resolve_admin1(admin1) if admin1 else None)
        return unit.id if unit is not None else None
    place = gaz.resolve_name(name, admin1=admin1)
    if kind is not None and place is not None and place.kind != kind:
        same_kind = [p for p in gaz.candidates(name) if p.kind == kind]
        if admin1 is not None:
            same_kind = [p for p in same_kind if p.admin1 == place.admin1] or same_kind
        place = same_kind[0] if same_kind else place
    return place.id if place is not None else None


def place_key(place: PlaceRef) -> PlaceKey:
    """Comparison key of a place: its own id, else the id its name and governorate resolve to."""
    pid = place.gazetteer_id or _gold_place_id(
        place.name, place.admin1, place.precision, place.kind
    )
    return PlaceKey(pid, _fold(place.name))


def _overlap(predicted: list[Item], reference: list[Item]) -> int:
    """Bag intersection; place keys agree by :meth:`PlaceKey.agrees` (greedy, ids first)."""
    if not any(isinstance(x, PlaceKey) for x in predicted + reference):
        return multiset_overlap(predicted, reference)
    left = list(reference)
    hits = 0
    for item in sorted(predicted, key=lambda k: k.id is None):
        match = next((j for j, r in enumerate(left) if item.agrees(r)), None)
        if match is not None:
            hits += 1
            del left[match]
    return hits


def _field_items() -> dict[str, FieldItems]:
    """(value items, span items) per field."""
    return {
        "event_type": lambda c: ([c.event_type], _offsets(c.event_type_evidence)),
        "scope": lambda c: ([c.scope], _offsets(c.evidence)),
        "dates": lambda c: (
            [(c.date_start, c.date_end or c.date_start)] if c.date_start else [],
            _offsets(c.date_evidence),
        ),
        "places": lambda c: (
            [place_key(p) for p in c.places],
            [(p.evidence.start, p.evidence.end) for p in c.places],
        ),
        "perpetrators": lambda c: (
            [a.id for a in c.perpetrators],
            [(a.evidence.start, a.evidence.end) for a in c.perpetrators],
        ),
        "targets": lambda c: (
            [a.id for a in c.targets],
            [(a.evidence.start, a.evidence.end) for a in c.targets],
        ),
        "weapons": lambda c: (
            [w.type for w in c.weapons],
            [(w.evidence.start, w.evidence.end) for w in c.weapons],
        ),
        "counts": lambda c: (
            [(n.category, n.group, n.low, n.high) for n in c.counts],
            [(n.evidence.start, n.evidence.end) for n in c.counts],
        ),
        "facilities": lambda c: (
            [f.type for f in c.facilities],
            [(f.evidence.start, f.evidence.end) for f in c.facilities],
        ),
        "reported_by": lambda c: (
            [o.id or _fold(o.name) for o in c.reported_by],
            [(o.evidence.start, o.evidence.end) for o in c.reported_by],
        ),
        "persons": lambda c: (
            [_fold(p.name) for p in c.persons],
            [(p.evidence.start, p.evidence.end) for p in c.persons],
        ),
    }


FIELD_ITEMS = _field_items()
FIELDS = tuple(FIELD_ITEMS)


def pair_score(system: Claim, gold: Claim) -> float:
    """Alignment score of two claims: 0 when their evidence spans do not overlap."""
    a, b = system.evidence, gold.evidence
    overlap = min(a.end, b.end) - max(a.start, b.start)
    if overlap <= 0:
        return 0.0
    union = max(a.end, b.end) - min(a.start, b.start)
    return overlap / union + (TYPE_BONUS if system.event_type == gold.event_type else 0.0)


def align(system: list[Claim], gold: list[Claim]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of system to gold claims (indices), best pairs first."""
    candidates = sorted(
        (
            (pair_score(s, g), i, j)
            for i, s in enumerate(system)
            for j, g in enumerate(gold)
            if pair_score(s, g) > 0
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_s: set[int] = set()
    used_g: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, i, j in candidates:
        if i not in used_s and j not in used_g:
            used_s.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return sorted(pairs)


@dataclass(slots=True)
class GoldDocument:
    id: str
    text: str
    published: str | None
    style: str
    claims: list[Claim]


def read_gold(path: str | Path, warnings: RowWarnings) -> list[GoldDocument]:
    """Documents of a gold JSON Lines file; malformed lines go to ``warnings``."""
    docs: list[GoldDocument] = []
    for line, obj in read_jsonl(path, warnings):
        missing = [k for k in ("text", "claims") if k not in obj]
        if missing:
            warnings.add(line, f"line {line}: missing key(s) {', '.join(missing)}")
            continue
        try:
            claims = [claim_from_dict(c) for c in obj["claims"]]
        except (KeyError, TypeError, ValueError, AssertionError) as exc:
            warnings.add(line, f"line {line}: malformed claim ({type(exc).__name__}: {exc})")
            continue
        if not isinstance(obj["text"], str):
            warnings.add(line, f"line {line}: text is not a string")
            continue
        docs.append(
            GoldDocument(
                id=str(obj.get("id", line)),
                text=obj["text"],
                published=obj.get("published"),
                style=str(obj.get("style", "")),
                claims=claims,
            )
        )
    return docs


@dataclass(slots=True)
class GoldScore:
    claims: PRF
    value: dict[str, PRF]
    span: dict[str, PRF]
    by_style: dict[str, PRF]

    @classmethod
    def empty(cls) -> GoldScore:
        return cls(PRF(), {f: PRF() for f in FIELDS}, {f: PRF() for f in FIELDS}, {})

    def add(self, style: str, system: list[Claim], gold: list[Claim]) -> list[dict[str, Any]]:
        """Score one document; returns its field disagreements (for error analysis)."""
        pairs = align(system, gold)
        self.claims.add(len(pairs), len(system), len(gold))
        self.by_style.setdefault(style, PRF()).add(len(pairs), len(system), len(gold))
        disagreements: list[dict[str, Any]] = []
        for name, items in FIELD_ITEMS.items():
            sys_items = [items(c) for c in system]
            gold_items = [items(c) for c in gold]
            value_tp = sum(_overlap(sys_items[i][0], gold_items[j][0]) for i, j in pairs)
            span_tp = sum(multiset_overlap(sys_items[i][1], gold_items[j][1]) for i, j in pairs)
            self.value[name].add(
                value_tp, sum(len(v) for v, _ in sys_items), sum(len(v) for v, _ in gold_items)
            )
            self.span[name].add(
                span_tp, sum(len(s) for _, s in sys_items), sum(len(s) for _, s in gold_items)
            )
            for i, j in pairs:
                sv, gv = sys_items[i][0], gold_items[j][0]
                if not (len(sv) == len(gv) == _overlap(sv, gv)):
                    disagreements.append(
                        {
                            "field": name,
                            "gold_claim": j,
                            "system": [repr(v) for v in sys_items[i][0]],
                            "gold": [repr(v) for v in gold_items[j][0]],
                        }
                    )
        return disagreements

    def to_dict(self) -> dict[str, Any]:
        return {
            "claims": self.claims.to_dict(),
            "value": {k: v.to_dict() for k, v in self.value.items()},
            "span": {k: v.to_dict() for k, v in self.span.items()},
            "claims_by_style": {k: v.to_dict() for k, v in sorted(self.by_style.items())},
        }


def score_gold(path: str | Path, extractor: Extractor | None = None) -> dict[str, Any]:
    """Score the engine on a gold JSON Lines file; the result is JSON-ready."""
    warnings = RowWarnings(str(path))
    docs = read_gold(path, warnings)
    if not docs:
        raise EvalFileError(f"{path}: no usable documents ({warnings.summary() or 'empty file'})")
    run = extractor or default_extractor()
    score = GoldScore.empty()
    documents: list[dict[str, Any]] = []
    errors = 0
    for doc in docs:
        # the language as ingest would record it: the gold set holds Arabic and English reports
        language = detect_language(doc.text)
        meta = DocumentMeta(
            published=doc.published, language="en" if language == "und" else language
        )
        claims, error = safe_extract(run, doc.text, meta)
        errors += int(bool(error))
        disagreements = score.add(doc.style, claims, doc.claims)
        documents.append(
            {
                "id": doc.id,
                "style": doc.style,
                "system_claims": len(claims),
                "gold_claims": len(doc.claims),
                "error": error,
                "disagreements": disagreements,
            }
        )
    return {
        "dataset": "gold",
        "path": str(path),
        "documents_scored": len(docs),
        "extraction_errors": errors,
        "warnings": warnings.to_dict(),
        **score.to_dict(),
        "documents": documents,
    }
