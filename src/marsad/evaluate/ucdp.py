"""Scoring places, dates and death tolls against UCDP GED (Syria 2016-2017).

Two evaluations:

* **name only** - resolve each event's ``where_coordinates`` name (where_prec 1 and 2) with the
  gazetteer and measure the distance to UCDP's point. The gazetteer package's own
  ``evaluate_names.score_ucdp_names`` is used when it exists; :func:`score_names_with` is the
  same measurement for any resolver.
* **headlines** - run the engine on ``source_headline`` for the northwest (Idlib, Aleppo, Hamah)
  single-source events whose article belongs to exactly one event, so the headline describes
  that one event, and compare places, governorate, date and death toll.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from marsad.contract.claim import Claim, DocumentMeta, PlaceRef
from marsad.evaluate.files import CsvRow, EvalFileError, RowWarnings, read_csv
from marsad.evaluate.incident import DEFAULT_RULE, killed_figure, main_incident, main_place
from marsad.evaluate.mapping import UCDP_ADMIN1_PCODE
from marsad.evaluate.metrics import haversine_km, share
from marsad.evaluate.runner import Extractor, default_extractor, safe_extract

NAME_COLUMNS = ("where_coordinates", "where_prec", "latitude", "longitude", "adm_1")
HEADLINE_COLUMNS = (
    "source_article",
    "source_headline",
    "source_date",
    "number_of_sources",
    "adm_1",
    "date_start",
    "date_end",
    "low",
    "high",
    *NAME_COLUMNS,
)
NORTHWEST_ADMIN1 = ("Idlib", "Aleppo", "Hamah")
PLACE_RADIUS_KM = 10.0
SETTLEMENT_KINDS = ("city", "town", "village", "neighbourhood")
NAME_RADII_KM = (5.0, 25.0)

# A stated death toll: a number within four words of a killing word, either order
# ("12 civilians killed", "kills 5", "death toll rises to 40"). Four-digit years are not tolls.
_NUMBER = (
    r"(?:\d{1,3}(?:,\d{3})*(?!\d)|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|"
    r"fifty|dozens?|hundreds?)"
)
_KILLING = r"(?:kill(?:s|ed|ing)?|dead|die[sd]?|deaths?|toll|martyr(?:s|ed|dom)?|lives|bodies)"
DEATH_TOLL = re.compile(
    rf"\b{_NUMBER}\b(?:\W+\w+){{0,4}}?\W+{_KILLING}\b|\b{_KILLING}\b(?:\W+\w+){{0,4}}?\W+{_NUMBER}\b",
    re.IGNORECASE,
)


def states_death_toll(headline: str) -> bool:
    """True when a headline gives a number of dead (see ``DEATH_TOLL``)."""
    return DEATH_TOLL.search(headline) is not None


class Located(Protocol):
    """Anything with coordinates: a gazetteer Place or an extracted PlaceRef."""

    @property
    def lat(self) -> float | None: ...

    @property
    def lon(self) -> float | None: ...


class NameResolver(Protocol):
    def resolve_name(self, name: str, admin1_hint: str | None = None) -> Located | None: ...


class PlaceLocator(Protocol):
    def locate(self, text: str) -> list[PlaceRef]: ...


def _float(row: CsvRow, column: str) -> float:
    try:
        return float(row.values[column])
    except ValueError:
        raise ValueError(f"{column} {row.values[column]!r} is not a number") from None


def _int(row: CsvRow, column: str) -> int:
    raw = row.values[column].strip()
    if not raw.lstrip("-").isdigit():
        raise ValueError(f"{column} {raw!r} is not a whole number")
    return int(raw)


def _iso(row: CsvRow, column: str) -> date:
    raw = row.values[column].strip()[:10]
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{column} {row.values[column]!r} is not an ISO date") from None


# --- name-only resolution -------------------------------------------------------------------


def score_names_with(
    path: str | Path,
    resolver: NameResolver,
    precisions: Iterable[int] = (1, 2),
    with_governorate: bool = False,
) -> dict[str, Any]:
    """Share of ``where_coordinates`` names resolved within 5 and 25 km, per where_prec.

    ``with_governorate``: the resolver is also told the row's governorate (``adm_1``), as a
    report usually names it beside a village."""
    warnings = RowWarnings(str(path))
    wanted = set(precisions)
    tallies: dict[str, Counter[str]] = {}
    cache: dict[tuple[str, str | None], Located | None] = {}
    for row in read_csv(path, NAME_COLUMNS):
        try:
            prec = _int(row, "where_prec")
            lat, lon = _float(row, "latitude"), _float(row, "longitude")
        except ValueError as exc:
            warnings.add(row.number, f"{row.where()}: {exc}")
            continue
        if prec not in wanted:
            continue
        name = row.values["where_coordinates"].strip()
        hint = row.values["adm_1"].strip() if with_governorate else None
        if (name, hint) not in cache:
            cache[(name, hint)] = resolver.resolve_name(name, hint or None)
        place = cache[(name, hint)]
        distance = (
            haversine_km(lat, lon, place.lat, place.lon)
            if place and place.lat is not None and place.lon is not None
            else None
        )
        for key in (f"where_prec_{prec}", "all"):
            t = tallies.setdefault(key, Counter())
            t["rows"] += 1
            t["resolved"] += int(distance is not None)
            for radius in NAME_RADII_KM:
                t[f"within_{radius:g}km"] += int(distance is not None and distance <= radius)
    groups = {
        key: {
            "rows": t["rows"],
            "resolved": share(t["resolved"], t["rows"]),
            **{f"within_{r:g}km": share(t[f"within_{r:g}km"], t["rows"]) for r in NAME_RADII_KM},
        }
        for key, t in sorted(tallies.items())
    }
    return {
        "method": "marsad.evaluate.ucdp.score_names_with(default_gazetteer())",
        "distinct_names": len({name for name, _ in cache}),
        "groups": groups,
        "warnings": warnings.to_dict(),
    }


def score_names(path: str | Path) -> dict[str, Any]:
    """Name-only resolution, by the gazetteer package's scorer when it has one."""
    try:
        helper = importlib.import_module("marsad.gazetteer.evaluate_names")
        scorer: Callable[[str], dict[str, Any]] | None = getattr(helper, "score_ucdp_names", None)
    except ImportError:
        scorer = None
    if scorer is not None:
        return {"method": "marsad.gazetteer.evaluate_names.score_ucdp_names", **scorer(str(path))}
    try:
        from marsad.gazetteer import default_gazetteer
    except ImportError as exc:
        # Report the gap instead of failing the headline evaluation with it.
        return {"method": "unavailable", "error": f"no gazetteer: {exc}"}
    result = score_names_with(path, default_gazetteer())
    unseen = gazetteer_without_ucdp()
    result["without_ucdp_entries"] = score_names_with(path, unseen)["groups"]
    result["without_ucdp_entries_given_governorate"] = score_names_with(
        path, unseen, with_governorate=True
    )["groups"]
    return result


def gazetteer_without_ucdp() -> Any:
    """The default gazetteer less everything that only UCDP GED contributed.

    The packaged gazetteer takes spellings and points from UCDP GED itself, so name-only
    resolution against the UCDP file is partly circular: a name the file contributed finds the
    file's own point. Scoring without UCDP-only entries, and without every spelling only UCDP
    gave (``Place.name_origins``), estimates what the same resolver gets on names it has not
    seen (held-out years, other datasets).
    """
    from marsad.gazetteer import Gazetteer, default_gazetteer

    full = default_gazetteer()
    return Gazetteer(
        (q for p in full if (q := _without_ucdp_names(p)) is not None),
        bare_governorate=full.bare_governorate,
        # (a gazetteer from before v2, scored as the previous release, has neither)
        **(
            {"context_keys": full.context_keys, "skeleton_words": full.skeleton_words}
            if hasattr(full, "context_keys")
            else {}
        ),
    )


def _without_ucdp_names(place: Any) -> Any:
    """``place`` with only the names some other source gave, or None when it has none."""
    from dataclasses import replace

    if set(place.sources) == {"ucdp"}:
        return None
    if not getattr(place, "name_origins", ()):
        return place
    kept = [(n, o) for n, o in zip(place.names, place.name_origins, strict=True) if o != "ucdp"]
    if not kept:
        return None
    names, origins = zip(*kept, strict=True)
    return replace(place, names=names, name_origins=origins)


def name_share_within(result: dict[str, Any], radius: str = "5km") -> float | None:
    """The overall share within ``radius`` from a name-only result, whichever scorer made it."""

    def walk(node: Any, path: str) -> Iterable[tuple[str, float]]:
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, f"{path}/{k}")
        elif isinstance(node, float):
            yield path, node

    hits = [(p, v) for p, v in walk(result, "") if radius in p and "prec" not in p.lower()]
    return hits[0][1] if hits else None


# --- headline extraction --------------------------------------------------------------------


@dataclass(slots=True)
class HeadlineRow:
    row: int
    headline: str
    published: date
    adm1_pcode: str | None
    date_start: date
    low: int
    high: int
    lat: float
    lon: float


def select_headline_rows(
    path: str | Path, warnings: RowWarnings
) -> tuple[list[HeadlineRow], dict[str, int]]:
    """Northwest single-source events whose article is cited by no other event in the file.

    "Belongs to exactly one event" is counted over every row of the file: a ``source_article``
    string that appears on two rows (two events from one article) removes both.
    """
    rows = list(read_csv(path, HEADLINE_COLUMNS))
    per_article = Counter(r.values["source_article"] for r in rows)
    steps = {"rows_in_file": len(rows)}
    northwest = [r for r in rows if any(g in r.values["adm_1"] for g in NORTHWEST_ADMIN1)]
    steps["northwest_admin1"] = len(northwest)
    single = [r for r in northwest if r.values["number_of_sources"].strip() == "1"]
    steps["single_source"] = len(single)
    own = [r for r in single if per_article[r.values["source_article"]] == 1]
    steps["article_of_one_event"] = len(own)
    selected: list[HeadlineRow] = []
    replaced = 0
    for r in own:
        try:
            start = _iso(r, "date_start")
            published = _publication_date(r, start)
            replaced += int(published == start and r.values["source_date"][:10] != str(start))
            headline = r.values["source_headline"].strip()
            if not headline:
                raise ValueError("empty source_headline")
            selected.append(
                HeadlineRow(
                    row=r.number,
                    headline=headline,
                    published=published,
                    adm1_pcode=UCDP_ADMIN1_PCODE.get(r.values["adm_1"].strip()),
                    date_start=start,
                    low=_int(r, "low"),
                    high=_int(r, "high"),
                    lat=_float(r, "latitude"),
                    lon=_float(r, "longitude"),
                )
            )
        except ValueError as exc:
            warnings.add(r.number, f"{r.where()}: {exc}")
    steps["usable"] = len(selected)
    steps["source_date_missing_or_placeholder"] = replaced
    return selected, steps


# UCDP fills unknown source dates with placeholders such as 1753-01-01.
EARLIEST_PLAUSIBLE_SOURCE_DATE = date(1990, 1, 1)


def _publication_date(row: CsvRow, start: date) -> date:
    """``source_date``, or ``date_start`` when the source date is empty or a placeholder."""
    if not row.values["source_date"].strip():
        return start
    published = _iso(row, "source_date")
    return published if published >= EARLIEST_PLAUSIBLE_SOURCE_DATE else start


def _nearest_km(row: HeadlineRow, claims: list[Claim]) -> float | None:
    distances = [
        haversine_km(row.lat, row.lon, p.lat, p.lon)
        for c in claims
        for p in c.places
        if p.lat is not None and p.lon is not None
    ]
    return min(distances, default=None)


def judge_headline(
    row: HeadlineRow, claims: list[Claim], names_place: bool, rule: str = DEFAULT_RULE
) -> dict[str, Any]:
    """One headline's outcome on each measure (None where the measure does not apply)."""
    main = main_incident(claims, rule)
    place = main_place(main, claims)
    nearest = _nearest_km(row, claims)
    start = date.fromisoformat(main.date_start) if main and main.date_start else None
    end = date.fromisoformat(main.date_end) if main and main.date_end else start
    toll = states_death_toll(row.headline)
    killed = killed_figure(main) if main else 0
    return {
        "row": row.row,
        "names_place": names_place,
        "states_toll": toll,
        "n_claims": len(claims),
        "nearest_km": round(nearest, 2) if nearest is not None else None,
        "place_within_10km": nearest is not None and nearest <= PLACE_RADIUS_KM,
        "predicted_admin1_pcode": place.admin1_pcode if place else None,
        "reference_admin1_pcode": row.adm1_pcode,
        "governorate_right": place is not None and place.admin1_pcode == row.adm1_pcode,
        "predicted_dates": [start.isoformat() if start else None, end.isoformat() if end else None],
        "reference_date": row.date_start.isoformat(),
        "date_right": start is not None and end is not None and start <= row.date_start <= end,
        "predicted_killed": killed if main else None,
        "reference_killed": [row.low, row.high],
        "toll_right": (row.low <= killed <= row.high) if toll else None,
    }


MEASURES = ("place_within_10km", "governorate_right", "date_right", "toll_right")


def summarise(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """Each measure as a share of all rows and of rows whose headline names a place."""
    named = [o for o in outcomes if o["names_place"]]
    tolls = [o for o in outcomes if o["states_toll"]]
    tolls_named = [o for o in named if o["states_toll"]]
    table: dict[str, dict[str, Any]] = {}
    for m in MEASURES:
        base_all, base_named = (tolls, tolls_named) if m == "toll_right" else (outcomes, named)
        right_all = sum(1 for o in base_all if o[m])
        right_named = sum(1 for o in base_named if o[m])
        table[m] = {
            "of_all_rows": share(right_all, len(base_all)),
            "right_all": right_all,
            "rows_all": len(base_all),
            "of_rows_naming_a_place": share(right_named, len(base_named)),
            "right_named": right_named,
            "rows_named": len(base_named),
        }
    settled = [o for o in outcomes if o.get("names_settlement")]
    table["place_within_10km"]["of_rows_naming_a_settlement"] = share(
        sum(1 for o in settled if o["place_within_10km"]), len(settled)
    )
    return {
        "rows": len(outcomes),
        "rows_naming_a_place": len(named),
        "rows_naming_a_settlement": len(settled),
        "rows_stating_a_toll": len(tolls),
        "measures": table,
    }


def _default_locator() -> PlaceLocator | None:
    try:
        from marsad.gazetteer import default_gazetteer
    except ImportError:
        return None
    locator: PlaceLocator = default_gazetteer()
    return locator


def score_headlines(
    path: str | Path,
    extractor: Extractor | None = None,
    locator: PlaceLocator | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Run the engine on the selected headlines and score them (see the module docstring).

    A headline "names a place" when the gazetteer's ``locate`` finds a place in it (with no
    gazetteer: when any extracted claim has a place).
    """
    warnings = RowWarnings(str(path))
    rows, steps = select_headline_rows(path, warnings)
    if not rows:
        raise EvalFileError(f"{path}: no usable headline rows ({warnings.summary()})")
    run = extractor or default_extractor()
    finder = locator if locator is not None else _default_locator()
    outcomes: list[dict[str, Any]] = []
    errors = 0
    for row in rows[:limit] if limit else rows:
        meta = DocumentMeta(published=row.published.isoformat(), source="ucdp")
        claims, error = safe_extract(run, row.headline, meta)
        errors += int(bool(error))
        located = (
            finder.locate(row.headline)
            if finder is not None
            else [p for c in claims for p in c.places]
        )
        outcome = judge_headline(row, claims, bool(located))
        # a village, town, city or quarter, not only a governorate or a region of one: the
        # rows where a place within 10 km of UCDP's point can be expected at all
        outcome["names_settlement"] = any(p.kind in SETTLEMENT_KINDS for p in located)
        outcomes.append(outcome)
    return {
        "selection": steps,
        "extraction_errors": errors,
        "warnings": warnings.to_dict(),
        **summarise(outcomes),
        "outcomes": outcomes,
    }


def score_ucdp(
    path: str | Path,
    extractor: Extractor | None = None,
    limit: int | None = None,
    names: bool = True,
) -> dict[str, Any]:
    """Both UCDP evaluations; the result is JSON-ready."""
    result: dict[str, Any] = {"dataset": "ucdp", "path": str(path)}
    if names:
        result["name_only"] = score_names(path)
    result["headlines"] = score_headlines(path, extractor, limit=limit)
    return result
