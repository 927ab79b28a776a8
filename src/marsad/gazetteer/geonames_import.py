"""Add a country to the gazetteer from a GeoNames country dump (``XX.txt`` or ``XX.zip``).

The dump is GeoNames' tab-separated export (19 columns, documented at geonames.org/export). Only
administrative units (feature class A) and populated places (class P) are kept; each becomes a
:class:`Place` with id ``gn:<geonameid>``. The result is written as a pack beside the user's data
(see :func:`extra_packs_dir`) and loaded by :func:`marsad.gazetteer.default_gazetteer` from then
on, so extraction covers the new country without code changes.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from marsad.gazetteer.core import Place, PlaceKind
from marsad.gazetteer.normalize import source_rules

COLUMNS = 19
_ADMIN_KINDS: dict[str, PlaceKind] = {"ADM1": "admin1", "ADM2": "admin2", "ADM3": "admin3"}
_CITY_CODES = {"PPLC", "PPLA", "PPLA2"}


class GeoNamesImportError(ValueError):
    """The file is not a GeoNames country dump."""


@dataclass
class ImportReport:
    path: Path
    places: int = 0
    skipped_rows: list[str] = field(default_factory=list)


def extra_packs_dir() -> Path:
    """Where imported packs live: $MARSAD_GAZETTEER_DIR, else ~/.local/share/marsad/gazetteer."""
    configured = os.environ.get("MARSAD_GAZETTEER_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "marsad" / "gazetteer"


def _lines(path: Path) -> Iterator[str]:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.endswith(".txt") and "readme" not in n]
            if not members:
                raise GeoNamesImportError(f"{path}: the archive holds no .txt dump")
            with archive.open(members[0]) as raw:
                yield from io.TextIOWrapper(raw, encoding="utf-8")
        return
    with path.open(encoding="utf-8") as fh:
        yield from fh


def _kind(feature_class: str, code: str, population: int) -> PlaceKind | None:
    if feature_class == "A":
        return _ADMIN_KINDS.get(code)
    if feature_class != "P":
        return None
    if code in _CITY_CODES or population >= 100_000:
        return "city"
    return "town" if population >= 10_000 else "village"


def read_geonames(path: Path) -> tuple[list[Place], list[str]]:
    """Places from a dump, and the rows that were skipped with their reasons."""
    rows: list[list[str]] = []
    skipped: list[str] = []
    try:
        for number, line in enumerate(_lines(path), start=1):
            if not line.strip():
                continue
            cells = next(csv.reader([line.rstrip("\n")], delimiter="\t", quoting=csv.QUOTE_NONE))
            if len(cells) != COLUMNS:
                if number == 1:
                    raise GeoNamesImportError(
                        f"{path}: line 1 has {len(cells)} tab-separated columns, a GeoNames "
                        f"dump has {COLUMNS} (XX.zip from download.geonames.org/export/dump)"
                    )
                skipped.append(f"line {number}: {len(cells)} columns instead of {COLUMNS}")
                continue
            rows.append(cells)
    except UnicodeDecodeError as exc:
        raise GeoNamesImportError(f"{path}: not UTF-8 ({exc.reason})") from None
    except zipfile.BadZipFile:
        raise GeoNamesImportError(f"{path}: not a readable zip archive") from None
    admin1_names = {(r[8], r[10]): r[1] for r in rows if r[6] == "A" and r[7] == "ADM1" and r[10]}
    admin2_names = {
        (r[8], r[10], r[11]): r[1] for r in rows if r[6] == "A" and r[7] == "ADM2" and r[11]
    }
    places = []
    rules = source_rules()
    id_prefix, source = str(rules["geonames_id_prefix"]), str(rules["geonames_source"])
    for r in rows:
        try:
            population = int(r[14] or 0)
            lat, lon = float(r[4]), float(r[5])
        except ValueError:
            skipped.append(f"geonameid {r[0]}: bad number in population or coordinates")
            continue
        kind = _kind(r[6], r[7], population)
        if kind is None:
            continue
        names = [r[1], r[2], *(n for n in r[3].split(",") if n and not n.startswith("http"))]
        places.append(
            Place(
                id=f"{id_prefix}{r[0]}",
                name=r[1],
                names=tuple(dict.fromkeys(n.strip() for n in names if n.strip())),
                kind=kind,
                lat=lat,
                lon=lon,
                admin1=admin1_names.get((r[8], r[10])),
                admin1_pcode=f"{r[8]}.{r[10]}" if r[10] else None,
                admin2=admin2_names.get((r[8], r[10], r[11])),
                admin2_pcode=f"{r[8]}.{r[10]}.{r[11]}" if r[11] else None,
                population=population or None,
                sources=(source,),
            )
        )
    return places, skipped


def import_geonames(path: Path, *, out_dir: Path | None = None) -> ImportReport:
    """Read a dump and write it as a pack; returns what was added."""
    places, skipped = read_geonames(path)
    if not places:
        raise GeoNamesImportError(f"{path}: no administrative units or populated places found")
    country = next((p.admin1_pcode.split(".")[0] for p in places if p.admin1_pcode), "XX")
    target = (out_dir or extra_packs_dir()) / f"geonames-{country.lower()}.jsonl.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp")
    with gzip.open(partial, "wt", encoding="utf-8") as fh:
        meta = {"region": country, "attribution": source_rules()["geonames_attribution"]}
        fh.write(json.dumps({"meta": meta}) + "\n")
        for p in places:
            record = {k: v for k, v in asdict(p).items() if v not in (None, ())}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    partial.replace(target)  # a reader never sees half a pack
    return ImportReport(path=target, places=len(places), skipped_rows=skipped)


def installed_packs() -> list[Path]:
    folder = extra_packs_dir()
    return sorted(folder.glob("*.jsonl.gz")) if folder.is_dir() else []
