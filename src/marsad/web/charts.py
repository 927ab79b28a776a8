"""Server-drawn SVG: the incident map and the timeline. No script, no tiles, no network.

The map is an equirectangular frame over Syria. The approximate country, governorate and
district outlines come from the publishing layer (``marsad/publish/data/admin_areas.json``), so
the dashboard and the brief draw the same boundaries; governorate names and centres are packaged
in ``web/data/governorates.json``.
Bubbles are sized by the number of incidents per governorate; dots are the incidents listed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from marsad.contract.incident import IncidentView
from marsad.store.reads import CountRow

DATA = Path(__file__).parent / "data" / "governorates.json"
LON_MIN, LON_MAX, LAT_MIN, LAT_MAX = 35.5, 42.5, 32.2, 37.5
MAP_W = 560
_KX = math.cos(math.radians(35.0))  # shrink longitude so shapes keep their proportions
MAP_H = round(MAP_W * (LAT_MAX - LAT_MIN) / ((LON_MAX - LON_MIN) * _KX))


@lru_cache(maxsize=1)
def governorates() -> list[dict[str, Any]]:
    return list(json.loads(DATA.read_text(encoding="utf-8"))["governorates"])


Ring = list[tuple[float, float]]


@lru_cache(maxsize=1)
def _boundaries() -> tuple[list[Ring], list[tuple[str, list[Ring]]], list[tuple[str, list[Ring]]]]:
    """(country outline, districts, governorates) as rings of (lon, lat).

    Read through the publishing layer, which owns the file; a missing or malformed file gives
    empty lists so the dashboard still renders with labelled centres only."""
    try:
        from marsad.publish.charts import admin_areas

        doc = admin_areas()
    except (OSError, ValueError, ImportError):
        return [], [], []

    def rings(raw: Any) -> list[Ring]:
        out: list[Ring] = []
        for ring in raw or []:
            try:
                out.append([(float(p[0]), float(p[1])) for p in ring])
            except (TypeError, ValueError, IndexError):
                continue
        return out

    def areas(key: str) -> list[tuple[str, list[Ring]]]:
        items = doc.get(key, []) if isinstance(doc, dict) else []
        return [(str(a.get("pcode", "")), rings(a.get("rings"))) for a in items]

    outline = rings(doc.get("outline")) if isinstance(doc, dict) else []
    return outline, areas("districts"), areas("governorates")


def _points(ring: Ring) -> str:
    return " ".join(f"{x},{y}" for x, y in (_xy(lo, la) for lo, la in ring))


def _xy(lon: float, lat: float) -> tuple[float, float]:
    x = (lon - LON_MIN) / (LON_MAX - LON_MIN) * MAP_W
    y = (LAT_MAX - lat) / (LAT_MAX - LAT_MIN) * MAP_H
    return round(x, 1), round(y, 1)


def incident_map(
    counts: Sequence[CountRow],
    incidents: Iterable[IncidentView],
    *,
    lang: str = "en",
    place_of: Callable[[IncidentView], str] | None = None,
) -> str:
    """SVG markup: governorate bubbles sized by ``counts`` (by area) and incident dots, every
    name in the reader's script (``place_of`` names an incident's place for ``lang``)."""
    by_code = {r.key: r.incidents for r in counts if r.key}
    biggest = max(by_code.values(), default=0)
    parts = [
        f'<svg class="map" viewBox="0 0 {MAP_W} {MAP_H}" role="img" '
        f'aria-label="map of incidents by governorate" xmlns="http://www.w3.org/2000/svg">',
        f'<rect class="sea" x="0" y="0" width="{MAP_W}" height="{MAP_H}"/>',
    ]
    for lon in range(math.ceil(LON_MIN), int(LON_MAX) + 1):
        x, _ = _xy(lon, LAT_MIN)
        parts.append(f'<line class="grid" x1="{x}" y1="0" x2="{x}" y2="{MAP_H}"/>')
        parts.append(f'<text class="tick" x="{x + 2}" y="{MAP_H - 4}">{lon}°E</text>')
    for lat in range(math.ceil(LAT_MIN), int(LAT_MAX) + 1):
        _, y = _xy(LON_MIN, lat)
        parts.append(f'<line class="grid" x1="0" y1="{y}" x2="{MAP_W}" y2="{y}"/>')
        parts.append(f'<text class="tick" x="2" y="{y - 2}">{lat}°N</text>')
    outline, districts, govs = _boundaries()
    for ring in outline:
        parts.append(f'<polygon class="country" points="{_points(ring)}"/>')
    for code, rings in govs:  # fill first, so district lines stay visible on top
        if by_code.get(code):
            for ring in rings:
                parts.append(f'<polygon class="area hot" points="{_points(ring)}"/>')
    for _code, rings in districts:
        for ring in rings:
            parts.append(f'<polygon class="district" points="{_points(ring)}"/>')
    for code, rings in govs:
        for ring in rings:
            parts.append(
                f'<polygon class="governorate" data-pcode="{escape(code)}" '
                f'points="{_points(ring)}"/>'
            )
    labels: list[str] = []  # drawn last, so no bubble covers a name
    for g in governorates():
        x, y = _xy(g["lon"], g["lat"])
        n = by_code.get(g["pcode"], 0)
        name = g["name_ar"] if lang == "ar" else g["name_en"]
        dy = g.get("label_dy", -10)  # the data may move a label off a crowded neighbour
        labels.append(f'<text class="label" x="{x}" y="{y + dy}">{escape(name)}</text>')
        if n:
            r = 6 + 22 * math.sqrt(n / biggest)
            parts.append(
                f'<a href="?area={g["pcode"]}">'
                f'<circle class="bubble" cx="{x}" cy="{y}" r="{r:.1f}">'
                f"<title>{escape(name)}: {n}</title></circle></a>"
            )
            labels.append(f'<text class="count" x="{x}" y="{y + 4}">{n}</text>')
        else:
            parts.append(f'<circle class="centre" cx="{x}" cy="{y}" r="3"/>')
    for v in incidents:
        if v.lat is None or v.lon is None:
            continue
        if not (LAT_MIN <= v.lat <= LAT_MAX and LON_MIN <= v.lon <= LON_MAX):
            continue
        x, y = _xy(v.lon, v.lat)
        place = place_of(v) if place_of is not None else v.place_name
        label = escape(f"#{v.id} {place or ''} {v.date_start or ''}")
        parts.append(
            f'<a href="/incidents/{v.id}"><circle class="dot" cx="{x}" cy="{y}" r="3.5">'
            f"<title>{label}</title></circle></a>"
        )
    parts += labels
    parts.append("</svg>")
    return "".join(parts)


def timeline(days: Sequence[CountRow], *, width: int = 760, height: int = 150) -> str:
    """Bars of incidents per day (per month when the span is longer than about six months)."""
    dated = [(date.fromisoformat(r.key), r.incidents) for r in days if r.key and r.key[0].isdigit()]
    if not dated:
        return '<p class="muted">—</p>'
    start, end = min(d for d, _ in dated), max(d for d, _ in dated)
    if (end - start).days > 190:
        buckets: dict[date, int] = {}
        for d, n in dated:
            key = d.replace(day=1)
            buckets[key] = buckets.get(key, 0) + n
        series = sorted(buckets.items())
        labels = [d.strftime("%Y-%m") for d, _ in series]
    else:
        filled = {d: n for d, n in dated}
        series = [
            (start + timedelta(i), filled.get(start + timedelta(i), 0))
            for i in range((end - start).days + 1)
        ]
        labels = [d.isoformat() for d, _ in series]
    top = max(n for _, n in series) or 1
    pad_l, pad_b = 34, 22
    inner_w, inner_h = width - pad_l - 6, height - pad_b - 8
    step = inner_w / len(series)
    bar = max(step * 0.8, 1.0)
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="incidents over time" xmlns="http://www.w3.org/2000/svg">',
        f'<line class="axis" x1="{pad_l}" y1="{8 + inner_h}" x2="{width - 6}" y2="{8 + inner_h}"/>',
        f'<text class="tick" x="{pad_l - 4}" y="14" text-anchor="end">{top}</text>',
        f'<text class="tick" x="{pad_l - 4}" y="{8 + inner_h}" text-anchor="end">0</text>',
    ]
    for i, ((_, n), label) in enumerate(zip(series, labels, strict=True)):
        h = inner_h * n / top
        x = pad_l + i * step
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{8 + inner_h - h:.1f}" width="{bar:.1f}" '
            f'height="{h:.1f}"><title>{label}: {n}</title></rect>'
        )
    ticks = sorted({0, len(series) // 2, len(series) - 1})
    for i in ticks:
        x = pad_l + i * step + bar / 2
        anchor = "start" if i == 0 else ("end" if i == len(series) - 1 else "middle")
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{height - 6}" text-anchor="{anchor}">'
            f"{labels[i]}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def highlight(
    text: str,
    passages: Sequence[tuple[int, int]],
    values: Sequence[tuple[int, int]] = (),
    *,
    window: int | None = None,
) -> str:
    """HTML of ``text`` with evidence passages in ``<mark class="evidence">`` and the exact
    values read from them in ``<mark class="value">`` (both where they overlap). With
    ``window``, only the text around the passages is shown.

    Each line is its own ``<span class="para" dir="auto">``: a report may mix Arabic and
    English paragraphs, and each must be laid out in its own direction (an English sentence on
    an Arabic page keeps its full stop at its end)."""
    n = len(text)
    spans_p = [(s, e) for s, e in passages if 0 <= s < e <= n]
    spans_v = [(s, e) for s, e in values if 0 <= s < e <= n]
    lo, hi = 0, n
    if window is not None and spans_p:
        lo = max(0, min(s for s, _ in spans_p) - window)
        hi = min(n, max(e for _, e in spans_p) + window)
    breaks = {i + 1 for i in range(lo, hi) if text[i] == "\n"}
    marks = {x for s, e in spans_p + spans_v for x in (s, e) if lo <= x <= hi}
    cuts = sorted({lo, hi, *marks, *breaks})
    out: list[str] = ['<span class="para" dir="auto">', "…" if lo > 0 else ""]
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a in breaks:
            out.append('</span><span class="para" dir="auto">')
        piece = escape(text[a:b])
        classes = []
        if any(s <= a and b <= e for s, e in spans_p):
            classes.append("evidence")
        if any(s <= a and b <= e for s, e in spans_v):
            classes.append("value")
        out.append(f'<mark class="{" ".join(classes)}">{piece}</mark>' if classes else piece)
    out.append("…" if hi < n else "")
    out.append("</span>")
    return "".join(out)
