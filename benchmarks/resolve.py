"""Resolution throughput and memory on generated claims with realistic clustering.

    .venv/bin/python benchmarks/resolve.py [--sizes 10000,100000,1000000] [--seed 7]
    .venv/bin/python benchmarks/resolve.py --store sqlite [--sizes 10000,100000]
    .venv/bin/python benchmarks/resolve.py --store postgresql://postgres@127.0.0.1:5432/test

Each size runs in its own subprocess so that peak memory (``ru_maxrss``) is that size's alone.
The generator (seeded) makes ~60 incidents a day in 400 villages of 4 governorates (the density is
the same at every size; more claims cover more days, ~9 years for a million), so many incidents
share a day and a governorate and some share a village and a day; each incident is
reported 1-12 times (mean ~5) with the variation real reports have: a day early or late, a week
range instead of a day, a governorate instead of the village (10%), no place (3%), tolls that rise
or are given as "at least", now and then a different perpetrator. Timed: linking (the
:class:`~marsad.resolve.engine.Resolver`) and building every incident record (figures,
independence, grades). Generation is not timed, but its memory counts in the peak.

``--store URL`` (``sqlite`` for a fresh temporary file) measures resolution through the store
instead: one subprocess stores the generated claims through the store's ordinary APIs (every 20th
claim as a document with its text and an extraction run, the rest as partner-dataset imports, one
per outlet per 5,000 claims), a second times :func:`marsad.resolve.resolve_store` on them and
reports claims per second and its own peak memory. On PostgreSQL each size gets its own schema.

Printed per size: seconds, claims per second, peak MB, incidents found vs generated, pairwise
precision/recall against the generated truth; then time ratios between successive sizes. Goals:
1,000,000 claims in under 3 minutes on 2 cores, 10x the claims in at most 12x the time, peak
memory under 4 GB.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from marsad.contract.claim import (
    EVENT_FAMILIES,
    PLACE_PRECISIONS,
    ActorRef,
    Claim,
    Count,
    PlaceRef,
    Span,
    WeaponRef,
)
from marsad.resolve.engine import Resolver
from marsad.resolve.incident import build_incident
from marsad.resolve.records import PRECISE_RANK, ClaimRecord

GOVERNORATES = [("SY07", "Idlib", 35.9, 36.6), ("SY02", "Aleppo", 36.2, 37.1),
                ("SY05", "Hama", 35.2, 36.7), ("SY11", "Latakia", 35.6, 36.0)]  # fmt: skip
ACTORS = [
    ("sy_gov_forces", "Syrian government forces", "state_forces"),
    ("ru_forces", "Russian forces", "foreign_state_forces"),
    ("hts", "Hayat Tahrir al-Sham", "non_state_armed_group"),
    ("sna", "Syrian National Army", "non_state_armed_group"),
]
TYPES = [("air_strike", 5), ("shelling", 4), ("armed_clash", 1), ("remote_explosive", 1)]
WEAPONS = {
    "air_strike": ["air_dropped_bomb", "missile", "barrel_bomb"],
    "shelling": ["artillery", "rocket"],
    "armed_clash": ["gunfire"],
    "remote_explosive": ["explosive_device", "car_bomb"],
}
OUTLETS = [f"Outlet {i}" for i in range(60)]
START = date(2012, 1, 1).toordinal()
INCIDENTS_PER_DAY = 60  # across 4 governorates and 400 villages: ~15 a governorate a day
MEAN_REPORTS = 4.3
SPAN = Span(0, 1, "x")


def make_places(rng: random.Random) -> tuple[list[PlaceRef], dict[str, PlaceRef]]:
    villages = []
    for i in range(400):
        code, gname, lat, lon = GOVERNORATES[i % 4]
        villages.append(
            PlaceRef(
                name=f"Village {i}",
                precision="exact",
                evidence=SPAN,
                gazetteer_id=f"v{i}",
                kind="village",
                admin1=gname,
                admin1_pcode=code,
                lat=lat + rng.uniform(-0.5, 0.5),
                lon=lon + rng.uniform(-0.5, 0.5),
            )
        )
    govs = {
        code: PlaceRef(gname, "governorate", SPAN, None, "admin1", gname, code)
        for code, gname, _, _ in GOVERNORATES
    }
    return villages, govs


def generate(n_claims: int, seed: int) -> tuple[list[ClaimRecord], list[int]]:
    """``n_claims`` records and, for each, the generated incident it reports."""
    rng = random.Random(seed)
    villages, govs = make_places(rng)
    type_names = [t for t, _ in TYPES]
    type_weights = [w for _, w in TYPES]
    # the same density at every size (a bigger archive covers more days, as a real one does)
    days = max(7, round(n_claims / MEAN_REPORTS / INCIDENTS_PER_DAY))
    records: list[ClaimRecord] = []
    truth: list[int] = []
    incident = 0
    while len(records) < n_claims:
        incident += 1
        etype = rng.choices(type_names, type_weights)[0]
        village = rng.choice(villages)
        day = START + rng.randrange(days)
        perp = rng.choice(ACTORS)
        killed = int(rng.expovariate(1 / 6))
        weapon = rng.choice(WEAPONS[etype])
        reports = min(12, 1 + int(rng.expovariate(1 / 4)))
        story = f"{etype} on {village.name} day {day} incident {incident}"
        for _ in range(reports):
            if len(records) >= n_claims:
                break
            roll = rng.random()
            place: PlaceRef | None = village
            if roll < 0.03:
                place = None
            elif roll < 0.13:
                place = govs[village.admin1_pcode or "SY07"]
            lo = hi = day
            precision = 1
            roll = rng.random()
            if roll < 0.1:
                lo = hi = day + rng.choice((-1, 1))
            elif roll < 0.15:
                lo, hi, precision = day - 3, day + 3, 3
            k = max(0, killed + rng.choice((0, 0, 0, 1, 2, -1)))
            q = "at_least" if rng.random() < 0.2 else "exact"
            counts = (("killed", "all", k, None if q == "at_least" else k, q, False),)
            p = perp if rng.random() > 0.05 else rng.choice(ACTORS)
            rank = PLACE_PRECISIONS.index(place.precision) if place else len(PLACE_PRECISIONS)
            cid = len(records) + 1
            records.append(
                ClaimRecord(
                    id=cid,
                    event_type=etype,
                    family=EVENT_FAMILIES[etype],
                    day_lo=lo,
                    day_hi=hi,
                    date_precision=precision,
                    place=place,
                    place_rank=rank,
                    lat=place.lat if place else None,
                    lon=place.lon if place else None,
                    place_key=(place.gazetteer_id or place.name.lower()) if place else None,
                    admin1=place.admin1_pcode if place else None,
                    perpetrators=(p,),
                    weapons=frozenset((weapon,)) if rng.random() < 0.6 else frozenset(),
                    counts=counts,
                    text=f"{story} reported by {rng.choice(OUTLETS)} killed {k}",
                    source=rng.choice(OUTLETS),
                    document_id=f"d{cid}",
                    published=hi + rng.randrange(2),
                    sensitivity="public",
                )
            )
            truth.append(incident)
    return records, truth


def pairs(sizes: Counter[object]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def run_one(n: int, seed: int, repeat: int) -> dict[str, object]:
    records, truth = generate(n, seed)
    gc.collect()
    gc.freeze()  # the generated records are long-lived input, not the engine's garbage
    best: tuple[float, float, float] | None = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        resolver = Resolver()
        resolver.add(records)
        t1 = time.perf_counter()
        incidents = 0
        for c in resolver.clusters:
            build_incident(c.members, c.anchor, notes=c.notes)
            incidents += 1
        t2 = time.perf_counter()
        if best is None or t2 - t0 < best[2] - best[0]:
            best = (t0, t1, t2)
    assert best is not None
    t0, t1, t2 = best
    label = {}
    for c in resolver.clusters:
        for m in c.members:
            label[m.id] = c.key
    cells: Counter[object] = Counter()
    predicted: Counter[object] = Counter()
    actual: Counter[object] = Counter()
    for r, t in zip(records, truth, strict=True):
        cells[(label[r.id], t)] += 1
        predicted[label[r.id]] += 1
        actual[t] += 1
    tp = pairs(cells)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "claims": n,
        "link_s": round(t1 - t0, 2),
        "build_s": round(t2 - t1, 2),
        "seconds": round(t2 - t0, 2),
        "claims_per_s": round(n / (t2 - t0)),
        "peak_mb": round(peak_mb),
        "incidents": incidents,
        "true_incidents": len(actual),
        "precise_share": round(sum(r.place_rank <= PRECISE_RANK for r in records) / n, 3),
        "pair_precision": round(tp / max(pairs(predicted), 1), 4),
        "pair_recall": round(tp / max(pairs(actual), 1), 4),
    }


# -- through the store ---------------------------------------------------------------------------

DOCUMENT_EVERY = 20  # every 20th claim comes from a stored document (text, extraction run)
IMPORT_CHUNK = 5000


def to_claim(r: ClaimRecord) -> Claim:
    """The schema claim extraction would have produced for a generated record."""
    assert r.day_lo is not None and r.day_hi is not None
    return Claim(
        scope="incident",
        event_type=r.event_type,
        evidence=Span(0, len(r.text), r.text),
        date_start=date.fromordinal(r.day_lo).isoformat(),
        date_end=date.fromordinal(r.day_hi).isoformat(),
        date_precision=r.date_precision,
        places=[r.place] if r.place is not None else [],
        perpetrators=[ActorRef(i, n, t, SPAN) for i, n, t in r.perpetrators],
        weapons=[WeaponRef(w, SPAN) for w in sorted(r.weapons)],
        counts=[Count(cat, lo, hi, q, SPAN, group=g) for cat, g, lo, hi, q, _d in r.counts],
    )


def load_store(url: str, n: int, seed: int) -> dict[str, object]:
    """Store ``n`` generated claims through the store's public APIs (not timed as resolution)."""
    from marsad.contract.document import NewDocument
    from marsad.store import Store
    from marsad.store.datasets import DatasetRow

    records, _ = generate(n, seed)
    store = Store(url)
    t0 = time.perf_counter()
    run = store.start_run(engine="benchmark", engine_version="1", actor="benchmark")
    for start in range(0, n, IMPORT_CHUNK):
        by_outlet: dict[str, list[DatasetRow]] = {}
        for r in records[start : start + IMPORT_CHUNK]:
            claim = to_claim(r)
            if r.id % DOCUMENT_EVERY == 0:
                published = date.fromordinal(r.published or r.day_hi or START).isoformat()
                doc = store.add_document(
                    NewDocument(
                        original=f"{r.id}\n{r.text}".encode(),
                        original_name=f"{r.document_id}.txt",
                        media_type="text/plain",
                        text=r.text,
                        title=r.text[:60],
                        source=r.source,
                        published=published,
                        sensitivity="public",
                    ),
                    actor="benchmark",
                )
                store.replace_claims(doc.document_id, [claim], run_id=run, actor="benchmark")
            else:
                rows = by_outlet.setdefault(r.source or "unknown", [])
                rows.append(DatasetRow(len(rows) + 2, f"r{r.id}", claim))
        for outlet, rows in by_outlet.items():
            store.add_dataset_claims(
                dataset=outlet,
                file_name=f"{outlet}-{start}.csv",
                content=f"{outlet}\n{start}\n{len(rows)}".encode(),
                rows=rows,
                actor="benchmark",
            )
    store.close()
    return {"claims": n, "load_s": round(time.perf_counter() - t0, 1)}


def resolve_in_store(url: str, n: int) -> dict[str, object]:
    """Time one resolution run over everything stored; then check the custody chain."""
    from marsad.jobs.resolve import resolve_store
    from marsad.store import Store

    store = Store(url)
    gc.collect()
    t0 = time.perf_counter()
    report = resolve_store(store, actor="benchmark")
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t1 = time.perf_counter()
    verified = store.verify()
    verify_s = time.perf_counter() - t1
    store.close()
    return {
        "claims": n,
        "seconds": round(seconds, 2),
        "claims_per_s": round(n / seconds),
        "peak_mb": round(peak_mb),
        "incidents": report.incidents_created,
        "chain_ok": verified.ok,
        "ledger_entries": verified.ledger_entries_checked,
        "verify_s": round(verify_s, 1),
    }


@contextmanager
def fresh_database(target: str) -> Iterator[str]:
    """A URL for an empty database: a temporary SQLite file, or a new PostgreSQL schema."""
    from marsad.config import database_url

    if target == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield database_url(str(Path(tmp) / "bench.db"))
        return
    import psycopg

    plain = target.replace("postgresql+psycopg://", "postgresql://")
    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base = database_url(target)
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _sub(*args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_store(target: str, sizes: list[int], seed: int) -> None:
    results = []
    for n in sizes:
        with fresh_database(target) as url:
            loaded = _sub("--load", str(n), "--db", url, "--seed", str(seed))
            r = _sub("--resolve-db", str(n), "--db", url)
        r["load_s"] = loaded["load_s"]
        results.append(r)
        print(
            f"{r['claims']:>9,} claims through the store: {r['seconds']:>7.2f} s, "
            f"{r['claims_per_s']:>7,} claims/s, peak {r['peak_mb']:,} MB; "
            f"{r['incidents']:,} incidents; chain ok: {r['chain_ok']} "
            f"({r['ledger_entries']:,} entries, verify {r['verify_s']} s; load {r['load_s']} s)",
            flush=True,
        )
    print(json.dumps(results))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="'' to skip")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--repeat", type=int, default=3, help="runs per size under 1,000,000 (the best counts)"
    )
    ap.add_argument(
        "--store", help="resolve through the store: 'sqlite' or a PostgreSQL URL (see above)"
    )
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--load", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--resolve-db", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.load:
        print(json.dumps(load_store(args.db, args.load, args.seed)))
        return
    if args.resolve_db:
        print(json.dumps(resolve_in_store(args.db, args.resolve_db)))
        return
    if args.store:
        run_store(args.store, [int(s) for s in args.sizes.split(",") if s], args.seed)
        return
        if not args.sizes:
            return
    if args.one:
        repeat = args.repeat if args.one < 1_000_000 else 1
        print(json.dumps(run_one(args.one, args.seed, repeat)))
        return
    results = []
    for n in (int(s) for s in args.sizes.split(",") if s):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(
            f"{r['claims']:>9,} claims: {r['seconds']:>7.2f} s "
            f"(link {r['link_s']} s, build {r['build_s']} s), {r['claims_per_s']:>7,} claims/s, "
            f"peak {r['peak_mb']:,} MB; {r['incidents']:,} incidents "
            f"({r['true_incidents']:,} generated), pairwise precision {r['pair_precision']}, "
            f"recall {r['pair_recall']}",
            flush=True,
        )
    for a, b in zip(results, results[1:], strict=False):
        ratio = b["seconds"] / max(a["seconds"], 1e-9)  # type: ignore[operator]
        scale = b["claims"] / a["claims"]  # type: ignore[operator]
        print(f"time({b['claims']:,}) / time({a['claims']:,}) = {ratio:.2f} (claims x{scale:g})")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
