"""Build Marsad's packaged Syria gazetteer from the shared source files.

Usage: ``python scripts/build_gazetteer.py [SOURCE_DIR] [--out FILE]``; SOURCE_DIR defaults to
``../shared/data/gazetteer`` and FILE to ``src/marsad/gazetteer/data/syria.jsonl.gz``.

Why a build step: the sources (OCHA admin boundaries and neighbourhoods, GeoNames cities500,
clusters merging them with UCDP GED place names) disagree on spelling, label governorates in
three styles and repeat the same town under several records. This script joins them once into
one place per record with a stable id, every spelling, admin1-3 names and P-codes, so the run-time
package only loads a small gzipped JSON Lines file. The first line is a ``{"meta": ...}`` record.

Ids: ``ocha:<PCODE>`` for admin1/2/3, ``gn:<geonameid>`` for GeoNames places,
``ocha:<neighbourhood PCODE>`` for city neighbourhoods, ``ucdp:<slug>@<lat>,<lon>`` for places
known only from UCDP names, and ``marsad:<slug>`` for curated additions.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from marsad.evaluate.mapping import UCDP_ADMIN1_PCODE
from marsad.gazetteer.normalize import (
    fold_token,
    is_arabic,
    normalize_name,
    plain,
    skeleton,
    without_article,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "marsad" / "gazetteer" / "data"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "gazetteer"
DEFAULT_OUT = DATA / "syria.jsonl.gz"

# UCDP's governorate names -> OCHA admin1 P-codes: the evaluation's table, kept in one place.
UCDP_ADMIN1 = UCDP_ADMIN1_PCODE
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def ascii_fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(s).lower()).strip("-") or "place"


def clean_names(raw: str | list[str]) -> list[str]:
    """Split ``|``-joined names, drop junk and expand "A/B" and "A (B)" into both spellings.

    GeoNames' lower-case machine transliterations ("kfr nbl") and Cyrillic names are dropped:
    they never appear in reports and only add collisions.
    """
    items = raw.split("|") if isinstance(raw, str) else list(raw)
    out: list[str] = []
    for item in items:
        parts = re.split(r"/|\(|\)", item)
        for p in [item, *parts] if len(parts) > 1 else [item]:
            p = p.strip(" ,;")
            if not p or "/" in p or "(" in p or ")" in p or _CYRILLIC.search(p):
                continue
            if p == p.lower() and re.search(r"[a-z]", p):
                continue
            if p not in out:
                out.append(p)
    return out


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def build(source: Path) -> list[dict[str, Any]]:
    curated = yaml.safe_load((DATA / "curated.yaml").read_text(encoding="utf-8"))
    gn_admin1: dict[str, str] = {str(k): str(v) for k, v in curated["geonames_admin1"].items()}
    adm1_rows = read_csv(source / "ocha_syr_admin1.csv")
    adm2_rows = read_csv(source / "ocha_syr_admin2.csv")
    adm3_rows = read_csv(source / "ocha_syr_admin3.csv")
    nbh_rows = read_csv(source / "ocha_syr_city_neighbourhoods.csv")
    clusters = read_csv(source / "place_aliases.csv")
    geonames = {
        str(d["geonameid"]): d
        for d in (
            json.loads(line)
            for line in (source / "geonames_sy_cities500.jsonl").read_text("utf-8").splitlines()
            if line.strip()
        )
    }

    # Display names for governorates follow common English usage ("Idlib", not OCHA's "Idleb").
    adm1_name = {
        r["PCODE"]: str((curated["admin1_aliases"].get(r["PCODE"]) or [r["NAME_EN"]])[0])
        for r in adm1_rows
    }
    adm3 = {r["PCODE"]: r for r in adm3_rows}
    label_to_adm1: dict[str, str] = dict(UCDP_ADMIN1)
    for r in adm1_rows:
        label_to_adm1[r["NAME_EN"]] = r["PCODE"]
    for code, pcode in gn_admin1.items():
        label_to_adm1[f"SY.{code}"] = pcode

    def admin_fields(adm3_pcode: str) -> dict[str, Any]:
        r = adm3[adm3_pcode]
        return {
            "admin1": adm1_name[r["ADM1_PCODE"]],
            "admin1_pcode": r["ADM1_PCODE"],
            "admin2": r["ADM2_EN"],
            "admin2_pcode": r["ADM2_PCODE"],
            "admin3": r["NAME_EN"],
            "admin3_pcode": r["PCODE"],
        }

    adm3_centres = [
        (r["PCODE"], r["ADM1_PCODE"], (float(r["bbox_center_lat"]), float(r["bbox_center_lon"])))
        for r in adm3_rows
    ]

    def nearest_adm3(lat: float, lon: float, adm1_pcode: str | None) -> str:
        """Nearest sub-district centre (within the known governorate): an approximation, since
        only bounding-box centres are available, good enough for admin2/admin3 labels."""
        pool = [c for c in adm3_centres if adm1_pcode is None or c[1] == adm1_pcode] or adm3_centres
        return min(pool, key=lambda c: haversine_km((lat, lon), c[2]))[0]

    places: list[dict[str, Any]] = []
    # admin1: coordinates are the mean of the sub-district centres (the file has none).
    by_adm1: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _, a1, ll in adm3_centres:
        by_adm1[a1].append(ll)
    for r in adm1_rows:
        pc = r["PCODE"]
        pts = by_adm1[pc]
        names = [r["NAME_EN"], r["NAM_EN_REF"], r["NAME_AR"]]
        names += [k for k, v in UCDP_ADMIN1.items() if v == pc]
        names += [str(n) for n in curated["admin1_aliases"].get(pc, [])]
        places.append(
            {
                "id": f"ocha:{pc}",
                "name": (curated["admin1_aliases"].get(pc) or [r["NAME_EN"]])[0],
                "names": clean_names(names),
                "kind": "admin1",
                "lat": round(sum(p[0] for p in pts) / len(pts), 5),
                "lon": round(sum(p[1] for p in pts) / len(pts), 5),
                "admin1": adm1_name[pc],
                "admin1_pcode": pc,
                "sources": ["ocha"],
            }
        )
    for r in adm2_rows:
        places.append(
            {
                "id": f"ocha:{r['PCODE']}",
                "name": r["NAME_EN"],
                "names": clean_names([r["NAME_EN"], r["NAM_EN_REF"], r["NAME_AR"]]),
                "kind": "admin2",
                "lat": float(r["bbox_center_lat"]),
                "lon": float(r["bbox_center_lon"]),
                "admin1": adm1_name[r["ADM1_PCODE"]],
                "admin1_pcode": r["ADM1_PCODE"],
                "admin2": r["NAME_EN"],
                "admin2_pcode": r["PCODE"],
                "sources": ["ocha"],
            }
        )
    for r in adm3_rows:
        ar = [re.sub(r"^مركز\s+", "", n) for n in (r["NAME_AR"], r["NAM_AR_REF"])]
        places.append(
            {
                "id": f"ocha:{r['PCODE']}",
                "name": r["NAME_EN"],
                "names": clean_names([r["NAME_EN"], r["NAM_EN_REF"], *ar]),
                "kind": "admin3",
                "lat": float(r["bbox_center_lat"]),
                "lon": float(r["bbox_center_lon"]),
                **admin_fields(r["PCODE"]),
                "sources": ["ocha"],
            }
        )

    nbh_by_name: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in nbh_rows:
        nbh_by_name[r["NAME_EN"]].append(r)
    seen_ids: Counter[str] = Counter()
    for c in clusters:
        lat, lon = float(c["lat"]), float(c["lon"])
        names = clean_names(c["names_latin"]) + clean_names(c["names_arabic"])
        if not names:
            continue
        gid = c["geonameid"].strip()
        g = geonames.get(gid) if gid else None
        nbh: dict[str, str] | None = None
        for n in c["names_ocha_nbh"].split("|") if c["names_ocha_nbh"] else []:
            cands = nbh_by_name.get(n, [])
            if cands:
                nbh = min(
                    cands,
                    key=lambda r: haversine_km(
                        (lat, lon), (float(r["LATITUDE"]), float(r["LONGITUDE"]))
                    ),
                )
                break
        a3 = c["ocha_admin3_pcode"].strip()
        adm1_pc: str | None = None
        if a3 and a3 in adm3:
            admin = admin_fields(a3)
        elif nbh is not None:
            admin = admin_fields(nbh["ADM3_PCODE"])
        else:
            for label in c["admin1_labels"].split("|"):
                adm1_pc = label_to_adm1.get(label.strip()) or adm1_pc
            if adm1_pc is None and g is not None:
                adm1_pc = gn_admin1.get(str(g["admin1code"]))
            admin = admin_fields(nearest_adm3(lat, lon, adm1_pc))
            if adm1_pc is not None and admin["admin1_pcode"] != adm1_pc:
                admin = {"admin1": adm1_name[adm1_pc], "admin1_pcode": adm1_pc}
        population = int(g["population"]) if g and g.get("population") else None
        display = (
            (c["names_ucdp_ged"].split("|")[0] if c["names_ucdp_ged"] else "")
            or (nbh["NAME_EN"] if nbh else "")
            or (c["names_ocha_admin3"].split("|")[0] if c["names_ocha_admin3"] else "")
            or (ascii_fold(g["name"]) if g else "")
            or names[0]
        )
        display = ascii_fold(clean_names(display)[0] if clean_names(display) else names[0])
        if g is None and nbh is not None:
            kind = "neighbourhood"
            pid = f"ocha:{nbh['PCODE']}"
        else:
            if population is not None and population >= 100_000:
                kind = "city"
            elif (population or 0) >= 10_000 or a3:
                kind = "town"
            else:
                kind = "village"
            pid = f"gn:{gid}" if g else f"ucdp:{slug(display)}@{lat:.3f},{lon:.3f}"
        seen_ids[pid] += 1
        if seen_ids[pid] > 1:
            pid = f"{pid}#{seen_ids[pid]}"
        sources = [
            s
            for s, col in (
                ("geonames", "names_geonames"),
                ("ucdp", "names_ucdp_ged"),
                ("ocha", "names_ocha_admin3"),
                ("ocha_nbh", "names_ocha_nbh"),
            )
            if c[col]
        ]
        rec: dict[str, Any] = {
            "id": pid,
            "name": display,
            "names": names,
            "origins": cluster_origins(c, names, sources),
            "kind": kind,
            "lat": lat,
            "lon": lon,
            **admin,
            "sources": sources,
        }
        if population:
            rec["population"] = population
        places.append(rec)

    for extra in curated.get("extra_places") or []:
        e = dict(extra)
        a1 = e.pop("admin1_pcode")
        admin = admin_fields(nearest_adm3(float(e["lat"]), float(e["lon"]), a1))
        places.append({**e, **admin, "sources": ["marsad"]})
    communities = read_csv(source / "ocha_syr_communities.csv")
    add_communities(places, communities, admin_fields)
    for p in places:
        p.setdefault("origins", ["+".join(p["sources"])] * len(p["names"]))
    return places


_CLUSTER_COLUMNS = (
    ("geonames", "names_geonames"),
    ("ucdp", "names_ucdp_ged"),
    ("ocha", "names_ocha_admin3"),
    ("ocha_nbh", "names_ocha_nbh"),
)


def cluster_origins(c: dict[str, str], names: list[str], sources: list[str]) -> list[str]:
    """Where each name of a cluster came from ("geonames+ucdp"). An Arabic name or a spelling
    no source column lists is credited to the cluster's sources other than UCDP, which gives
    Latin spellings only; so a name is "ucdp" alone exactly when only UCDP GED spelled it."""
    listed = {src: set(clean_names(c[col])) for src, col in _CLUSTER_COLUMNS if c[col]}
    fallback = "+".join(s for s in sources if s != "ucdp") or "+".join(sources)
    return ["+".join(src for src, ns in listed.items() if n in ns) or fallback for n in names]


_GLUED_ARTICLE = re.compile(r"\b(El|Al)([bcdfghjklmnpqrstvwxz][a-z]{2,})")
_SETTLEMENTS = ("city", "town", "village", "neighbourhood")
MERGE_KM = 5.0
SKELETON_MERGE_KM = 2.0  # names alike only in their consonants merge when this close


def community_names(r: dict[str, str], admin_ar: set[str]) -> list[str]:
    """The spellings of one OCHA community: the English name less its disambiguating
    sub-district ("Faqie (Kafr Nobol)" -> "Faqie"), with OCHA's glued article split
    ("Ein Elsahen" -> "Ein El Sahen"), and the Arabic names less an appended district
    ("الحجلية- الباب") but with both halves of a variant pair ("غزالة-غزيلة")."""
    en = re.sub(r"\s*\(.*?\)\s*", " ", r["name_en"]).strip()
    names = [en]
    split = _GLUED_ARTICLE.sub(lambda m: f"{m[1]} {m[2].capitalize()}", en)
    if split != en:
        names.append(split)
    for raw in (r["name_ar"], r["name_ar_alt"], r["name_ar_full"].split(" - ")[0]):
        parts = [x.strip() for x in re.split(r"-", raw) if x.strip()]
        if parts:
            names.append(parts[0])
            names += [x for x in parts[1:] if x not in admin_ar]
    return clean_names(list(dict.fromkeys(n for n in names if n)))


def add_communities(
    places: list[dict[str, Any]],
    rows: list[dict[str, str]],
    admin_fields: Any,
) -> None:
    """Merge OCHA's admin4 communities into ``places``: a community joins the settlement within
    ``MERGE_KM`` that shares one of its spellings (which gains the C-code, OCHA's admin units and
    the spellings), and is a new village otherwise ("ocha:C1353")."""
    admin_ar = {
        n for p in places if p["kind"].startswith("admin") for n in p["names"] if not n.isascii()
    }
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_skeleton: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in places:
        if p["kind"] in _SETTLEMENTS:
            for n in p["names"]:
                by_key[name_key(n)].append(p)
                by_skeleton[skeleton(name_key(n))].append(p)
    for r in sorted(rows, key=lambda r: r["pcode"]):
        names = community_names(r, admin_ar)
        ll = (float(r["lat"]), float(r["lon"]))
        near = [
            (haversine_km(ll, (q["lat"], q["lon"])), q)
            for n in names
            for q in by_key.get(name_key(n), [])
            if "admin4_pcode" not in q
        ]
        if not near or min(d for d, _ in near) > MERGE_KM:
            # "Latmana" and UCDP's "Al Lataminah", 100 m apart: one village spelled twice.
            near = [
                (haversine_km(ll, (q["lat"], q["lon"])), q)
                for n in names
                for q in by_skeleton.get(skeleton(name_key(n)), [])
                if "admin4_pcode" not in q
                and haversine_km(ll, (q["lat"], q["lon"])) <= SKELETON_MERGE_KM
            ]
        admin = {**admin_fields(r["admin3_pcode"]), "admin4": names[0], "admin4_pcode": r["pcode"]}
        if near and min(d for d, _ in near) <= MERGE_KM:
            merge_community(min(near, key=lambda x: x[0])[1], names, ll, admin)
            continue
        kind = "town" if name_key(names[0]) == name_key(admin["admin3"]) else "village"
        places.append(
            {
                "id": f"ocha:{r['pcode']}",
                "name": names[0],
                "names": names,
                "origins": ["ocha"] * len(names),
                "kind": kind,
                "lat": round(ll[0], 5),
                "lon": round(ll[1], 5),
                **admin,
                "sources": ["ocha"],
            }
        )


def merge_community(
    p: dict[str, Any], names: list[str], ll: tuple[float, float], admin: dict[str, Any]
) -> None:
    """Give settlement ``p`` a community's C-code, admin units and spellings. A place known only
    from UCDP takes OCHA's point too, so that no coordinate rests on UCDP alone."""
    origins = p.setdefault("origins", ["+".join(p["sources"])] * len(p["names"]))
    for n in names:
        if n in p["names"]:
            i = p["names"].index(n)
            if "ocha" not in origins[i].split("+"):
                origins[i] += "+ocha"
        else:
            p["names"].append(n)
            origins.append("ocha")
    if p["sources"] == ["ucdp"]:
        p["lat"], p["lon"] = round(ll[0], 5), round(ll[1], 5)
    p.update(admin)
    if "ocha" not in p["sources"]:
        p["sources"] = [*p["sources"], "ocha"]


def name_key(name: str) -> str:
    """The gazetteer's matching key of a name, with a leading article dropped."""
    return without_article(normalize_name(name))


# English words at least this frequent (wordfreq's Zipf scale: 3 is once per million words)
# make a place name that folds like them need context. Low enough to take in given names and
# surnames that English news prints ("Haddad" is 2.6).
WORD_ZIPF = 2.5
_PROMINENT = ("admin1", "admin2", "admin3", "city", "town")


def context_keys(places: list[dict[str, Any]]) -> dict[str, list[str]]:
    """One-word matching keys of place names that are also English words, given names or
    countries in English text, each with those words ("dal": ["dale", "deal", ...]).

    A word that is itself a prominent place's spelling ("aleppo", "homs", "douma") is no reason
    for doubt. Needs the ``wordfreq`` package (``pip install -e ".[build-data]"``), only here.
    """
    import wordfreq

    prominent = {
        plain(n) for p in places if p["kind"] in _PROMINENT for n in p["names"] if n.isascii()
    }
    words: dict[str, list[str]] = defaultdict(list)
    for w in wordfreq.top_n_list("en", 100_000):
        if len(w) >= 3 and w.isascii() and w.isalpha() and w not in prominent:
            if wordfreq.zipf_frequency(w, "en") < WORD_ZIPF:
                break
            words[fold_token(w)].append(w)
    out: dict[str, list[str]] = {}
    for p in places:
        for n in p["names"]:
            key = name_key(n)
            if " " not in key and key in words and n.isascii():
                out[key] = sorted(words[key])
    return dict(sorted(out.items()))


def skeleton_words(places: list[dict[str, Any]]) -> dict[str, list[str]]:
    """English words (and names English text prints: "Sydney", "Denver") with the consonant
    skeleton of some place name, by skeleton: a capitalised word matched to a place by its
    consonants alone is not taken when it is one of these (see ``Gazetteer._fuzzy_mention``)."""
    import wordfreq

    prominent = {
        plain(n) for p in places if p["kind"] in _PROMINENT for n in p["names"] if n.isascii()
    }
    place_skeletons = {skeleton(name_key(n)) for p in places for n in p["names"] if n.isascii()}
    out: dict[str, list[str]] = defaultdict(list)
    for w in wordfreq.top_n_list("en", 100_000):
        if len(w) >= 5 and w.isascii() and w.isalpha() and w not in prominent:
            if wordfreq.zipf_frequency(w, "en") < WORD_ZIPF:
                break
            sk = skeleton(fold_token(w))
            if sk in place_skeletons:
                out[sk].append(w)
    return {k: sorted(v) for k, v in sorted(out.items())}


# Arabic words at least this frequent make a one-word village or quarter name spelled like them
# need a place word before it ("بإسقاط النظام" is no village Eskat; "قرية إسقاط" is).
ARABIC_WORD_ZIPF = 3.6


def arabic_word_keys(places: list[dict[str, Any]]) -> list[str]:
    """Matching keys of one-word Arabic names of places below town rank that are common Arabic
    words ("جروح", wounds; "إسقاط", toppling)."""
    import wordfreq

    prominent = {
        fold_token(n) for p in places if p["kind"] in _PROMINENT for n in p["names"] if is_arabic(n)
    }
    out: set[str] = set()
    for p in places:
        if p["kind"] in _PROMINENT:
            continue
        for n in p["names"]:
            if is_arabic(n) and " " not in n.strip():
                key = fold_token(n.strip())
                if key not in prominent and wordfreq.zipf_frequency(n, "ar") >= ARABIC_WORD_ZIPF:
                    out.add(key)
    return sorted(out)


def write(places: list[dict[str, Any]], out: Path) -> None:
    curated = yaml.safe_load((DATA / "curated.yaml").read_text(encoding="utf-8"))
    meta = {
        "meta": {
            "region": "SY",
            "bare_name_means_governorate": curated["bare_name_means_governorate"],
            "context_keys": context_keys(places),
            "skeleton_words": skeleton_words(places),
            "arabic_word_keys": arabic_word_keys(places),
            "attribution": (
                "Contains data from GeoNames (geonames.org), CC BY 4.0; OCHA Syria COD "
                "administrative boundaries (HDX); OCHA Syria populated places (communities), "
                "CC BY 3.0 IGO, via the Syrian Archive's copy (CC BY-SA 4.0: this file keeps "
                "those terms); UCDP GED place names, CC BY 4.0 (Sundberg & Melander 2013)"
            ),
        }
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(meta, ensure_ascii=False)]
    lines += [json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in places]
    # mtime=0 keeps the file byte-identical across rebuilds of the same data.
    with out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    places = build(args.source)
    write(places, args.out)
    kinds = Counter(p["kind"] for p in places)
    print(
        f"wrote {len(places)} places to {args.out} ({args.out.stat().st_size:,} bytes): "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
