"""The brief: a publication-ready summary of a period, built only from store views.

Restricted-safe by construction: every number, place and source comes from views queried at the
filter's ``max_sensitivity`` (``public`` unless the caller widened it, which is then logged and
stamped on the page), and free text passes through the name redactor. The footer carries the
exact query and the ledger head hash so anyone with the database can reproduce the figures.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from marsad.contract.incident import AggregateView, IncidentFilter, IncidentView
from marsad.protect.disclosure import REVIEWED_STATES, Disclosure
from marsad.protect.links import safe_link
from marsad.publish.charts import MapLabel, MapPoint, daily_timeline, incident_map, map_labels
from marsad.publish.common import source_names
from marsad.publish.export import (
    filter_description,
    publish_filter,
    shown_incidents,
    unreviewed_left_out,
)
from marsad.publish.figures import METHOD, PROHIBITED_WEAPONS, Totals
from marsad.publish.labels import admin1_name, count_words, label, place_name
from marsad.publish.markdown import md_code, md_text, md_url
from marsad.publish.place_names import names_in_script

if TYPE_CHECKING:
    from marsad.store import Store

BRIEF_FORMATS: tuple[str, ...] = ("html", "md", "pdf")
LANGUAGES: tuple[str, ...] = ("en", "ar")
TABLE_LIMIT = 300  # rows in the incident table; the exports carry the full list
# The brief is a file opened anywhere, so its policy travels inside it: no script of any kind,
# nothing loaded from elsewhere (its charts and styles are inline), no forms, no <base>.
# Styles are allowed inline ('unsafe-inline') rather than by hash: the one <style> element
# repeats the title and period, so its hash changes with every brief, and a style cannot run
# code or, with every load refused, send anything out.
BRIEF_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


@lru_cache(maxsize=1)
def _all_strings() -> dict[str, dict[str, str]]:
    text = resources.files("marsad.publish").joinpath("data/strings.json").read_text("utf-8")
    data: dict[str, dict[str, str]] = json.loads(text)
    return data


def strings(lang: str) -> dict[str, str]:
    """The frame's words in ``lang``; any missing key falls back to English."""
    table = _all_strings()
    if lang not in table:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(table)}")
    return {**table["en"], **table[lang], "lang": lang}


@dataclass
class HeadlineFigure:
    label: str
    value: str
    detail: str = ""


@dataclass
class Brief:
    lang: str
    direction: str
    words: dict[str, str]
    title: str
    period: str
    area: str
    headline: list[HeadlineFigure]
    facilities: list[tuple[str, str]]
    prohibited: list[tuple[str, int]]
    map_svg: str  # names drawn inside: for files a browser opens (the Markdown edition's)
    timeline_svg: str
    # what the HTML and PDF editions show: SVG without text in a script that needs shaping,
    # its names and legend set over and under it as HTML (see _charts)
    map_page_svg: str
    map_labels: list[MapLabel]
    timeline_page_svg: str
    timeline_legend: list[str]
    rows: list[dict[str, Any]]
    incident_count: int
    reported: list[dict[str, Any]]
    on_record: str
    method: tuple[str, ...]
    query: str
    filter_json: str
    ledger_head: str
    generated: str
    level: str
    warnings: list[str] = field(default_factory=list)
    review_notes: list[str] = field(default_factory=list)  # what the publish gate did


def command_line(f: IncidentFilter) -> str:
    """The ``marsad brief`` arguments that select exactly these incidents."""
    parts = ["marsad brief"]
    if f.date_from:
        parts.append(f"--from {f.date_from.isoformat()}")
    if f.date_to:
        parts.append(f"--to {f.date_to.isoformat()}")
    if f.area:
        parts.append(f"--area {json.dumps(f.area, ensure_ascii=False)}")
    parts.extend(f"--type {t}" for t in f.event_types)
    if f.max_sensitivity == "public" and not f.reviewed_only:
        parts.append("--include-unreviewed")
    if f.max_sensitivity != "public":
        parts.append(f"--include {f.max_sensitivity}")
    return " ".join(parts)


def _aggregate_in_area(agg: AggregateView, area: str | None) -> bool:
    if not area:
        return True
    needle = area.strip().lower()
    return any(needle in name.lower() for name in agg.area) or any(
        code.lower().startswith(needle) for code in agg.admin1_pcodes
    )


def _table_row(view: IncidentView, lang: str, redact: Disclosure) -> dict[str, Any]:
    def cell(name: str) -> str:
        f = view.figure(name)
        if f.low is None:
            return "–"
        if f.high is None:
            return f"≥{f.low}"
        return str(f.low) if f.high == f.low else f"{f.low}–{f.high}"

    where = (place_name(view, lang), admin1_name(view, lang))
    return {
        "date": view.date_start.isoformat() if view.date_start else "",
        "place": redact(", ".join(p for p in where if p)),
        "type": label("event_type", view.event_type, lang),
        "killed": cell("killed"),
        "injured": cell("injured"),
        "grade": label("grade", view.grade, lang),
        "sources": [
            {"name": redact(s.source or s.dataset or s.title or ""), "url": s.url}
            for s in view.sources
        ]
        or [{"name": n, "url": None} for n in source_names(view)],
    }


def build_brief(
    store: Store,
    f: IncidentFilter,
    *,
    lang: str = "en",
    title: str | None = None,
    actor: str = "unknown",
    include_unreviewed: bool = False,
) -> Brief:
    """The brief of the period ``f`` selects. A public brief holds only reviewed incidents
    unless ``include_unreviewed`` (its method note then says so, and how many)."""
    f = publish_filter(f, include_unreviewed=include_unreviewed)
    if f.date_from is None or f.date_to is None:
        raise ValueError("a brief needs a period: give both --from and --to")
    if f.date_to < f.date_from:
        raise ValueError("--to is before --from")
    words = strings(lang)
    redact = store.disclosure(f.max_sensitivity)
    totals = Totals()
    points: list[MapPoint] = []
    per_day: Counter[date] = Counter()
    killed_per_day: Counter[date] = Counter()
    rows: list[dict[str, Any]] = []
    unreviewed = 0
    for view, _ in shown_incidents(store, store.iter_incidents(f), f.max_sensitivity):
        totals.add(view)
        unreviewed += view.review_status not in REVIEWED_STATES
        killed = view.figure("killed").low or 0
        if view.lat is not None and view.lon is not None:
            tip = f"{view.date_start or ''} {place_name(view, lang)}: {killed}"
            points.append(MapPoint(view.lon, view.lat, killed, redact(tip)))
        if view.date_start:
            day = max(view.date_start, f.date_from)
            per_day[day] += 1
            killed_per_day[day] += killed
        if len(rows) < TABLE_LIMIT:
            rows.append(_table_row(view, lang, redact))

    headline = [
        HeadlineFigure(
            words["incidents"],
            str(totals.incidents),
            words["sources_differ"].format(n=totals.with_disagreement)
            if totals.with_disagreement
            else "",
        ),
        HeadlineFigure(words["strikes"], totals.strikes.words(words)),
        HeadlineFigure(
            words["killed"],
            totals.killed.words(words),
            "; ".join(
                f"{words[key]} {getattr(totals, name).words(words)}"
                for key, name in (
                    ("of_whom_children", "killed_children"),
                    ("of_whom_women", "killed_women"),
                )
                if getattr(totals, name).low
            ),
        ),
        HeadlineFigure(words["injured"], totals.injured.words(words)),
        HeadlineFigure(words["facilities_hit"], totals.facilities_total().words(words)),
    ]
    facilities = [
        (label("facility", kind, lang), r.words(words))
        for kind, r in sorted(totals.facilities.items())
    ]
    prohibited = [(label("weapon", w, lang), totals.prohibited[w]) for w in PROHIBITED_WEAPONS]

    reported = []
    for agg in store.reported_totals(f):
        if not _aggregate_in_area(agg, f.area):
            continue
        figures = [count_words(c, lang) for c in agg.counts]
        hit = [
            f"{label('facility', str(fac.get('type', '')), lang)} {fac['count']}".strip()
            if fac.get("count")
            else label("facility", str(fac.get("type", "")), lang)
            for fac in agg.facilities
        ]
        if hit:
            figures.append(f"{words['facilities_hit']}: {', '.join(hit)}")
        reported.append(
            {
                "who": ", ".join(agg.reported_by) or agg.source or "",
                "source": agg.source or "",
                "period": " – ".join(
                    d.isoformat() for d in (agg.date_start, agg.date_end) if d is not None
                ),
                "area": redact(", ".join(names_in_script(agg.area, lang))),
                "figures": figures,
            }
        )

    level = f.max_sensitivity
    warnings = [words["not_public"].format(level=level)] if level != "public" else []
    review_notes = _review_notes(store, f, words, totals.incidents, unreviewed)
    warnings += review_notes
    period = words["period"].format(start=_date(f.date_from, lang), end=_date(f.date_to, lang))
    charts = _charts(points, f.date_from, f.date_to, (per_day, killed_per_day), words)
    brief = Brief(
        lang=lang,
        direction=words["dir"],
        words=words,
        title=title or words["title"],
        period=period,
        area=f.area or words["area_all"],
        headline=headline,
        facilities=facilities,
        prohibited=prohibited,
        **charts,
        rows=rows,
        incident_count=totals.incidents,
        reported=reported,
        on_record=words["on_record"].format(killed=totals.killed.words(words), n=totals.incidents),
        method=METHOD + tuple(review_notes),
        query=command_line(f),
        filter_json=json.dumps(filter_description(f), ensure_ascii=False, sort_keys=True),
        ledger_head=store.ledger_head(),
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        level=level,
        warnings=warnings,
        review_notes=review_notes,
    )
    brief = redact.show(brief)
    if level != "public":
        store.append_ledger(
            actor=actor,
            action="brief",
            subject_type="export",
            subject_id=f"brief:{f.date_from}:{f.date_to}",
            payload={
                "include": level,
                "filter": filter_description(f),
                "incidents": totals.incidents,
            },
        )
    return brief


def _date(day: date, lang: str) -> str:
    """An ISO date, isolated left-to-right inside right-to-left text (else its parts would be
    reordered: 2023-10-01 read as 01-10-2023)."""
    return day.isoformat() if lang == "en" else f"\u2066{day.isoformat()}\u2069"


def _charts(
    points: list[MapPoint],
    start: date,
    end: date,
    per_day: tuple[Counter[date], Counter[date]],
    words: dict[str, str],
) -> dict[str, Any]:
    """The map and the timeline, in the brief's script.

    WeasyPrint draws SVG text one letter at a time, so Arabic in an SVG would come out unjoined
    and its vowel marks on dotted circles. Outside Latin script the page editions therefore
    get the drawings without their words, and the names and legend as HTML, which is shaped."""
    lang = words["lang"]
    latin = lang == "en"
    caption = words["map_caption"]
    legend = {
        "timeline": words["timeline"],
        "incidents": words["timeline_incidents"],
        "killed": words["timeline_killed"],
    }
    incidents, killed = dict(per_day[0]), dict(per_day[1])
    title = words.get("map_legend", "killed (at least)")

    def timeline(in_svg: bool) -> str:
        return daily_timeline(
            start, end, incidents, killed, labels=legend, svg_legend=in_svg, latin_months=latin
        )

    full_map = incident_map(points, caption=caption, label_lang=lang, legend_title=title)
    bare_map = incident_map(points, caption=caption, svg_labels=False, legend_title="")
    return {
        "map_svg": full_map,
        "timeline_svg": timeline(True),
        "map_page_svg": full_map if latin else bare_map,
        "map_labels": [] if latin else map_labels(points, lang),
        "timeline_page_svg": timeline(latin),
        "timeline_legend": [] if latin else [legend["incidents"], legend["killed"]],
    }


def _review_notes(
    store: Store, f: IncidentFilter, words: dict[str, str], incidents: int, unreviewed: int
) -> list[str]:
    """What the brief says about review: unreviewed incidents included, or left out."""
    if unreviewed:
        return [words["unreviewed_included"].format(n=unreviewed)]
    if not f.reviewed_only:
        return []
    left_out = unreviewed_left_out(store, f)
    if not incidents:
        return [words["none_reviewed"].format(n=left_out)]
    return [words["reviewed_only"].format(n=left_out)] if left_out else []


def css_string(value: object) -> Markup:
    """``value`` as the inside of a double-quoted CSS string (the page footer repeats the
    title there). HTML escaping does not apply inside ``<style>``, so every ASCII character
    that is not a letter, digit or space becomes a CSS escape instead (its closing space is
    part of the escape, so a space after it is kept)."""
    text = "" if value is None else str(value)
    return Markup(
        "".join(
            ch if ch.isalnum() or ch == " " or ord(ch) > 0x9F else f"\\{ord(ch):x} " for ch in text
        )
    )


def _environment(*, markdown: bool = False) -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("marsad.publish", "templates"),
        # HTML: every value is HTML-escaped. Markdown: every value is Markdown-escaped
        # (finalize), and only what a filter marks as Markdown is printed as it is.
        autoescape=False
        if markdown
        else select_autoescape(["html", "j2"], default_for_string=False),
        finalize=md_text if markdown else None,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_link"] = safe_link
    env.filters["css_string"] = css_string
    env.filters["md_code"] = md_code
    env.filters["md_url"] = md_url
    return env


# the brief's Latin typefaces come from the system; Arabic from the font the project installs
# (arabic_font_faces), first in an Arabic brief, after the Latin ones in an English one
_LATIN_FAMILIES: tuple[str, ...] = ('"DejaVu Sans"', '"Noto Sans"')


def _font_stack(rtl: bool, arabic: bool) -> str:
    families = list(_LATIN_FAMILIES)
    if arabic:
        families.insert(0 if rtl else len(families), '"Marsad Arabic"')
    return ", ".join([*families, "sans-serif"])


# The Arabic typeface: IBM Plex Sans Arabic (OFL), installed from PyPI as
# fontpkg-ibm-plex-sans-arabic. Its letters are whole glyphs, so a PDF's text extracts as the
# letters written (Noto Sans Arabic draws dots as separate glyphs, which extract as wrong ones).
ARABIC_FONT_PACKAGE = "fontpkg_ibm_plex_sans_arabic"
ARABIC_FONT_FACES: dict[int, str] = {
    400: "IBMPlexSansArabic-Regular.ttf",
    700: "IBMPlexSansArabic-Bold.ttf",
}


def arabic_font_faces() -> dict[int, str]:
    """File URLs of the installed Arabic typeface by weight; empty where it is not installed
    (the PDF then takes whatever Arabic font the system has)."""
    try:
        root = Path(str(resources.files(ARABIC_FONT_PACKAGE).joinpath("files")))
    except ModuleNotFoundError:
        return {}
    faces = {weight: root / name for weight, name in ARABIC_FONT_FACES.items()}
    return {weight: path.resolve().as_uri() for weight, path in faces.items() if path.is_file()}


def render_html(brief: Brief, *, for_pdf: bool = False) -> str:
    """The brief as one HTML file. ``for_pdf`` names the installed Arabic typeface by its file
    path: only the PDF is built on this machine; an HTML file travels, and its policy forbids
    loading fonts."""
    faces = arabic_font_faces() if for_pdf else {}
    stack = _font_stack(brief.direction == "rtl", bool(faces))
    template = _environment().get_template("brief.html.j2")
    return str(
        template.render(b=brief, csp=Markup(BRIEF_CSP), font_faces=faces, font_stack=Markup(stack))
    )


def render_markdown(brief: Brief) -> str:
    return str(_environment(markdown=True).get_template("brief.md.j2").render(b=brief))


def write_brief(brief: Brief, path: Path, fmt: str) -> None:
    """Write the brief as ``html``, ``md`` (charts beside it as .svg files) or ``pdf``."""
    if fmt == "html":
        path.write_text(render_html(brief), encoding="utf-8")
    elif fmt == "md":
        stem = path.with_suffix("")
        map_file = stem.parent / f"{stem.name}-map.svg"
        timeline_file = stem.parent / f"{stem.name}-timeline.svg"
        map_file.write_text(brief.map_svg, encoding="utf-8")
        timeline_file.write_text(brief.timeline_svg, encoding="utf-8")
        text = render_markdown(brief)
        text = text.replace("{{MAP}}", map_file.name).replace("{{TIMELINE}}", timeline_file.name)
        path.write_text(text, encoding="utf-8")
    elif fmt == "pdf":
        from weasyprint import HTML

        from marsad.publish.pdftext import rtl_ligatures_finisher

        # base_url points nowhere on the network: the HTML carries its charts inline
        html = render_html(brief, for_pdf=True)
        HTML(string=html, base_url=str(path.parent)).write_pdf(
            str(path), finisher=rtl_ligatures_finisher
        )
    else:
        raise ValueError(f"unknown brief format {fmt!r}; use one of {', '.join(BRIEF_FORMATS)}")
