"""The brief's two pictures, drawn as plain SVG text: no tiles, no fonts or scripts fetched.

The map draws the approximate governorate outlines from ``data/admin_areas.json`` (built by
``scripts/build_boundaries.py``) and a circle per incident, its area proportional to the
conservative death toll. The timeline is a daily bar chart of incidents with the deaths line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

BLUE = "#1f4e79"
RED = "#b3261e"
GREY = "#8a8f98"


@lru_cache(maxsize=1)
def admin_areas() -> dict[str, Any]:
    text = resources.files("marsad.publish").joinpath("data/admin_areas.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class MapPoint:
    lon: float
    lat: float
    killed: int
    label: str


class _Projection:
    """Equirectangular with longitude scaled by cos(mid-latitude): near-true shapes at Syria's
    latitudes, and simple enough to check by hand."""

    def __init__(self, bbox: tuple[float, float, float, float], width: float) -> None:
        self.minx, self.miny, self.maxx, self.maxy = bbox
        self.kx = math.cos(math.radians((self.miny + self.maxy) / 2))
        self.scale = width / ((self.maxx - self.minx) * self.kx)
        self.width = width
        self.height = (self.maxy - self.miny) * self.scale

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            round((lon - self.minx) * self.kx * self.scale, 1),
            round((self.maxy - lat) * self.scale, 1),
        )


def _map_bbox(points: Sequence[MapPoint]) -> tuple[float, float, float, float]:
    """The points' extent with a margin, at least 2.4 degrees wide; the country if no points."""
    if not points:
        bx = admin_areas()["bbox"]
        return (bx[0], bx[1], bx[2], bx[3])
    lons = [p.lon for p in points]
    lats = [p.lat for p in points]
    cx, cy = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    half_w = max((max(lons) - min(lons)) / 2 + 0.4, 1.2)
    half_h = max((max(lats) - min(lats)) / 2 + 0.3, half_w * 0.5)
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


@dataclass(frozen=True)
class MapLabel:
    """A place name to print over the map: its centre in percent of the map's width and
    height, so it stays in place however wide the map is drawn."""

    left: float
    top: float
    text: str


def _governorate_names(
    project: _Projection, width: int, height: int, label_lang: str
) -> list[tuple[float, float, str]]:
    """(x, y, name) of each governorate whose label point lies inside the frame."""
    from marsad.publish.place_names import admin_name_in_script

    out = []
    for area in admin_areas()["governorates"]:
        x, y = project(*area["label"])
        if 0 < x < width and 0 < y < height:
            latin = str(area["name"]).upper()
            found = admin_name_in_script(area["name"], area.get("pcode"), label_lang)
            out.append((x, y, latin if label_lang == "en" else found or area["name_ar"]))
    return out


def map_labels(points: Sequence[MapPoint], label_lang: str, width: int = 640) -> list[MapLabel]:
    """The governorate names of :func:`incident_map` as labels to set over it in HTML: a PDF
    draws SVG text letter by letter, which would leave Arabic unjoined."""
    project = _Projection(_map_bbox(points), width)
    height = round(project.height)
    return [
        MapLabel(round(100 * x / width, 2), round(100 * y / height, 2), name)
        for x, y, name in _governorate_names(project, width, height, label_lang)
    ]


def incident_map(
    points: Sequence[MapPoint],
    *,
    caption: str,
    width: int = 640,
    label_lang: str = "en",
    svg_labels: bool = True,
    legend_title: str = "killed (at least)",
) -> str:
    """An SVG map of incidents over approximate governorate outlines. Without ``svg_labels``
    the governorate names are left to :func:`map_labels`; an empty ``legend_title`` leaves the
    legend's title to the caption."""
    project = _Projection(_map_bbox(points), width)
    height = round(project.height)
    areas = admin_areas()
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(caption)}" '
        'font-family="DejaVu Sans, sans-serif">',
        f'<rect width="{width}" height="{height}" fill="#e4e4e0"/>',
        '<clipPath id="frame"><rect width="100%" height="100%"/></clipPath>',
        '<g clip-path="url(#frame)">',
    ]
    for ring in areas["outline"]:
        out.append(_path(ring, project, fill="#fbfaf6", stroke="#555", width=1.2))
    for area in areas["districts"]:
        for ring in area["rings"]:
            out.append(_path(ring, project, fill="none", stroke="#d5d2c8", width=0.5))
    for area in areas["governorates"]:
        for ring in area["rings"]:
            out.append(_path(ring, project, fill="none", stroke="#9a968c", width=1))
    for x, y, name in _governorate_names(project, width, height, label_lang) if svg_labels else []:
        # spacing letters apart is for capitals: it would break the joins of Arabic
        spacing = ' letter-spacing="1"' if label_lang == "en" else ""
        out.append(
            f'<text x="{x}" y="{y}" font-size="11" fill="#6b675d" text-anchor="middle"'
            f"{spacing}>{escape(name)}</text>"
        )
    biggest = max((p.killed for p in points), default=0)
    for p in sorted(points, key=lambda p: -p.killed):  # small circles drawn over big ones
        x, y = project(p.lon, p.lat)
        r = _radius(p.killed, biggest)
        out.append(
            f'<circle cx="{x}" cy="{y}" r="{r}" fill="{RED}" fill-opacity="0.45" '
            f'stroke="white" stroke-width="0.8"><title>{escape(p.label)}</title></circle>'
        )
    out.append("</g>")
    out.extend(_map_legend(biggest, legend_title))
    out.append("</svg>")
    return "\n".join(out)


def _radius(killed: int, biggest: int) -> float:
    """Area proportional to deaths; incidents with none reported still show as a dot."""
    if killed <= 0:
        return 2.5
    return round(3 + 13 * math.sqrt(killed / max(biggest, 1)), 1)


def _map_legend(biggest: int, title: str) -> list[str]:
    if biggest <= 0:
        return []
    out = ['<rect x="6" y="6" width="120" height="58" fill="white" fill-opacity="0.85"/>']
    if title:
        out.append(f'<text x="12" y="20" font-size="9" fill="#333">{escape(title)}</text>')
    x = 22.0
    for value in sorted({1, max(1, biggest // 2), biggest}):
        r = _radius(value, biggest)
        out.append(
            f'<circle cx="{x}" cy="{44 - r / 3}" r="{r}" fill="{RED}" fill-opacity="0.4" '
            f'stroke="{RED}" stroke-width="0.6"/>'
        )
        out.append(f'<text x="{x}" y="60" font-size="8" text-anchor="middle">{value}</text>')
        x += 2 * r + 12
    return out


def _path(
    ring: list[list[float]], project: _Projection, *, fill: str, stroke: str, width: float
) -> str:
    pts = " ".join(f"{x},{y}" for x, y in (project(lon, lat) for lon, lat in ring))
    return (
        f'<polygon points="{pts}" fill="{fill}" stroke="{stroke}" stroke-width="{width}" '
        'stroke-linejoin="round"/>'
    )


def daily_timeline(
    start: date,
    end: date,
    incidents: dict[date, int],
    killed: dict[date, int],
    *,
    labels: dict[str, str],
    width: int = 640,
    height: int = 170,
    svg_legend: bool = True,
    latin_months: bool = True,
) -> str:
    """Bars: incidents per day. Line: people killed per day (at least). Without
    ``svg_legend`` the legend is left to the page; without ``latin_months`` days are written
    as digits ("5/10"), which read the same in any script."""
    days = max((end - start).days + 1, 1)
    left, right, top, bottom = 34, 34, 18, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / days
    max_n = max(incidents.values(), default=0) or 1
    max_k = max(killed.values(), default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(labels["timeline"])}" font-family="DejaVu Sans, sans-serif">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#333" stroke-width="0.8"/>',
    ]
    line: list[str] = []
    label_every = max(1, math.ceil(days / 10))
    for i in range(days):
        day = start + timedelta(days=i)
        x = left + i * step
        n = incidents.get(day, 0)
        if n:
            h = plot_h * n / max_n
            out.append(
                f'<rect x="{x + step * 0.12:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{step * 0.76:.1f}" height="{h:.1f}" fill="{BLUE}" fill-opacity="0.8">'
                f"<title>{day.isoformat()}: {n}</title></rect>"
            )
        k = killed.get(day, 0)
        line.append(f"{x + step / 2:.1f},{top + plot_h - plot_h * k / max_k:.1f}")
        if i % label_every == 0:
            out.append(
                f'<text x="{x + step / 2:.1f}" y="{top + plot_h + 13}" font-size="8.5" '
                f'text-anchor="middle" fill="#333">{_day_label(day, latin_months)}</text>'
            )
    out.append(
        f'<polyline points="{" ".join(line)}" fill="none" stroke="{RED}" stroke-width="1.6"/>'
    )
    out.append(
        f'<text x="{left - 4}" y="{top + 4}" font-size="8.5" text-anchor="end" fill="{BLUE}">'
        f"{max_n}</text>"
    )
    out.append(
        f'<text x="{left + plot_w + 4}" y="{top + 4}" font-size="8.5" fill="{RED}">{max_k}</text>'
    )
    legend_y = height - 6
    if svg_legend:
        out.append(
            f'<rect x="{left}" y="{legend_y - 8}" width="10" height="8" fill="{BLUE}"/>'
            f'<text x="{left + 14}" y="{legend_y}" font-size="9">{escape(labels["incidents"])}'
            f'</text><line x1="{left + 150}" y1="{legend_y - 4}" x2="{left + 166}" '
            f'y2="{legend_y - 4}" stroke="{RED}" stroke-width="1.6"/>'
            f'<text x="{left + 170}" y="{legend_y}" font-size="9">{escape(labels["killed"])}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def _day_label(day: date, latin_months: bool) -> str:
    return day.strftime("%d %b") if latin_months else f"{day.day}/{day.month}"
