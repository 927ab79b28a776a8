"""Do the Arabic and the English version of one report tell the engine the same story?

Each JSON Lines record is one Syrian Archive investigation: ``path``, the Arabic Markdown
``text_ar`` and, for most, the English version ``text_en``. There are no labels; the measure is
agreement between the two readings. Each version is reduced to text (``markdown_text``; its front
matter's ``date`` is passed as the publication date, its ``title`` as the title) and extracted in
its own language, and the two main claims (``incident.main_incident``) are compared on:

* **event type**: the same Marsad event type;
* **place**: the main places (``incident.main_place``) are the same gazetteer place, or lie
  within 10 km of each other;
* **toll**: the same largest killed figure (``incident.killed_figure``), no figure on either
  side counting as the same.

Agreement needs a main claim on both sides: a version the engine reads nothing in (a missing
language pack included) agrees with nothing, so an empty reading never passes for consensus.
Shares are over every record with an English version, and beside them over the pairs where both
sides give a main claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from marsad.contract.claim import Claim, DocumentMeta, PlaceRef
from marsad.evaluate.files import EvalFileError, RowWarnings, read_jsonl
from marsad.evaluate.incident import killed_figure, main_incident, main_place
from marsad.evaluate.markdown_text import MarkdownDocument, read_markdown
from marsad.evaluate.metrics import haversine_km, share
from marsad.evaluate.runner import (
    Extractor,
    default_extractor,
    extract_or_no_pack,
    no_pack,
    scored_result,
)
from marsad.evaluate.tables import Table, pct

DATASET = "investigations"
PLACE_RADIUS_KM = 10.0
AGREEMENT_TARGET = 0.80
MEASURES = ("event_type", "place", "toll", "all_three")


@dataclass(slots=True)
class Investigation:
    row: int
    path: str
    arabic: str
    english: str  # empty when the record has no English version


def read_investigations(path: str | Path, warnings: RowWarnings) -> list[Investigation]:
    """The records with an Arabic text (others to ``warnings``)."""
    out: list[Investigation] = []
    for number, obj in read_jsonl(path, warnings):
        arabic, english = obj.get("text_ar"), obj.get("text_en")
        if not isinstance(arabic, str) or not arabic.strip():
            warnings.add(number, f"line {number}: no text_ar")
            continue
        english = english if isinstance(english, str) else ""
        out.append(Investigation(number, str(obj.get("path") or number), arabic, english))
    return out


def published(meta: dict[str, Any]) -> str | None:
    """The front matter's ``date`` as an ISO day, or None when absent or unreadable."""
    value = meta.get("date")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)[:10]).isoformat() if value else None
    except ValueError:
        return None


def document_meta(doc: MarkdownDocument, language: str) -> DocumentMeta:
    title = doc.meta.get("title")
    return DocumentMeta(
        published=published(doc.meta),
        language=language,
        title=title if isinstance(title, str) else None,
        source="syrianarchive",
    )


def same_place(a: PlaceRef | None, b: PlaceRef | None) -> bool:
    """The same gazetteer place, or two places within 10 km of each other."""
    if a is None or b is None:
        return False
    if a.gazetteer_id is not None and a.gazetteer_id == b.gazetteer_id:
        return True
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return False
    return haversine_km(a.lat, a.lon, b.lat, b.lon) <= PLACE_RADIUS_KM


@dataclass(slots=True)
class Reading:
    """What the engine made of one version."""

    claims: list[Claim]
    error: str

    @property
    def main(self) -> Claim | None:
        return main_incident(self.claims)

    def place(self) -> PlaceRef | None:
        return main_place(self.main, self.claims)

    def describe(self) -> dict[str, Any]:
        main, place = self.main, self.place()
        return {
            "n_claims": len(self.claims),
            "event_type": main.event_type if main else None,
            "place": place.name if place else None,
            "place_id": place.gazetteer_id if place else None,
            "killed": killed_figure(main) if main else None,
            "no_language_pack": no_pack(self.error),
            "error": self.error,
        }


def compare(arabic: Reading, english: Reading) -> dict[str, bool]:
    """Agreement of the two main claims on each measure (False when either side has none)."""
    a, e = arabic.main, english.main
    if a is None or e is None:
        return dict.fromkeys(MEASURES, False)
    agree = {
        "event_type": a.event_type == e.event_type,
        "place": same_place(arabic.place(), english.place()),
        "toll": killed_figure(a) == killed_figure(e),
    }
    agree["all_three"] = all(agree.values())
    return agree


def _read(run: Extractor, markdown: str, language: str) -> Reading:
    doc = read_markdown(markdown)
    claims, error = extract_or_no_pack(run, doc.text, document_meta(doc, language))
    return Reading(claims, error)


def _outcome(item: Investigation, run: Extractor) -> dict[str, Any]:
    arabic, english = _read(run, item.arabic, "ar"), _read(run, item.english, "en")
    both = arabic.main is not None and english.main is not None
    return {
        "row": item.row,
        "path": item.path,
        "ar": arabic.describe(),
        "en": english.describe(),
        "both_have_a_main_claim": both,
        "agree": compare(arabic, english),
        # the runner counts extraction errors by this key; a missing pack is not one
        "error": next((r.error for r in (arabic, english) if r.error and not no_pack(r.error)), ""),
    }


def summarise(outcomes: list[dict[str, Any]], without_english: int) -> dict[str, Any]:
    """Agreement shares over all pairs and over the pairs where both sides read a claim."""
    both = [o for o in outcomes if o["both_have_a_main_claim"]]
    agreement = {
        m: {
            "agree": sum(1 for o in outcomes if o["agree"][m]),
            "of_pairs": share(sum(1 for o in outcomes if o["agree"][m]), len(outcomes)),
            "of_pairs_with_claims": share(sum(1 for o in both if o["agree"][m]), len(both)),
        }
        for m in MEASURES
    }
    return {
        "pairs": len(outcomes),
        "records_without_english": without_english,
        "pairs_with_claims_on_both_sides": len(both),
        "no_claim": {
            lang: sum(1 for o in outcomes if not o[lang]["n_claims"]) for lang in ("ar", "en")
        },
        "no_language_pack": {
            lang: sum(1 for o in outcomes if o[lang]["no_language_pack"]) for lang in ("ar", "en")
        },
        "agreement": agreement,
        "target": AGREEMENT_TARGET,
    }


def score_investigations(
    path: str | Path,
    extractor: Extractor | None = None,
    limit: int | None = None,
    examples: int = 5,
) -> dict[str, Any]:
    """Score Arabic-English agreement on a file of investigations; JSON-ready, with
    ``examples`` pairs that disagree on some measure."""
    warnings = RowWarnings(str(path))
    items = read_investigations(path, warnings)
    if not items:
        raise EvalFileError(f"{path}: no usable records ({warnings.summary()})")
    paired = [i for i in items if i.english.strip()]
    run = extractor or default_extractor()
    outcomes = [_outcome(item, run) for item in (paired[:limit] if limit else paired)]
    failures = [o for o in outcomes if not o["agree"]["all_three"]][:examples]
    summary = summarise(outcomes, len(items) - len(paired))
    return scored_result(DATASET, path, warnings, outcomes, summary, failures)


# --- presentation ------------------------------------------------------------------------------


def investigations_tables(result: dict[str, Any]) -> list[Table]:
    """Agreement per measure, and what each language's reading lacked."""
    pairs, both = result["pairs"], result["pairs_with_claims_on_both_sides"]
    head = Table(
        "Investigations: Arabic and English versions agree",
        ["measure", "of all pairs", "n", "of pairs with claims on both sides", "n", "target"],
        [],
    )
    for m in MEASURES:
        a = result["agreement"][m]
        head.rows.append(
            [
                m.replace("_", " "),
                pct(a["of_pairs"]),
                f"{a['agree']}/{pairs}",
                pct(a["of_pairs_with_claims"]),
                str(both),
                pct(result["target"]),
            ]
        )
    sides = Table(
        "Investigations: readings without a claim", ["version", "no claim", "no pack"], []
    )
    for lang, name in (("ar", "Arabic"), ("en", "English")):
        sides.rows.append(
            [
                name,
                f"{result['no_claim'][lang]}/{pairs}",
                f"{result['no_language_pack'][lang]}/{pairs}",
            ]
        )
    return [head, sides]


def _side(d: dict[str, Any]) -> str:
    if not d["n_claims"]:
        return "no language pack" if d["no_language_pack"] else "no claim"
    return f"{d['event_type']}, {d['place'] or 'no place'}, killed {d['killed']}"


def example_lines(examples: list[dict[str, Any]]) -> list[str]:
    """One line per disagreeing pair: the file, the measures that differ, both readings."""
    lines = []
    for e in examples:
        differ = [m for m in MEASURES[:-1] if not e["agree"][m]]
        lines.append(
            f"{e['path']}: differ on {', '.join(differ)}; "
            f"ar: {_side(e['ar'])}; en: {_side(e['en'])}"
        )
    return lines


def investigations_summary(result: dict[str, Any]) -> str:
    a = result["agreement"]
    return (
        f"Investigations, {result['pairs']} Arabic-English pairs "
        f"({result['pairs_with_claims_on_both_sides']} with claims on both sides, "
        f"{result['no_language_pack']['ar']} Arabic without a language pack): agree on event "
        f"type {pct(a['event_type']['of_pairs'])}, place {pct(a['place']['of_pairs'])}, toll "
        f"{pct(a['toll']['of_pairs'])}, all three {pct(a['all_three']['of_pairs'])}"
    )
