"""Scoring the engine against FA-KES (articles about Syrian war casualties with human-read fields).

For each article the engine's main incident (``incident.main_incident``) is compared with the
article's labels: governorate, cause of death, actor (through ``mapping``), civilian, child, women
and non-civilian death counts, and the event date. Rows whose date or counts do not parse are
skipped with a warning naming them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from marsad.contract.claim import Claim, DocumentMeta
from marsad.evaluate.files import CsvRow, EvalFileError, RowWarnings, read_csv
from marsad.evaluate.incident import (
    DEFAULT_RULE,
    civilian_and_combatant_deaths,
    killed_in_group,
    main_incident,
    main_place,
)
from marsad.evaluate.mapping import (
    fakes_actor,
    fakes_cause_of_article,
    fakes_governorate,
)
from marsad.evaluate.metrics import Accuracy, Confusion, CountScore
from marsad.evaluate.runner import Extractor, default_extractor, safe_extract

REQUIRED_COLUMNS = (
    "article_content",
    "date",
    "location",
    "actor",
    "cause_of_death",
    "nb_civilians",
    "nb_children",
    "nb_women",
    "nb_noncivilians",
)
CATEGORY_FIELDS = ("governorate", "cause", "actor")
COUNT_FIELDS = ("civilians", "children", "women", "noncivilians")
COUNT_COLUMNS = {
    "civilians": "nb_civilians",
    "children": "nb_children",
    "women": "nb_women",
    "noncivilians": "nb_noncivilians",
}
_MONTH_ABBREVIATIONS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_MONTHS = {m: i for i, m in enumerate(_MONTH_ABBREVIATIONS, 1)}
# FA-KES articles open with a dateline in one of several house styles ("Wed 05 Apr 2017",
# "Posted on April 19 2017 by ...", "Published July 5 2015", "Date of publication 7 July 2016",
# "24.08.2013", "05-09-2013", "Last updated at Apr 232017").
# It is the publication date the engine would get from a feed, and anchors "on Tuesday".
_MONTH = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATELINE_PATTERNS = (
    re.compile(rf"\b(?P<day>\d{{1,2}})\s+{_MONTH}\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    # "24.08.2013", "07.07.2015Get short URL": day.month.year, the European house style.
    re.compile(r"(?<![\d.\-])(?P<day>\d{2})([.\-])(?P<month>\d{2})\2(?P<year>(?:19|20)\d\d)(?!\d)"),
    # "Last updated at Apr 232017": day and year run together.
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{2}})(?P<year>20\d\d)\b", re.I),
)
DATELINE_WINDOW = 200


def parse_fakes_date(value: str) -> date:
    """FA-KES dates are M/D/YY (two-digit years are 20YY)."""
    parts = value.strip().split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"date {value!r} is not M/D/YY")
    month, day, year = (int(p) for p in parts)
    return date(2000 + year if year < 100 else year, month, day)


def _month_number(month: str) -> int:
    return int(month) if month.isdigit() else _MONTHS[month.lower()[:3]]


def dateline(text: str) -> date | None:
    """The publication date in the first characters of an article, if it has one."""
    head = text[:DATELINE_WINDOW]
    found = [m for p in _DATELINE_PATTERNS if (m := p.search(head))]
    if not found:
        return None
    m = min(found, key=lambda m: m.start())
    try:
        return date(int(m.group("year")), _month_number(m.group("month")), int(m.group("day")))
    except ValueError:
        return None


@dataclass(slots=True)
class FakesReference:
    row: int
    unit_id: str
    title: str
    text: str
    date: date
    governorate: str
    cause: str
    actor: str
    counts: dict[str, int]


def read_fakes(path: str | Path, warnings: RowWarnings) -> list[FakesReference]:
    """The usable rows of a FA-KES CSV file (bad rows go to ``warnings``)."""
    refs: list[FakesReference] = []
    for row in read_csv(path, REQUIRED_COLUMNS):
        try:
            refs.append(_reference(row))
        except ValueError as exc:
            warnings.add(row.number, f"{row.where()}: {exc}")
    return refs


def _reference(row: CsvRow) -> FakesReference:
    v = row.values
    if not v["article_content"].strip():
        raise ValueError("empty article_content")
    counts: dict[str, int] = {}
    for name, column in COUNT_COLUMNS.items():
        raw = v[column].strip()
        if not raw.isdigit():
            raise ValueError(f"{column} {raw!r} is not a whole number")
        counts[name] = int(raw)
    return FakesReference(
        row=row.number,
        unit_id=v.get("unit_id", "").strip() or str(row.number),
        title=v.get("article_title", "").strip(),
        text=v["article_content"],
        date=parse_fakes_date(v["date"]),
        governorate=v["location"].strip().lower() or "unknown",
        cause=v["cause_of_death"].strip().lower() or "unknown",
        actor=v["actor"].strip().lower() or "unknown",
        counts=counts,
    )


@dataclass(slots=True)
class FakesPrediction:
    governorate: str
    cause: str
    actor: str
    counts: dict[str, int]
    date_start: date | None
    date_end: date | None
    n_claims: int
    # the one day compared with FA-KES ``date`` (see :func:`event_day`)
    day: date | None = None
    # what the main incident was, for error analysis
    main: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def event_day(main: Claim | None, start: date | None, end: date | None) -> date | None:
    """The single day a claim's date range stands for, to compare with FA-KES ``date``.

    A claim whose date the text states (``date_evidence``) stands for its first day. A claim
    with no stated date gets the engine's window "the days before publication", which ends on
    the publication day; news reports with no date word are overwhelmingly about that day, and
    FA-KES dates such articles by it, so the window stands for its last day.
    """
    if main is None or start is None:
        return None
    return start if main.date_evidence is not None else end


def predict(claims: list[Claim], rule: str = DEFAULT_RULE) -> FakesPrediction:
    """The FA-KES-shaped reading of one article's claims."""
    main = main_incident(claims, rule)
    place = main_place(main, claims)
    civilians, combatants = civilian_and_combatant_deaths(main)
    start = date.fromisoformat(main.date_start) if main and main.date_start else None
    end = date.fromisoformat(main.date_end) if main and main.date_end else start
    day = event_day(main, start, end)
    return FakesPrediction(
        governorate=fakes_governorate(place.admin1_pcode if place else None),
        cause=fakes_cause_of_article(main, claims),
        actor=fakes_actor(main),
        counts={
            "civilians": civilians,
            "children": killed_in_group(main, "children") or 0,
            "women": killed_in_group(main, "women") or 0,
            "noncivilians": combatants,
        },
        date_start=start,
        date_end=end,
        day=day,
        n_claims=len(claims),
        main=describe(main),
    )


def describe(claim: Claim | None) -> dict[str, Any]:
    """A claim's labels without its text (for the per-article record and error analysis)."""
    if claim is None:
        return {}
    return {
        "scope": claim.scope,
        "event_type": claim.event_type,
        "trigger": claim.event_type_evidence.text if claim.event_type_evidence else None,
        "weapons": [w.type for w in claim.weapons],
        "perpetrators": [a.id for a in claim.perpetrators],
        "targets": [a.id for a in claim.targets],
        "places": [p.name for p in claim.places],
        "counts": [[c.category, c.group, c.low, c.high] for c in claim.counts],
        "date_precision": claim.date_precision,
        "offset": claim.evidence.start,
    }


@dataclass(slots=True)
class FakesScore:
    categories: dict[str, Accuracy] = field(
        default_factory=lambda: {f: Accuracy() for f in CATEGORY_FIELDS}
    )
    confusion: dict[str, Confusion] = field(
        default_factory=lambda: {f: Confusion() for f in CATEGORY_FIELDS}
    )
    counts: dict[str, CountScore] = field(
        default_factory=lambda: {f: CountScore() for f in COUNT_FIELDS}
    )
    date_exact: Accuracy = field(default_factory=Accuracy)
    date_within_1_day: Accuracy = field(default_factory=Accuracy)
    date_in_range: Accuracy = field(default_factory=Accuracy)
    articles: list[dict[str, Any]] = field(default_factory=list)
    extraction_errors: int = 0

    def add(self, ref: FakesReference, pred: FakesPrediction) -> None:
        reference = {"governorate": ref.governorate, "cause": ref.cause, "actor": ref.actor}
        predicted = {"governorate": pred.governorate, "cause": pred.cause, "actor": pred.actor}
        for name in CATEGORY_FIELDS:
            self.categories[name].add(reference[name] == predicted[name])
            self.confusion[name].add(reference[name], predicted[name])
        for name in COUNT_FIELDS:
            self.counts[name].add(pred.counts[name], ref.counts[name])
        start, end = pred.date_start, pred.date_end
        day = pred.day
        self.date_exact.add(day == ref.date)
        self.date_within_1_day.add(day is not None and abs(day - ref.date) <= timedelta(1))
        self.date_in_range.add(start is not None and end is not None and start <= ref.date <= end)
        self.extraction_errors += int(bool(pred.error))
        self.articles.append(
            {
                "row": ref.row,
                "unit_id": ref.unit_id,
                "n_claims": pred.n_claims,
                "error": pred.error,
                "main_claim": pred.main,
                "reference": {**reference, **ref.counts, "date": ref.date.isoformat()},
                "predicted": {
                    **predicted,
                    **pred.counts,
                    "date_start": start.isoformat() if start else None,
                    "date_end": end.isoformat() if end else None,
                    "date_day": day.isoformat() if day else None,
                },
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles_scored": len(self.articles),
            "extraction_errors": self.extraction_errors,
            "categories": {k: v.to_dict() for k, v in self.categories.items()},
            "confusion": {k: v.to_dict() for k, v in self.confusion.items()},
            "counts": {k: v.to_dict() for k, v in self.counts.items()},
            "date": {
                "exact": self.date_exact.to_dict(),
                "within_1_day": self.date_within_1_day.to_dict(),
                "in_range": self.date_in_range.to_dict(),
            },
            "articles": self.articles,
        }


def score_fakes(
    path: str | Path,
    extractor: Extractor | None = None,
    limit: int | None = None,
    rule: str = DEFAULT_RULE,
) -> dict[str, Any]:
    """Score the engine on a FA-KES CSV file; the result is JSON-ready (see ``FakesScore``)."""
    warnings = RowWarnings(str(path))
    refs = read_fakes(path, warnings)
    if not refs:
        raise EvalFileError(f"{path}: no usable rows ({warnings.summary()})")
    run = extractor or default_extractor()
    score = FakesScore()
    for ref in refs[:limit] if limit else refs:
        published = dateline(ref.text)
        meta = DocumentMeta(
            published=published.isoformat() if published else None,
            title=ref.title or None,
            source="fakes",
        )
        claims, error = safe_extract(run, ref.text, meta)
        pred = predict(claims, rule)
        pred.error = error
        score.add(ref, pred)
    return {
        "dataset": "fakes",
        "path": str(path),
        "main_incident_rule": rule,
        "warnings": warnings.to_dict(),
        **score.to_dict(),
    }
