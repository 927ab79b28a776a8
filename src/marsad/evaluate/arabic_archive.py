"""Scoring the engine on Syrian Archive incident summaries written in Arabic and in English.

Each JSON Lines record holds one incident twice: ``title_ar``/``summary_ar`` and
``title_en``/``summary_en``, with the record's own ``incident_date`` (ISO), ``location``
("GOVERNORATE : place" in Arabic), ``latitude``/``longitude`` (often empty) and weapon labels in
``weapons_used.0``, ``weapons_used.1``. The title and summary are one document; the record gives
no publication date, so none is passed.

Both languages are scored on the same records with the English scorer's measures
(``syrianarchive.judge``: governorate, main place within 10 km, weapon through
``mapping.SYRIANARCHIVE_WEAPONS``), plus **date right**: the record's date lies in the main
claim's date range, over every record that has a date (no claim or no date is a miss). A record
whose language has no usable pack yet counts as "no claim", and those records are counted
apart so the figure says whether the engine or the missing pack is to blame.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from marsad.contract.claim import Claim, DocumentMeta
from marsad.evaluate.files import EvalFileError, RowWarnings, read_jsonl
from marsad.evaluate.incident import main_incident
from marsad.evaluate.mapping import fakes_governorate
from marsad.evaluate.metrics import share
from marsad.evaluate.runner import (
    Extractor,
    default_extractor,
    extract_or_no_pack,
    no_pack,
    scored_result,
)
from marsad.evaluate.syrianarchive import ArchiveRow, judge, parse_coordinate, summarise
from marsad.evaluate.tables import Table, pct

DATASET = "syrianarchive_ar"
LANGUAGES = ("ar", "en")
WEAPON_FIELDS = ("weapons_used.0", "weapons_used.1")
SNIPPET_PREVIEW = 120
# The dev targets for the Arabic column.
TARGETS = {"place_within_10km": 0.85, "date_right": 0.90, "weapon_right": 0.85}


@dataclass(slots=True)
class BilingualRecord:
    """One incident: the reference values once, its document in each language."""

    reference: ArchiveRow  # ``text`` holds the Arabic document
    texts: dict[str, str]


def _field(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value).strip()


def _document(record: dict[str, Any], language: str) -> str:
    parts = (_field(record, f"title_{language}"), _field(record, f"summary_{language}"))
    return "\n".join(p for p in parts if p)


def governorate_label(location: str) -> str:
    """The FA-KES governorate label of a location "GOVERNORATE : place" in Arabic or English
    (``unknown`` when the governorate is missing or not a Syrian one)."""
    from marsad.gazetteer import default_gazetteer

    name = location.split(":")[0].strip()
    unit = default_gazetteer().resolve_admin1(name) if name else None
    return fakes_governorate(unit.admin1_pcode if unit else None)


def _record(number: int, record: dict[str, Any]) -> BilingualRecord:
    texts = {language: _document(record, language) for language in LANGUAGES}
    if not texts["ar"]:
        raise ValueError("no Arabic title or summary")
    raw_date = _field(record, "incident_date")
    try:
        day: date | None = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise ValueError(f"incident_date {raw_date!r} is not an ISO date (YYYY-MM-DD)") from None
    lat = parse_coordinate(_field(record, "latitude"))
    lon = parse_coordinate(_field(record, "longitude"))
    labels = [_field(record, k) for k in WEAPON_FIELDS]
    reference = ArchiveRow(
        row=number,
        url=_field(record, "incident_code") or str(number),
        text=texts["ar"],
        governorate=governorate_label(_field(record, "location")),
        violation_type="not recorded",  # this export has no violation type
        weapon_labels=[w for w in labels if w and w.lower() != "none"],
        date=day,
        lat=lat if lon is not None else None,
        lon=lon if lat is not None else None,
        coordinates_given=bool(_field(record, "latitude") or _field(record, "longitude")),
    )
    return BilingualRecord(reference, texts)


def read_bilingual(path: str | Path, warnings: RowWarnings) -> list[BilingualRecord]:
    """The usable records of the file (a record without Arabic text goes to ``warnings``)."""
    records: list[BilingualRecord] = []
    for number, obj in read_jsonl(path, warnings):
        try:
            records.append(_record(number, obj))
        except ValueError as exc:
            warnings.add(number, f"line {number}: {exc}")
    return records


def date_right(row: ArchiveRow, main: Claim | None) -> bool | None:
    """Whether the record's date lies in the main claim's range (None: the record has none)."""
    if row.date is None:
        return None
    if main is None or not main.date_start:
        return False
    start = date.fromisoformat(main.date_start)
    end = date.fromisoformat(main.date_end) if main.date_end else start
    return start <= row.date <= end


def _outcome(
    reference: ArchiveRow, language: str, claims: list[Claim], error: str
) -> dict[str, Any]:
    # a missing pack is counted apart (``no_language_pack``), not as an engine failure
    outcome = judge(reference, claims, "" if no_pack(error) else error)
    distance = outcome["distance_km"]
    outcome.update(
        language=language,
        no_language_pack=no_pack(error),
        date_right=date_right(reference, main_incident(claims)),
        place_within_10km=(
            distance is not None and distance <= 10.0 if reference.lat is not None else None
        ),
    )
    return outcome


def _misses(o: dict[str, Any]) -> list[str]:
    """What went wrong on one record, in words (empty when nothing did)."""
    kinds = (
        ["no language pack" if o["no_language_pack"] else "no claim"] if not o["n_claims"] else []
    )
    if o["n_claims"] and o["governorate_right"] is False:
        kinds.append(f"governorate {o['predicted_governorate']} for {o['governorate']}")
    if o["n_claims"] and o["place_within_10km"] is False:
        kinds.append(f"main place {o['distance_km'] if o['distance_km'] is not None else '?'} km")
    if o["n_claims"] and o["date_right"] is False:
        kinds.append(f"date {o['predicted_day'] or 'none'} for {o['date']}")
    if o["n_claims"] and o["weapon_right"] is False:
        kinds.append(f"weapons {o['predicted_weapons'] or 'none'} for {o['weapon_labels']}")
    return kinds


def _language_summary(outcomes: list[dict[str, Any]], without_text: int) -> dict[str, Any]:
    summary = summarise(outcomes)
    for key in ("date_right", "place_within_10km"):
        applicable = [o[key] for o in outcomes if o[key] is not None]
        right = sum(1 for ok in applicable if ok)
        summary[key] = {
            "correct": right,
            "total": len(applicable),
            "accuracy": share(right, len(applicable)),
        }
    refused = sum(1 for o in outcomes if o["no_language_pack"])
    summary["no_language_pack"] = {"rows": refused, "share": share(refused, len(outcomes))}
    summary["records_without_text"] = without_text
    return summary


def _score_language(
    records: Iterable[BilingualRecord], language: str, run: Extractor, examples: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """(outcomes, examples of misses, records without text in ``language``)."""
    outcomes: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    without_text = 0
    for record in records:
        text = record.texts[language]
        if not text:
            without_text += 1
            continue
        claims, error = extract_or_no_pack(run, text, DocumentMeta(language=language))
        outcome = _outcome(record.reference, language, claims, error)
        outcomes.append(outcome)
        if (kinds := _misses(outcome)) and len(failures) < examples:
            preview = " ".join(text.split())[:SNIPPET_PREVIEW]
            failures.append(
                {"row": outcome["row"], "code": outcome["url"], "language": language,
                 "failures": kinds, "snippet": preview}
            )  # fmt: skip
    return outcomes, failures, without_text


def score_arabic_archive(
    path: str | Path,
    extractor: Extractor | None = None,
    limit: int | None = None,
    examples: int = 5,
) -> dict[str, Any]:
    """Score the engine on the Arabic and the English summaries of a Syrian Archive JSON Lines
    file; the result is JSON-ready, with ``examples`` misses per language for the terminal."""
    warnings = RowWarnings(str(path))
    records = read_bilingual(path, warnings)
    if not records:
        raise EvalFileError(f"{path}: no usable records ({warnings.summary()})")
    run = extractor or default_extractor()
    chosen = records[:limit] if limit else records
    outcomes: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    languages: dict[str, Any] = {}
    for language in LANGUAGES:
        scored, missed, without_text = _score_language(chosen, language, run, examples)
        outcomes += scored
        failures += missed
        languages[language] = _language_summary(scored, without_text)
    summary = {"records_scored": len(chosen), "targets": TARGETS, "languages": languages}
    return scored_result(DATASET, path, warnings, outcomes, summary, failures)


# --- presentation ------------------------------------------------------------------------------


def _cells(acc: dict[str, Any]) -> list[str]:
    return [pct(acc["accuracy"]), f"{acc['correct']}/{acc['total']}"]


def _share_cells(part: dict[str, Any], records: int) -> list[str]:
    return [pct(part["share"]), f"{part['rows']}/{records}"]


def _measures(s: dict[str, Any]) -> list[tuple[str, list[str], str]]:
    """(measure, [value, n], target) rows for one language's summary."""
    records = s["rows_scored"]
    return [
        ("records with no claim", _share_cells(s["no_claim"], records), ""),
        ("  of which: no language pack", _share_cells(s["no_language_pack"], records), ""),
        ("governorate (records naming one)", _cells(s["governorate"]), ""),
        (
            "main place within 10 km (records with coordinates)",
            _cells(s["place_within_10km"]),
            pct(TARGETS["place_within_10km"]),
        ),
        ("date in the main claim's range (records with a date)", _cells(s["date_right"]),
         pct(TARGETS["date_right"])),
        ("date within 3 days, where dated", _cells(s["date"]["within_3_days_where_dated"]), ""),
        ("weapon, main claim (records with a mapped label)", _cells(s["weapons"]["main_claim"]),
         pct(TARGETS["weapon_right"])),
        ("weapon, any claim", _cells(s["weapons"]["any_claim"]), ""),
    ]  # fmt: skip


def arabic_archive_tables(result: dict[str, Any]) -> list[Table]:
    """The measures with the Arabic and English columns side by side, and the weapon labels."""
    ar, en = result["languages"]["ar"], result["languages"]["en"]
    head = Table(
        "Syrian Archive, Arabic and English summaries",
        ["measure", "Arabic", "n", "English", "n", "target (Arabic)"],
        [],
    )
    for (name, ar_cells, target), (_, en_cells, _) in zip(
        _measures(ar), _measures(en), strict=True
    ):
        head.rows.append([name, *ar_cells, *en_cells, target])
    labels = Table("Syrian Archive Arabic set: weapon labels", ["label", "records", "mapped"], [])
    for label, s in ar["weapons"]["per_label"].items():
        mapped = ", ".join(s["mapped_to"]) or "unmapped (left out)"
        labels.rows.append([label, str(s["rows"]), mapped])
    return [head, labels]


def example_lines(examples: list[dict[str, Any]]) -> list[str]:
    """One line per missed record: language, code, what went wrong, the text's start."""
    return [
        f"[{e['language']}] {e['code']}: {'; '.join(e['failures'])}: {e['snippet']}"
        for e in examples
    ]


def arabic_archive_summary(result: dict[str, Any]) -> str:
    parts = []
    for language, name in (("ar", "Arabic"), ("en", "English")):
        s = result["languages"][language]
        parts.append(
            f"{name}: no claim {pct(s['no_claim']['share'])} "
            f"({s['no_language_pack']['rows']} without a language pack), "
            f"place within 10 km {pct(s['place_within_10km']['accuracy'])} of "
            f"{s['place_within_10km']['total']}, date {pct(s['date_right']['accuracy'])} of "
            f"{s['date_right']['total']}, weapon {pct(s['weapons']['main_claim']['accuracy'])} "
            f"of {s['weapons']['main_claim']['total']}"
        )
    return f"Syrian Archive Arabic set, {result['records_scored']} records: " + "; ".join(parts)
