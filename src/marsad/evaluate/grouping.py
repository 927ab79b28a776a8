"""How well resolution groups the headlines of one UCDP GED event apart from other events.

UCDP GED lists, for each event, the articles it was coded from in ``source_article``
(``"SRC,YYYY-MM-DD,headline";"SRC,YYYY-MM-DD,headline"``). A multi-source event is therefore a
small reference cluster of headlines that describe one event. The evaluation:

* **Items** are unique (source, date, headline) triples parsed from ``source_article``.
* **Only headlines listed by exactly one event are kept.** A headline listed by several events
  is a roundup ("Bombardment targets Idlib and Hama") that has no single right incident; its
  co-listings would chain unrelated headlines into one reference cluster. Dropped roundups are
  counted.
* **Reference clusters** are the events' sets of kept headlines.
* **Day blocks.** For every date, the kept headlines whose event's ``date_start..date_end``
  covers it compete with each other: the task is to group one event's headlines apart from the
  other events of the same days. Every reference pair lies inside a block, so scoring all kept
  headlines at once equals scoring block by block, except for predicted merges of headlines
  whose events share no day: those are always wrong, are counted as errors and reported
  separately. Block sizes (headlines and events per day) are reported to show how crowded the
  days are.
* **The system** is the pure engine: each headline is extracted (:func:`marsad.extract.extract`)
  as a report published on its date, its incident-scope claims are digested
  (:func:`marsad.resolve.records.record_from_claim`) and all claims of all kept headlines go
  through one :class:`marsad.resolve.Resolver`, as a store run would. Two headlines are grouped
  when any of their claims share an incident (a headline may yield several claims). A headline
  with no incident claim is a singleton, and counted: it is part of the measure, not removed.
* **Measures.** Pairwise precision, recall and F1 over headline pairs, and B-cubed precision,
  recall and F1 (per headline: the share of its predicted companions that are really its
  event's, and the share of its event's headlines it was grouped with, averaged over
  headlines). Both overall and for headlines of events with at least two kept headlines (the
  events where grouping can succeed or fail at all). B-cubed handles the overlapping predicted
  groups a multi-claim headline makes: each headline's companions are counted once.
* **Baselines** for reading the figures: *every headline alone* (perfect precision, no recall)
  and *same day + same governorate* (headlines published the same day whose claims name the
  same governorate, with the same extraction; a headline naming no governorate stays alone).
* **Ceiling** for reading them too: *claimed headlines grouped perfectly* (each headline with an
  incident claim grouped with exactly the claimed headlines of its event; the others alone).
  No resolution can do better with this extraction: a headline without a claim never reaches it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from statistics import mean, median
from typing import Any

from marsad.evaluate.files import RowWarnings, read_csv
from marsad.evaluate.metrics import share
from marsad.evaluate.tables import Table, pct
from marsad.resolve.records import ClaimRecord

REQUIRED_COLUMNS = ("source_article", "date_start", "date_end")
MAX_EVENT_DAYS = 31  # an event dated more loosely than a month is not a same-day competitor

Grouping = Mapping[int, set[int]]  # headline -> the headlines it is grouped with (itself included)


@dataclass(slots=True)
class Headline:
    """One kept item and its reference event."""

    index: int
    source: str
    published: str
    text: str
    event: str  # the UCDP event id (or row number)
    days: tuple[int, int]  # the event's date_start..date_end as ordinals


@dataclass(slots=True)
class Corpus:
    """Kept headlines, their events, and what was dropped on the way."""

    headlines: list[Headline]
    events: dict[str, list[int]]
    selection: dict[str, int]
    warnings: RowWarnings
    skipped_long: int = 0
    blocks: dict[int, list[int]] = field(default_factory=dict)


def parse_source_article(raw: str) -> list[tuple[str, str, str]]:
    """(source, date, headline) triples of a ``source_article`` cell; unparseable parts are
    left out (a headline may itself contain commas, so only the first two split)."""
    out: list[tuple[str, str, str]] = []
    for part in raw.split('";"'):
        fields = part.strip().strip('"').split(",", 2)
        if len(fields) != 3:
            continue
        source, day, text = (f.strip() for f in fields)
        if not text or not source:
            continue
        out.append((source, day[:10], text))
    return out


def load_corpus(path: str | Path) -> Corpus:
    """Read the file, keep single-event headlines and build the day blocks."""
    warnings = RowWarnings(str(path))
    listed: dict[tuple[str, str, str], set[str]] = {}
    event_days: dict[str, tuple[int, int]] = {}
    rows = events_with_items = long_events = 0
    for row in read_csv(path, REQUIRED_COLUMNS):
        rows += 1
        try:
            start = date.fromisoformat(row.values["date_start"].strip()[:10]).toordinal()
            end = date.fromisoformat(row.values["date_end"].strip()[:10]).toordinal()
        except ValueError:
            warnings.add(row.number, f"{row.where()}: date_start/date_end is not an ISO date")
            continue
        if end < start:
            warnings.add(row.number, f"{row.where()}: date_end before date_start")
            continue
        items = parse_source_article(row.values["source_article"])
        if not items:
            warnings.add(row.number, f"{row.where()}: no headline in source_article")
            continue
        event = (row.values.get("id") or "").strip() or f"row{row.number}"
        if end - start + 1 > MAX_EVENT_DAYS:
            long_events += 1
        events_with_items += 1
        event_days[event] = (start, end)
        for item in items:
            listed.setdefault(item, set()).add(event)
    headlines: list[Headline] = []
    events: dict[str, list[int]] = {}
    roundups = on_long_events = 0
    for (source, published, text), evs in listed.items():
        if len(evs) != 1:
            roundups += 1
            continue
        (event,) = evs
        days = event_days[event]
        if days[1] - days[0] + 1 > MAX_EVENT_DAYS:
            on_long_events += 1
            continue
        h = Headline(len(headlines), source, published, text, event, days)
        headlines.append(h)
        events.setdefault(event, []).append(h.index)
    blocks: dict[int, list[int]] = {}
    for h in headlines:
        for day in range(h.days[0], h.days[1] + 1):
            blocks.setdefault(day, []).append(h.index)
    selection = {
        "rows": rows,
        "events with a parseable headline": events_with_items,
        "unique headlines": len(listed),
        "dropped: listed by several events (roundups)": roundups,
        f"dropped: event dated over {MAX_EVENT_DAYS} days": on_long_events,
        "kept headlines": len(headlines),
        "events with a kept headline": len(events),
        "events with 2+ kept headlines": sum(len(m) >= 2 for m in events.values()),
    }
    return Corpus(headlines, events, selection, warnings, long_events, blocks)


# --- groupings ------------------------------------------------------------------------------


def reference_grouping(corpus: Corpus) -> dict[int, set[int]]:
    return {h.index: set(corpus.events[h.event]) for h in corpus.headlines}


def singletons(corpus: Corpus) -> dict[int, set[int]]:
    return {h.index: {h.index} for h in corpus.headlines}


def _from_labels(n: int, labels: Mapping[int, Iterable[object]]) -> dict[int, set[int]]:
    """Companions of each headline: every headline sharing one of its labels."""
    members: dict[object, set[int]] = {}
    for i, ls in labels.items():
        for label in ls:
            members.setdefault(label, set()).add(i)
    out: dict[int, set[int]] = {i: {i} for i in range(n)}
    for i, ls in labels.items():
        for label in ls:
            out[i] |= members[label]
    return out


@dataclass(slots=True)
class SystemRun:
    """What the engine made of the kept headlines."""

    claims: dict[int, list[ClaimRecord]]  # headline -> its incident claim records
    clusters: dict[int, set[int]]  # headline -> the resolver cluster keys its claims joined
    incidents: int


Extract = Callable[[str, str, str], list[Any]]


def _default_extract(text: str, source: str, published: str) -> list[Any]:
    from marsad.contract.claim import DocumentMeta
    from marsad.extract import extract

    return list(extract(text, DocumentMeta(published=published, source=source)))


def run_system(corpus: Corpus, extract: Extract | None = None) -> SystemRun:
    """Extract every kept headline and resolve all their incident claims together."""
    from marsad.resolve import Resolver
    from marsad.resolve.records import record_from_claim

    ex = extract or _default_extract
    claims: dict[int, list[ClaimRecord]] = {}
    owner: dict[int, int] = {}
    records: list[ClaimRecord] = []
    for h in corpus.headlines:
        mine: list[ClaimRecord] = []
        for c in ex(h.text, h.source, h.published):
            if c.scope != "incident":
                continue
            cid = len(records) + 1
            r = record_from_claim(c, cid, source=h.source, published=h.published)
            records.append(r)
            owner[cid] = h.index
            mine.append(r)
        claims[h.index] = mine
    resolver = Resolver()
    resolver.add(records)
    clusters: dict[int, set[int]] = {h.index: set() for h in corpus.headlines}
    for c in resolver.clusters:
        for m in c.members:
            clusters[owner[m.id]].add(c.key)
    return SystemRun(claims, clusters, len(resolver.clusters))


def claimed_ceiling(corpus: Corpus, run: SystemRun) -> dict[int, set[int]]:
    """The best any resolution can do with this extraction (see the module docstring)."""
    out: dict[int, set[int]] = {}
    for h in corpus.headlines:
        if run.claims[h.index]:
            out[h.index] = {i for i in corpus.events[h.event] if run.claims[i]}
        else:
            out[h.index] = {h.index}
    return out


def system_grouping(corpus: Corpus, run: SystemRun) -> dict[int, set[int]]:
    return _from_labels(len(corpus.headlines), run.clusters)


def day_governorate_grouping(corpus: Corpus, run: SystemRun) -> dict[int, set[int]]:
    """Baseline: same publication day and a governorate in common among the claims."""
    labels: dict[int, set[object]] = {}
    for h in corpus.headlines:
        govs = {r.admin1 for r in run.claims[h.index] if r.admin1}
        labels[h.index] = {(h.published, g) for g in govs}
    return _from_labels(len(corpus.headlines), labels)


# --- scoring --------------------------------------------------------------------------------


def _prf(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def score_grouping(
    corpus: Corpus, predicted: Grouping, subset: Iterable[int] | None = None
) -> dict[str, Any]:
    """Pairwise and B-cubed precision/recall/F1 of ``predicted`` against the events.

    With ``subset``, B-cubed averages over those headlines only and pairwise counts the pairs
    with at least one end in it; companions outside the subset still count (a headline of a
    two-headline event wrongly grouped with a lone one is an error of that event too)."""
    gold = reference_grouping(corpus)
    chosen = set(subset) if subset is not None else set(gold)
    tp = pred_pairs = gold_pairs = cross_day = 0
    b_prec: list[float] = []
    b_rec: list[float] = []
    hs = corpus.headlines
    for i in sorted(chosen):
        pred_i, gold_i = predicted[i], gold[i]
        b_prec.append(len(pred_i & gold_i) / len(pred_i))
        b_rec.append(len(pred_i & gold_i) / len(gold_i))
        a = hs[i].days
        for j in pred_i:
            if j == i or (j in chosen and j < i):
                continue  # each pair once
            pred_pairs += 1
            if j in gold_i:
                tp += 1
            elif hs[j].days[1] < a[0] or hs[j].days[0] > a[1]:
                cross_day += 1
        gold_pairs += sum(1 for j in gold_i if j != i and not (j in chosen and j < i))
    pp, pr = share(tp, pred_pairs), share(tp, gold_pairs)
    bp = mean(b_prec) if b_prec else None
    br = mean(b_rec) if b_rec else None
    return {
        "headlines": len(chosen),
        "pairwise": {
            "precision": pp,
            "recall": pr,
            "f1": _prf(pp, pr),
            "tp": tp,
            "predicted": pred_pairs,
            "reference": gold_pairs,
            "predicted_across_days": cross_day,
        },
        "bcubed": {"precision": bp, "recall": br, "f1": _prf(bp, br)},
    }


def block_stats(corpus: Corpus) -> dict[str, Any]:
    """How crowded the day blocks are: headlines and events competing on one day."""
    sizes = [len(m) for m in corpus.blocks.values()]
    events = [len({corpus.headlines[i].event for i in m}) for m in corpus.blocks.values()]
    if not sizes:
        return {"days": 0}
    return {
        "days": len(sizes),
        "headlines_per_day_mean": mean(sizes),
        "headlines_per_day_median": median(sizes),
        "headlines_per_day_max": max(sizes),
        "events_per_day_mean": mean(events),
        "events_per_day_max": max(events),
    }


def score_grouping_file(
    path: str | Path, extract: Extract | None = None, outcomes: bool = True
) -> dict[str, Any]:
    """The whole evaluation of one UCDP GED file (see the module docstring)."""
    corpus = load_corpus(path)
    run = run_system(corpus, extract)
    multi = [i for m in corpus.events.values() if len(m) >= 2 for i in m]
    with_claim = sum(1 for v in run.claims.values() if v)
    # reference pairs resolution can reach at all: both headlines yield an incident claim
    reachable = sum(
        sum(1 for i in m if run.claims[i]) * (sum(1 for i in m if run.claims[i]) - 1) // 2
        for m in corpus.events.values()
    )
    methods = {
        "resolution": system_grouping(corpus, run),
        "same day + same governorate": day_governorate_grouping(corpus, run),
        "every headline alone": singletons(corpus),
        "ceiling: claimed headlines grouped perfectly": claimed_ceiling(corpus, run),
    }
    scores = {
        name: {"all": score_grouping(corpus, g), "multi": score_grouping(corpus, g, multi)}
        for name, g in methods.items()
    }
    result: dict[str, Any] = {
        "dataset": "grouping",
        "file": str(path),
        "selection": corpus.selection,
        "blocks": block_stats(corpus),
        "claims": {
            "headlines": len(corpus.headlines),
            "with_incident_claim": with_claim,
            "share_with_incident_claim": share(with_claim, len(corpus.headlines)),
            "incident_claims": sum(len(v) for v in run.claims.values()),
            "incidents": run.incidents,
            "reference_pairs_both_with_claim": reachable,
        },
        "scores": scores,
        "warnings": corpus.warnings.to_dict(),
    }
    if outcomes:
        grouped = methods["resolution"]
        result["headlines"] = [
            {
                "event": h.event,
                "source": h.source,
                "date": h.published,
                "headline": h.text,
                "claims": len(run.claims[h.index]),
                "incidents": sorted(run.clusters[h.index]),
                "grouped_with": sorted(grouped[h.index] - {h.index}),
            }
            for h in corpus.headlines
        ]
    return result


# --- presentation ---------------------------------------------------------------------------


def grouping_tables(result: dict[str, Any]) -> list[Table]:
    sel = Table("UCDP grouping: headline selection", ["step", "count"], [])
    sel.rows += [[k, f"{v:,}"] for k, v in result["selection"].items()]
    c = result["claims"]
    sel.rows += [
        ["kept headlines with an incident claim", f"{c['with_incident_claim']:,}"],
        ["incident claims", f"{c['incident_claims']:,}"],
        ["incidents made by resolution", f"{c['incidents']:,}"],
        ["reference pairs, both claimed", f"{c['reference_pairs_both_with_claim']:,}"],
    ]
    b = result["blocks"]
    if b.get("days"):
        sel.rows += [
            ["day blocks", f"{b['days']:,}"],
            [
                "headlines per day (mean / max)",
                f"{b['headlines_per_day_mean']:.1f} / {b['headlines_per_day_max']}",
            ],  # fmt: skip
            [
                "events per day (mean / max)",
                f"{b['events_per_day_mean']:.1f} / {b['events_per_day_max']}",
            ],  # fmt: skip
        ]
    tables = [sel]
    for part, title in (("all", "all kept headlines"), ("multi", "events with 2+ headlines")):
        t = Table(
            f"UCDP grouping: {title}",
            ["method", "pair P", "pair R", "pair F1", "tp/pred/ref", "B3 P", "B3 R", "B3 F1"],
            [],
        )
        for name, s in result["scores"].items():
            p, b3 = s[part]["pairwise"], s[part]["bcubed"]
            t.rows.append(
                [
                    name,
                    pct(p["precision"]),
                    pct(p["recall"]),
                    pct(p["f1"]),
                    f"{p['tp']:,}/{p['predicted']:,}/{p['reference']:,}",
                    pct(b3["precision"]),
                    pct(b3["recall"]),
                    pct(b3["f1"]),
                ]
            )
        tables.append(t)
    return tables


def grouping_summary(result: dict[str, Any]) -> str:
    s = result["scores"]["resolution"]
    base = result["scores"]["same day + same governorate"]["all"]
    return (
        f"UCDP grouping {result['claims']['headlines']:,} headlines "
        f"({pct(result['claims']['share_with_incident_claim'])} with a claim): pairwise "
        f"P {pct(s['all']['pairwise']['precision'])} R {pct(s['all']['pairwise']['recall'])}, "
        f"B-cubed F1 {pct(s['all']['bcubed']['f1'])} (2+ headline events "
        f"{pct(s['multi']['bcubed']['f1'])}); day+governorate baseline B-cubed F1 "
        f"{pct(base['bcubed']['f1'])}"
    )
