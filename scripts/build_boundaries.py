"""Derive APPROXIMATE governorate and district outlines for the brief's map.

No boundary polygons ship with the project's data, only administrative centres (OCHA admin3
bounding-box centres). This script draws a Voronoi cell around each of the ~270 sub-district
centres, clips the cells to an outline of Syria derived from every gazetteer point (a buffered
concave hull), dissolves them per district and per governorate, simplifies them and writes a
small JSON file the brief draws from. The result is schematic: good enough to orient a reader,
never to say on which side of a line a place lies.

Build-time only dependencies: shapely (and numpy through it). Run:

    .venv/bin/python scripts/build_boundaries.py
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.ops import unary_union

DATA = Path("/work/shared/data/gazetteer")
OUT = Path(__file__).resolve().parent.parent / "src/marsad/publish/data/admin_areas.json"
NOTE = (
    "SCHEMATIC boundaries: Voronoi cells of OCHA sub-district centres clipped to a hull of "
    "gazetteer points and dissolved per district and governorate. Approximate; not for "
    "deciding where a place lies."
)
ATTRIBUTION = (
    "Derived from the OCHA Syria Common Operational Dataset (HDX) and GeoNames (CC BY 4.0)."
)


def read_admin3(folder: Path) -> list[dict[str, str]]:
    with (folder / "ocha_syr_admin3.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["bbox_center_lon"] and r["bbox_center_lat"]]


def all_points(folder: Path, admin3: list[dict[str, str]]) -> list[tuple[float, float]]:
    points = [(float(r["bbox_center_lon"]), float(r["bbox_center_lat"])) for r in admin3]
    with (folder / "geonames_sy_cities500.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            g = json.loads(line)
            points.append((float(g["longitude"]), float(g["latitude"])))
    with (folder / "place_aliases.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["lat"] and r["lon"]:
                points.append((float(r["lon"]), float(r["lat"])))
    return points


def outline(points: list[tuple[float, float]]) -> Polygon:
    """A buffered concave hull of every known place: a rough outline of the country."""
    hull = shapely.concave_hull(MultiPoint(points), ratio=0.35)
    shape = hull.buffer(0.15, quad_segs=4).simplify(0.03)
    if isinstance(shape, MultiPolygon):
        shape = max(shape.geoms, key=lambda g: g.area)
    assert isinstance(shape, Polygon)
    return shape


def rings(geom: Any, digits: int = 3) -> list[list[list[float]]]:
    """Exterior rings of a (multi)polygon as [[lon, lat], ...] lists, holes dropped."""
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    out = []
    for poly in polys:
        if poly.is_empty or poly.area < 0.002:
            continue
        out.append([[round(x, digits), round(y, digits)] for x, y in poly.exterior.coords])
    return out


def build(folder: Path, tolerance: float) -> dict[str, Any]:
    admin3 = read_admin3(folder)
    country = outline(all_points(folder, admin3))
    seeds: dict[tuple[float, float], dict[str, str]] = {}
    for r in admin3:
        key = (round(float(r["bbox_center_lon"]), 4), round(float(r["bbox_center_lat"]), 4))
        seeds.setdefault(key, r)  # two sub-districts on one centre share one cell
    cells = shapely.voronoi_polygons(MultiPoint(list(seeds)), extend_to=country.buffer(1))
    by_district: dict[str, list[Any]] = defaultdict(list)
    by_governorate: dict[str, list[Any]] = defaultdict(list)
    names: dict[str, tuple[str, str]] = {}
    for cell in cells.geoms:
        for (lon, lat), r in seeds.items():
            if cell.contains(Point(lon, lat)):
                clipped = cell.intersection(country)
                by_district[r["ADM2_PCODE"]].append(clipped)
                by_governorate[r["ADM1_PCODE"]].append(clipped)
                names[r["ADM2_PCODE"]] = (r["ADM2_EN"], r["ADM2_AR"])
                names[r["ADM1_PCODE"]] = (r["ADM1_EN"], r["ADM1_AR"])
                break

    def areas(groups: dict[str, list[Any]]) -> list[dict[str, Any]]:
        out = []
        for pcode in sorted(groups):
            shape = unary_union(groups[pcode]).simplify(tolerance)
            label = shape.representative_point()
            out.append(
                {
                    "pcode": pcode,
                    "name": names[pcode][0],
                    "name_ar": names[pcode][1],
                    "label": [round(label.x, 3), round(label.y, 3)],
                    "rings": rings(shape),
                }
            )
        return out

    minx, miny, maxx, maxy = country.bounds
    return {
        "note": NOTE,
        "attribution": ATTRIBUTION,
        "bbox": [round(minx, 3), round(miny, 3), round(maxx, 3), round(maxy, 3)],
        "outline": rings(country),
        "governorates": areas(by_governorate),
        "districts": areas(by_district),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="gazetteer folder")
    parser.add_argument("--output", type=Path, default=OUT)
    parser.add_argument("--tolerance", type=float, default=0.02, help="simplification, degrees")
    args = parser.parse_args()
    result = build(args.data, args.tolerance)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n")
    size = args.output.stat().st_size
    print(
        f"wrote {args.output} ({size // 1024} KiB): {len(result['governorates'])} governorates, "
        f"{len(result['districts'])} districts"
    )
    notice = Path(__file__).resolve().parent.parent / "NOTICE"
    if notice.exists() and "approximate governorate" not in notice.read_text(encoding="utf-8"):
        with notice.open("a", encoding="utf-8") as fh:
            fh.write(
                "The brief's map outlines (approximate governorate and district boundaries) are "
                + ATTRIBUTION[0].lower()
                + ATTRIBUTION[1:]
                + "\n"
            )


if __name__ == "__main__":
    main()
