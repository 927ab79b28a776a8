"""Scoring the engine against Syrian Archive incident records (short English descriptions).

Each record has a description (the text the engine reads), a location "GOVERNORATE : place",
often coordinates, a date (dd/mm/yyyy), a violation type and weapon labels. The description has
no dateline, so the engine runs with no publication date. The engine's main incident is picked
with ``incident.main_incident`` (default rule) as in the FA-KES evaluation, and compared on:

* **no claim**: the share of records the engine returns nothing for, by violation type;
* **governorate**: the main place's governorate (``incident.main_place``) against the record's,
  both as FA-KES labels (``mapping.fakes_governorate``, ``mapping.syrianarchive_governorate``);
* **weapon**: on records with a weapon label that has a Marsad counterpart
  (``mapping.SYRIANARCHIVE_WEAPONS``), whether the main claim (and, beside it, any claim) names
  one of the labelled weapons; labels without a counterpart are counted and left out;
* **date**, only where the engine dates the main claim: exact day and within 3 days, with the
  share of records dated;
* **distance** from the record's point to the main place, where the record has coordinates.
"""

from __future__ import annotations

import html
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from marsad.contract.claim import Claim, DocumentMeta
from marsad.evaluate.fakes import event_day
from marsad.evaluate.files import CsvRow, EvalFileError, RowWarnings, read_csv
from marsad.evaluate.incident import main_incident, main_place
from marsad.evaluate.mapping import (
    SYRIANARCHIVE_NONE,
    SYRIANARCHIVE_WEAPONS,
    UNKNOWN,
    fakes_governorate,
    syrianarchive_governorate,
)
from marsad.evaluate.metrics import Accuracy, haversine_km, share
from marsad.evaluate.runner import Extractor, default_extractor, safe_extract, scored_result
from marsad.evaluate.tables import Table, num, pct

REQUIRED_COLUMNS = ("location", "lat", "lon", "date", "violation_type", "weapons", "description")
DATE_TOLERANCE_DAYS = 3
PLACE_RADIUS_KM = 10.0
SNIPPET_PREVIEW = 120
# Coordinates come as decimals ("36.21") or degrees, minutes and seconds in several spellings
# ("34°51'12\"N", "36° 4'18.5", "35°12′40″N"): the numbers in order, then an optional hemisphere.
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")
_HEMISPHERE = re.compile(r"[NSEW]\s*$", re.IGNORECASE)


def parse_coordinate(value: str) -> float | None:
    """A latitude or longitude in decimal degrees, or None when absent or unreadable."""
    text = html.unescape(value).strip()
    if not text or text.lower() == SYRIANARCHIVE_NONE:
        return None
    numbers = [float(n) for n in _NUMBERS.findall(text)]
    if not numbers or len(numbers) > 3:
        return None
    degrees = sum(n / 60**i for i, n in enumerate(numbers))
    hemisphere = _HEMISPHERE.search(text)
    if text.startswith("-") or (hemisphere and hemisphere.group(0).strip().upper() in ("S", "W")):
        degrees = -degrees
    return degrees if -180.0 <= degrees <= 180.0 else None


@dataclass(slots=True)
class ArchiveRow:
    row: int
    url: str
    text: str
    governorate: str  # FA-KES label, or "unknown" when the record names none
    violation_type: str
    weapon_labels: list[str]
    date: date | None
    lat: float | None
    lon: float | None
    coordinates_given: bool  # the record has coordinates, readable or not


def _reference(r: CsvRow) -> ArchiveRow:
    v = r.values
    if not v["description"].strip():
        raise ValueError("empty description")
    try:
        day: date | None = datetime.strptime(v["date"].strip(), "%d/%m/%Y").date()
    except ValueError:
        day = None
    lat, lon = parse_coordinate(v["lat"]), parse_coordinate(v["lon"])
    labels = [w.strip() for w in html.unescape(v["weapons"]).split(",")]
    return ArchiveRow(
        row=r.number,
        url=v.get("url", "").strip() or str(r.number),
        # the export escapes HTML ("&#39;", "&quot;"); a report reaches the engine unescaped
        text=html.unescape(v["description"]),
        governorate=syrianarchive_governorate(v["location"].split(":")[0]),
        violation_type=html.unescape(v["violation_type"]).strip() or SYRIANARCHIVE_NONE,
        weapon_labels=[w for w in labels if w and w.lower() != SYRIANARCHIVE_NONE],
        date=day,
        lat=lat if lon is not None else None,
        lon=lon if lat is not None else None,
        coordinates_given=any(
            c.strip() and c.strip().lower() != SYRIANARCHIVE_NONE for c in (v["lat"], v["lon"])
        ),
    )


def read_archive(path: str | Path, warnings: RowWarnings) -> list[ArchiveRow]:
    """The usable rows of a Syrian Archive CSV file (rows without a description to warnings)."""
    rows: list[ArchiveRow] = []
    for r in read_csv(path, REQUIRED_COLUMNS):
        try:
            rows.append(_reference(r))
        except ValueError as exc:
            warnings.add(r.number, f"{r.where()}: {exc}")
    return rows


def _weapon_outcome(row: ArchiveRow, main: Claim | None, claims: list[Claim]) -> dict[str, Any]:
    wanted = {w for label in row.weapon_labels for w in SYRIANARCHIVE_WEAPONS.get(label, ())}
    on_main = {w.type for w in main.weapons} if main else set()
    on_any = {w.type for c in claims for w in c.weapons}
    return {
        "weapon_labels": row.weapon_labels,
        "unmapped_labels": [w for w in row.weapon_labels if w not in SYRIANARCHIVE_WEAPONS],
        "predicted_weapons": sorted(on_main),
        "weapon_right": bool(wanted & on_main) if wanted else None,
        "weapon_right_any_claim": bool(wanted & on_any) if wanted else None,
    }


def _place_outcome(row: ArchiveRow, main: Claim | None, claims: list[Claim]) -> dict[str, Any]:
    place = main_place(main, claims)
    predicted = fakes_governorate(place.admin1_pcode if place else None)
    distance = nearest = None
    if row.lat is not None and row.lon is not None:
        lat, lon = row.lat, row.lon
        if place is not None and place.lat is not None and place.lon is not None:
            distance = haversine_km(lat, lon, place.lat, place.lon)
        distances = [
            haversine_km(lat, lon, p.lat, p.lon)
            for c in claims
            for p in c.places
            if p.lat is not None and p.lon is not None
        ]
        nearest = min(distances, default=None)
    return {
        "governorate": row.governorate,
        "predicted_governorate": predicted,
        "governorate_right": predicted == row.governorate if row.governorate != UNKNOWN else None,
        "has_coordinates": row.lat is not None,
        "distance_km": round(distance, 2) if distance is not None else None,
        "nearest_km": round(nearest, 2) if nearest is not None else None,
    }


def _date_outcome(row: ArchiveRow, main: Claim | None) -> dict[str, Any]:
    start = date.fromisoformat(main.date_start) if main and main.date_start else None
    end = date.fromisoformat(main.date_end) if main and main.date_end else start
    day = event_day(main, start, end)
    gap = abs((day - row.date).days) if day and row.date else None
    return {
        "date": row.date.isoformat() if row.date else None,
        "predicted_day": day.isoformat() if day else None,
        "date_exact": gap == 0 if gap is not None else None,
        "date_within_3_days": gap <= DATE_TOLERANCE_DAYS if gap is not None else None,
    }


def judge(row: ArchiveRow, claims: list[Claim], error: str = "") -> dict[str, Any]:
    """One record's outcome on each measure (None where a measure does not apply)."""
    main = main_incident(claims)
    return {
        "row": row.row,
        "url": row.url,
        "violation_type": row.violation_type,
        "n_claims": len(claims),
        "event_type": main.event_type if main else None,
        "coordinates_given": row.coordinates_given,
        **_place_outcome(row, main, claims),
        **_weapon_outcome(row, main, claims),
        **_date_outcome(row, main),
        "error": error,
    }


# --- summary -----------------------------------------------------------------------------------


def _accuracy(outcomes: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """Accuracy of ``key`` over the outcomes where it applies (is not None)."""
    acc = Accuracy()
    for o in outcomes:
        if o[key] is not None:
            acc.add(bool(o[key]))
    return acc.to_dict()


def _no_claim_by_violation(outcomes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    rows = Counter(o["violation_type"] for o in outcomes)
    empty = Counter(o["violation_type"] for o in outcomes if not o["n_claims"])
    return {
        kind: {"rows": n, "no_claim": empty[kind], "share": share(empty[kind], n)}
        for kind, n in rows.most_common()
    }


def _weapon_summary(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    labelled = Counter(w for o in outcomes for w in o["weapon_labels"])
    right = Counter(w for o in outcomes if o["weapon_right"] for w in o["weapon_labels"])
    return {
        "main_claim": _accuracy(outcomes, "weapon_right"),
        "any_claim": _accuracy(outcomes, "weapon_right_any_claim"),
        "rows_with_a_label": sum(1 for o in outcomes if o["weapon_labels"]),
        "per_label": {
            label: {
                "rows": n,
                "mapped_to": list(SYRIANARCHIVE_WEAPONS.get(label, ())),
                "main_claim_right": right[label] if label in SYRIANARCHIVE_WEAPONS else None,
            }
            for label, n in labelled.most_common()
        },
        "unmapped_labels": dict(
            Counter(w for o in outcomes for w in o["unmapped_labels"]).most_common()
        ),
        "misses": _weapon_misses(outcomes),
    }


def _weapon_misses(outcomes: list[dict[str, Any]]) -> dict[str, int]:
    """Why the main claim missed a labelled weapon: no claim, no weapon, or another weapon."""
    missed = [o for o in outcomes if o["weapon_right"] is False]
    no_claim = sum(1 for o in missed if not o["n_claims"])
    no_weapon = sum(1 for o in missed if o["n_claims"] and not o["predicted_weapons"])
    return {
        "no_claim": no_claim,
        "no_weapon_on_main_claim": no_weapon,
        "other_weapon": len(missed) - no_claim - no_weapon,
    }


def _distance_summary(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    placed = [o for o in outcomes if o["has_coordinates"]]
    distances = [o["distance_km"] for o in placed if o["distance_km"] is not None]
    within = sum(1 for d in distances if d <= PLACE_RADIUS_KM)
    nearest = sum(
        1 for o in placed if o["nearest_km"] is not None and o["nearest_km"] <= PLACE_RADIUS_KM
    )
    return {
        "rows_with_coordinates": len(placed),
        "coordinates_unreadable": sum(
            1 for o in outcomes if o["coordinates_given"] and not o["has_coordinates"]
        ),
        "main_place_located": len(distances),
        "median_km": statistics.median(distances) if distances else None,
        "within_10km": share(within, len(placed)),
        "any_place_within_10km": share(nearest, len(placed)),
    }


def summarise(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """Every measure over the scored records (JSON-ready)."""
    no_claim = sum(1 for o in outcomes if not o["n_claims"])
    with_date = [o for o in outcomes if o["date"] is not None]
    dated = [o for o in with_date if o["predicted_day"] is not None]
    return {
        "rows_scored": len(outcomes),
        "no_claim": {"rows": no_claim, "share": share(no_claim, len(outcomes))},
        "no_claim_by_violation_type": _no_claim_by_violation(outcomes),
        "governorate": _accuracy(outcomes, "governorate_right"),
        "governorate_of_records_naming_a_place": _accuracy(
            [o for o in outcomes if o.get("text_names_place")], "governorate_right"
        ),
        "governorate_where_placed": _accuracy(
            [o for o in outcomes if o["predicted_governorate"] != UNKNOWN], "governorate_right"
        ),
        "rows_without_governorate": sum(1 for o in outcomes if o["governorate"] == UNKNOWN),
        "weapons": _weapon_summary(outcomes),
        "date": {
            "rows_with_a_date": len(with_date),
            "dated_share": share(len(dated), len(with_date)),
            "exact_where_dated": _accuracy(dated, "date_exact"),
            "within_3_days_where_dated": _accuracy(dated, "date_within_3_days"),
        },
        "distance": _distance_summary(outcomes),
    }


def _failures(o: dict[str, Any]) -> list[str]:
    kinds = ["no claim"] if not o["n_claims"] else []
    if o["governorate_right"] is False:
        kinds.append(f"governorate {o['predicted_governorate']} for {o['governorate']}")
    if o["weapon_right"] is False:
        kinds.append(f"weapons {o['predicted_weapons'] or 'none'} for {o['weapon_labels']}")
    return kinds


def _places_of(text: str) -> list[Any]:
    try:
        from marsad.extract import places_in
    except ImportError:  # an engine from before places_in (a previous release being scored)
        return []

    try:
        return places_in(text, DocumentMeta(source="syrianarchive"))
    except ValueError:  # as extract() raises it (too long, not text): scored as no place
        return []


def score_syrianarchive(
    path: str | Path,
    extractor: Extractor | None = None,
    limit: int | None = None,
    examples: int = 10,
) -> dict[str, Any]:
    """Score the engine on a Syrian Archive CSV file; the result is JSON-ready.

    ``examples`` failing records (no claim, wrong governorate, weapon missed) are kept with the
    first characters of their description for the terminal.
    """
    warnings = RowWarnings(str(path))
    rows = read_archive(path, warnings)
    if not rows:
        raise EvalFileError(f"{path}: no usable rows ({warnings.summary()})")
    run = extractor or default_extractor()
    outcomes: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for row in rows[:limit] if limit else rows:
        claims, error = safe_extract(run, row.text, DocumentMeta(source="syrianarchive"))
        outcome = judge(row, claims, error)
        # whether the description names any place at all: without one no governorate can be
        # read, so the share of such records is the ceiling of the governorate measure
        outcome["text_names_place"] = bool(error == "" and _places_of(row.text))
        outcomes.append(outcome)
        if (kinds := _failures(outcome)) and len(failures) < examples:
            preview = " ".join(row.text.split())[:SNIPPET_PREVIEW]
            failures.append({"row": row.row, "failures": kinds, "snippet": preview})
    return scored_result("syrianarchive", path, warnings, outcomes, summarise(outcomes), failures)


# --- presentation ------------------------------------------------------------------------------


def _of(acc: dict[str, Any]) -> list[str]:
    return [pct(acc["accuracy"]), f"{acc['correct']}/{acc['total']}"]


def archive_tables(result: dict[str, Any]) -> list[Table]:
    """The measures, weapon labels and no-claim records by violation type."""
    d, dist, w = result["date"], result["distance"], result["weapons"]
    rows = result["rows_scored"]
    head = Table("Syrian Archive", ["measure", "value", "n"], [])
    head.rows += [
        [
            "records with no claim",
            pct(result["no_claim"]["share"]),
            f"{result['no_claim']['rows']}/{rows}",
        ],
        ["governorate (records naming one)", *_of(result["governorate"])],
        ["governorate, where the engine gives one", *_of(result["governorate_where_placed"])],
        [
            "governorate, of records whose text names a place",
            *_of(result["governorate_of_records_naming_a_place"]),
        ],
        ["weapon, main claim (records with a mapped label)", *_of(w["main_claim"])],
        ["weapon, any claim", *_of(w["any_claim"])],
        [
            "weapon misses: no claim / no weapon / another weapon",
            " / ".join(str(n) for n in w["misses"].values()),
            str(sum(w["misses"].values())),
        ],
        ["records the engine dates", pct(d["dated_share"]), str(d["rows_with_a_date"])],
        ["date exact, where dated", *_of(d["exact_where_dated"])],
        ["date within 3 days, where dated", *_of(d["within_3_days_where_dated"])],
        [
            "main place within 10 km (records with coordinates)",
            pct(dist["within_10km"]),
            str(dist["rows_with_coordinates"]),
        ],
        [
            "any place within 10 km",
            pct(dist["any_place_within_10km"]),
            str(dist["rows_with_coordinates"]),
        ],
        [
            "median distance to main place (km)",
            num(dist["median_km"], 1),
            str(dist["main_place_located"]),
        ],
    ]
    labels = Table(
        "Syrian Archive: weapon labels",
        ["label", "records", "Marsad weapons", "main claim right"],
        [],
    )
    for label, s in w["per_label"].items():
        right = s["main_claim_right"]
        labels.rows.append(
            [
                label,
                str(s["rows"]),
                ", ".join(s["mapped_to"]) or "unmapped (left out)",
                "" if right is None else f"{right}/{s['rows']}",
            ]
        )
    empty = Table(
        "Syrian Archive: records with no claim by violation type",
        ["violation type", "no claim", "records", "share"],
        [],
    )
    for kind, s in result["no_claim_by_violation_type"].items():
        empty.rows.append([kind, str(s["no_claim"]), str(s["rows"]), pct(s["share"])])
    return [head, labels, empty]


def example_lines(examples: list[dict[str, Any]]) -> list[str]:
    """One line per failing record: row, what went wrong, the description's first characters."""
    return [f"row {e['row']}: {'; '.join(e['failures'])}: {e['snippet']}" for e in examples]


def archive_summary(result: dict[str, Any]) -> str:
    w, dist = result["weapons"], result["distance"]
    unmapped = sum(w["unmapped_labels"].values())
    return (
        f"Syrian Archive {result['rows_scored']} records: "
        f"no claim {pct(result['no_claim']['share'])}, "
        f"governorate {pct(result['governorate']['accuracy'])}, weapon "
        f"{pct(w['main_claim']['accuracy'])} of {w['main_claim']['total']} labelled "
        f"({unmapped} unmapped label(s) left out), dated {pct(result['date']['dated_share'])}, "
        f"main place within 10 km {pct(dist['within_10km'])} of "
        f"{dist['rows_with_coordinates']} with coordinates"
    )
