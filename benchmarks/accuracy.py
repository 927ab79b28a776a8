"""Run every accuracy evaluation and write ``docs/accuracy.md``.

Usage::

    .venv/bin/python benchmarks/accuracy.py /work/shared/eval [--gold eval/gold/gold.jsonl]
        [--out docs/accuracy.md] [--json-dir DIR]

Scores FA-KES (``fakes_dev.csv``), UCDP GED (``ucdp_ged_syria_2016_2017.csv``) and, when the file
exists, the gold set; the Arabic sets (``syrianarchive_incidents_ar_en.jsonl``, the
``arabic_event_gsr_*_gsr.csv`` pair, ``syrianarchive_investigations_ar_en.jsonl``) are scored when
their files are in the folder and skipped with a note otherwise.

The generated file keeps the hand-written error analysis found between the
``analysis:start``/``analysis:end`` markers of the previous version, so figures can be refreshed
without losing it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from marsad.evaluate.analysis import fakes_errors, gold_errors, ucdp_errors
from marsad.evaluate.arabic_archive import score_arabic_archive
from marsad.evaluate.arabic_events import score_arabic_events
from marsad.evaluate.case import score_case
from marsad.evaluate.fakes import score_fakes
from marsad.evaluate.gold import score_gold
from marsad.evaluate.investigations import score_investigations
from marsad.evaluate.mapping import mapping_markdown
from marsad.evaluate.report import summary_line, tables_for
from marsad.evaluate.syrianarchive import score_syrianarchive
from marsad.evaluate.tables import markdown, pct
from marsad.evaluate.ucdp import name_share_within, score_ucdp

START, END = "<!-- analysis:start -->", "<!-- analysis:end -->"
PLACEHOLDER = "_No hand-written analysis yet: read the error tables above and write it here._"

Getter = Callable[[dict[str, Any]], float | None]

# (dataset, measure, getter, target, True when lower is better); the extraction engine v2 issue's
# dev targets
TARGETS: list[tuple[str, str, Getter, float, bool]] = [
    ("case", "CASE weighted F1, 25 ACLED classes", lambda r: r["weighted_f1"], 0.86, False),
    (
        "case",
        "CASE non-conflict rows without a violent claim",
        lambda r: r["non_conflict_without_violent_claim"],
        0.92,
        False,
    ),
    (
        "fakes",
        "FA-KES governorate",
        lambda r: r["categories"]["governorate"]["accuracy"],
        0.93,
        False,
    ),
    ("fakes", "FA-KES cause", lambda r: r["categories"]["cause"]["accuracy"], 0.87, False),
    ("fakes", "FA-KES actor", lambda r: r["categories"]["actor"]["accuracy"], 0.82, False),
    (
        "fakes",
        "FA-KES civilians killed, exact",
        lambda r: r["counts"]["civilians"]["exact_match"],
        0.82,
        False,
    ),
    (
        "fakes",
        "FA-KES children killed, exact",
        lambda r: r["counts"]["children"]["exact_match"],
        0.93,
        False,
    ),
    (
        "fakes",
        "FA-KES women killed, exact",
        lambda r: r["counts"]["women"]["exact_match"],
        0.97,
        False,
    ),
    ("fakes", "FA-KES date, exact", lambda r: r["date"]["exact"]["accuracy"], 0.90, False),
    (
        "syrianarchive",
        "Syrian Archive weapon (main claim)",
        lambda r: r["weapons"]["main_claim"]["accuracy"],
        0.90,
        False,
    ),
    (
        "syrianarchive",
        "Syrian Archive records with no claim",
        lambda r: r["no_claim"]["share"],
        0.05,
        True,
    ),
    (
        "ucdp",
        "UCDP name only, within 5 km, without UCDP-derived names",
        lambda r: (
            r.get("name_only", {}).get("without_ucdp_entries", {}).get("all", {}).get("within_5km")
        ),
        0.93,
        False,
    ),
    (
        "ucdp",
        "UCDP headline place within 10 km (of rows naming a place)",
        lambda r: r["headlines"]["measures"]["place_within_10km"]["of_rows_naming_a_place"],
        0.80,
        False,
    ),
    (
        "ucdp",
        "UCDP headline date (of all rows)",
        lambda r: r["headlines"]["measures"]["date_right"]["of_all_rows"],
        0.95,
        False,
    ),
    (
        "syrianarchive",
        "Syrian Archive governorate (every record naming one)",
        lambda r: r["governorate"]["accuracy"],
        0.93,
        False,
    ),
    (
        "syrianarchive",
        "Syrian Archive main place within 10 km (records with coordinates)",
        lambda r: r["distance"].get("within_10km"),
        0.87,
        False,
    ),
    ("gold", "Gold claim F1", lambda r: r["claims"]["f1"], 0.91, False),
]


def agreement_of_pairs(result: dict[str, Any], measure: str) -> float | None:
    """The share of investigation pairs whose two versions agree on ``measure``."""
    value: float | None = result["agreement"][measure]["of_pairs"]
    return value


# The Arabic language pack issue's dev targets.
ARABIC_TARGETS: list[tuple[str, str, Getter, float, bool]] = [
    (
        "syrianarchive_ar",
        "Syrian Archive Arabic summaries, main place within 10 km",
        lambda r: r["languages"]["ar"]["place_within_10km"]["accuracy"],
        0.85,
        False,
    ),
    (
        "syrianarchive_ar",
        "Syrian Archive Arabic summaries, date in the main claim's range",
        lambda r: r["languages"]["ar"]["date_right"]["accuracy"],
        0.90,
        False,
    ),
    (
        "syrianarchive_ar",
        "Syrian Archive Arabic summaries, weapon (main claim)",
        lambda r: r["languages"]["ar"]["weapons"]["main_claim"]["accuracy"],
        0.85,
        False,
    ),
    (
        "arabic_events",
        "Arabic sentences, assault F1",
        lambda r: r["sets"].get("assault", {}).get("f1"),
        0.80,
        False,
    ),
    (
        "arabic_events",
        "Arabic sentences, protest F1",
        lambda r: r["sets"].get("protest", {}).get("f1"),
        0.80,
        False,
    ),
]
ARABIC_TARGETS += [
    (
        "investigations",
        f"Investigations, Arabic and English agree on {name}",
        partial(agreement_of_pairs, measure=measure),
        0.80,
        False,
    )
    for measure, name in (
        ("event_type", "the event type"),
        ("place", "the place"),
        ("toll", "the toll"),
    )
]
TARGETS += ARABIC_TARGETS
ARABIC_FILES = {
    "syrianarchive_ar": ("syrianarchive_incidents_ar_en.jsonl",),
    "arabic_events": ("arabic_event_gsr_assault_gsr.csv", "arabic_event_gsr_protest_gsr.csv"),
    "investigations": ("syrianarchive_investigations_ar_en.jsonl",),
}


def kept_analysis(out: Path) -> str:
    """The hand-written section of the previous ``docs/accuracy.md``, if any."""
    if not out.exists():
        return PLACEHOLDER
    m = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), out.read_text("utf-8"), re.S)
    return m.group(1).strip() if m else PLACEHOLDER


def target_rows(
    results: dict[str, dict[str, Any]], previous: dict[str, dict[str, Any]]
) -> list[str]:
    """Each target beside this run's figure and, where given, the previous release's."""
    lines = [
        "| measure | target | previous release | measured | met |",
        "|---|---|---|---|---|",
    ]
    for dataset, label, get, target, lower in TARGETS:
        result, before = results.get(dataset), previous.get(dataset)
        value = get(result) if result else None
        old = get(before) if before else None
        good = value is not None and (value <= target if lower else value >= target)
        met = "n/a" if value is None else ("yes" if good else "**no**")
        bound = f"≤ {pct(target)}" if lower else pct(target)
        lines.append(f"| {label} | {bound} | {pct(old)} | {pct(value)} | {met} |")
    return lines


def anchors(results: dict[str, dict[str, Any]]) -> list[str]:
    """Our figures next to the published reference points (measured here, not quoted)."""
    f, u = results.get("fakes"), results.get("ucdp")
    rows = ["| reference point | published | Marsad (this run) |", "|---|---|---|"]
    if u:
        h = u["headlines"]["measures"]
        rows.append(
            "| Mordecai 3, place from raw text (within 10 km-style accuracy) | 58.6% / 72.9% | "
            f"{pct(h['place_within_10km']['of_all_rows'])} of headlines, "
            f"{pct(h['place_within_10km']['of_rows_naming_a_place'])} of headlines naming a "
            "place |"
        )
        rows.append(
            "| Mordecai 3, place given the name | 92.6% | "
            f"{pct(name_share_within(u.get('name_only', {})))} within 5 km, name only |"
        )
    if f:
        c = f["counts"]
        rows.append(
            "| victim-count extraction, exact match | 0.06-0.81 | civilians "
            f"{pct(c['civilians']['exact_match'])}, children {pct(c['children']['exact_match'])}"
            f", women {pct(c['women']['exact_match'])} (FA-KES) |"
        )
        rows.append(
            "| GDELT, events coded correctly | about 1 in 5 | FA-KES all of governorate, cause and "
            f"actor right: {pct(all_three_right(f))} |"
        )
    c = results.get("case")
    if c:
        rows.append(
            "| CASE 2021 Task 2, weighted F1 over 25 ACLED classes (best team, fine-tuned "
            f"transformer, on the held-out half) | 83.9 | {pct(c['weighted_f1'])} on the dev half |"
        )
    return rows


def all_three_right(result: dict[str, Any]) -> float | None:
    arts = result["articles"]
    ok = sum(
        1
        for a in arts
        if all(a["reference"][k] == a["predicted"][k] for k in ("governorate", "cause", "actor"))
    )
    return ok / len(arts) if arts else None


def build(
    results: dict[str, dict[str, Any]],
    timings: dict[str, float],
    analysis: str,
    previous: dict[str, dict[str, Any]] | None = None,
    previous_note: str = "",
) -> str:
    previous = previous or {}
    md = [
        "# Accuracy",
        "",
        "Generated by `benchmarks/accuracy.py` (figures, tables and error categories); the section "
        "*Error analysis* between the markers is written by hand and kept across runs. "
        "Reproduce with:",
        "",
        "```",
        ".venv/bin/python benchmarks/accuracy.py /work/shared/eval --gold eval/gold/gold.jsonl",
        "marsad eval fakes /work/shared/eval/fakes_dev.csv --json-out fakes.json",
        "marsad eval ucdp /work/shared/eval/ucdp_ged_syria_2016_2017.csv --json-out ucdp.json",
        "marsad eval gold eval/gold/gold.jsonl --json-out gold.json",
        "marsad eval case /work/shared/eval/case2021_task2_dev.tsv --json-out case.json",
        "marsad eval syrianarchive /work/shared/eval/syrianarchive_2017_dev.csv "
        "--json-out syrianarchive.json",
        "marsad eval syrianarchive-ar /work/shared/eval/syrianarchive_incidents_ar_en.jsonl "
        "--json-out syrianarchive_ar.json",
        "marsad eval arabic-events /work/shared/eval --json-out arabic_events.json",
        "marsad eval investigations /work/shared/eval/syrianarchive_investigations_ar_en.jsonl "
        "--json-out investigations.json",
        "```",
        "",
        "## Summary",
        "",
    ]
    md += [
        f"- {summary_line(r)} ({timings[k]:.1f} s)"
        for k, r in results.items()
        if k != "fakes_largest"
    ]
    md += ["", "## Targets", ""]
    if previous_note:
        md += [previous_note, ""]
    md += [*target_rows(results, previous), "", "## Reference points", ""]
    md += [
        "Published figures are on other data and other definitions; they place our numbers, they "
        "are not like-for-like comparisons.",
        "",
        *anchors(results),
        "",
        "## Method",
        "",
        "- **Main incident.** FA-KES and UCDP describe one event per article or headline; the "
        "harness compares the *lead* claim: the earliest incident claim that reports deaths, else "
        "the earliest aggregate claim that reports deaths, else the earliest incident claim, else "
        "the earliest aggregate claim "
        "(`marsad.evaluate.incident`). `--rule largest` (largest killed figure) is the "
        "alternative; its FA-KES figures are in the sensitivity table below.",
        "- **FA-KES fields.** Governorate: of the main claim's places with a governorate, the "
        "first in the governorate most of them lie in, else the same over the document's "
        "claims. Cause: the mapping tables below applied to the main claim, else to the first "
        "other claim of the article that gives a cause. Actor: the main claim's first "
        "perpetrator (the engine lists the agent of the event word first) through the mapping "
        "tables. Civilians: the "
        "civilian killed count, else the all-victims count when the targets are not all armed "
        "actors (less counted combatants), else the sum of the children, women, rescue-worker "
        "and journalist counts; non-civilians: the combatant count, or the "
        "all-victims count when every target is armed. Children, women: those groups' killed "
        "counts; 0 when not stated. Date: the claim's start date against FA-KES `date`; the "
        "article's dateline (its first 200 characters) is passed as the publication date. "
        "FA-KES `date` is mostly the article's date, so *within 1 day* is also shown.",
        "- **UCDP name only.** Each where_prec 1-2 row's `where_coordinates` name is resolved "
        "without context; share of rows within 5 and 25 km of UCDP's point (unresolved = miss).",
        "- **UCDP headlines.** Rows in Idlib, Aleppo or Hamah with `number_of_sources` 1 whose "
        "`source_article` string occurs on no other row of the whole file; the engine runs on "
        "`source_headline` with `published = source_date` (or `date_start`). Place: any "
        "extracted place within 10 km. Governorate: the main claim's place. Date: the main "
        "claim's range contains `date_start`. Toll: headlines where a number stands within four "
        "words of a killing word (kill, dead, die, death, toll, martyr, lives, bodies); right "
        "when the main claim's largest killed figure lies in [low, high]. *Of all rows* divides "
        "by every selected row; *of rows naming a place* divides by headlines in which the "
        "gazetteer's `locate` finds a place.",
        "- **Gold.** Claims are aligned per document, greedily by evidence-span overlap "
        "(character Jaccard) plus 0.25 for equal event types; per field, value-exact and "
        "span-exact P/R/F1 over bags of items (`marsad.evaluate.gold`).",
        "",
    ]
    for key, title in (
        ("case", "CASE 2021 Task 2"),
        ("syrianarchive", "Syrian Archive 2017"),
        ("syrianarchive_ar", "Syrian Archive, Arabic and English summaries"),
        ("arabic_events", "Arabic assault and protest sentences"),
        ("investigations", "Syrian Archive investigations, Arabic against English"),
        ("fakes", "FA-KES"),
        ("ucdp", "UCDP GED"),
        ("gold", "Gold set"),
    ):
        if key in results:
            md += [f"## {title}", "", markdown(tables_for(results[key]))]
            r = results[key]
            for part in (r, r.get("name_only") or {}, r.get("headlines") or {}):
                warnings = part.get("warnings") or {}
                if warnings.get("skipped"):
                    md += [f"Skipped rows: {'; '.join(warnings['reasons'][:10])}", ""]
    if "fakes_largest" in results:
        md += [
            "**FA-KES sensitivity: `--rule largest`**",
            "",
            f"- {summary_line(results['fakes_largest'])}",
            "",
        ]
    md += ["## Mapping tables", "", mapping_markdown(), "## Error categories (generated)", ""]
    if "fakes" in results:
        md.append(markdown([fakes_errors(results["fakes"])]))
    if "ucdp" in results:
        md.append(markdown([ucdp_errors(results["ucdp"])]))
    if "gold" in results:
        md.append(markdown([gold_errors(results["gold"])]))
    md += ["## Error analysis", "", START, analysis, END, ""]
    return "\n".join(md)


def arabic_jobs(eval_dir: Path) -> dict[str, Callable[[], dict[str, Any]]]:
    """The Arabic sets whose files are in ``eval_dir``; a missing one is named and skipped."""
    scorers: dict[str, Callable[[list[Path]], dict[str, Any]]] = {
        "syrianarchive_ar": lambda files: score_arabic_archive(files[0]),
        "arabic_events": lambda files: score_arabic_events(files),
        "investigations": lambda files: score_investigations(files[0]),
    }
    jobs: dict[str, Callable[[], dict[str, Any]]] = {}
    for name, names in ARABIC_FILES.items():
        files = [eval_dir / n for n in names if (eval_dir / n).exists()]
        missing = [n for n in names if not (eval_dir / n).exists()]
        if missing:
            print(f"note: {', '.join(missing)} not in {eval_dir}", file=sys.stderr)
        if files:
            jobs[name] = partial(scorers[name], files)
    return jobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("eval_dir", type=Path, help="folder with fakes_dev.csv and the UCDP file")
    parser.add_argument("--gold", type=Path, default=Path("eval/gold/gold.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("docs/accuracy.md"))
    parser.add_argument("--json-dir", type=Path, help="also write each result as JSON here")
    parser.add_argument(
        "--previous",
        type=Path,
        help="a folder of the previous release's results as JSON (one <dataset>.json each, as "
        "--json-dir writes them), shown beside each target",
    )
    parser.add_argument("--previous-label", default="", help="what --previous holds, in words")
    args = parser.parse_args(argv)
    jobs: dict[str, Callable[[], dict[str, Any]]] = {
        "fakes": lambda: score_fakes(args.eval_dir / "fakes_dev.csv"),
        "fakes_largest": lambda: score_fakes(args.eval_dir / "fakes_dev.csv", rule="largest"),
        "ucdp": lambda: score_ucdp(args.eval_dir / "ucdp_ged_syria_2016_2017.csv"),
        "case": lambda: score_case(args.eval_dir / "case2021_task2_dev.tsv"),
        "syrianarchive": lambda: score_syrianarchive(args.eval_dir / "syrianarchive_2017_dev.csv"),
    }
    jobs.update(arabic_jobs(args.eval_dir))
    if args.gold.exists():
        jobs["gold"] = lambda: score_gold(args.gold)
    else:
        print(f"note: {args.gold} not found; gold set not scored", file=sys.stderr)
    results: dict[str, dict[str, Any]] = {}
    timings: dict[str, float] = {}
    for name, job in jobs.items():
        t0 = time.perf_counter()
        results[name] = job()
        timings[name] = time.perf_counter() - t0
        print(f"{summary_line(results[name])} [{timings[name]:.1f} s]")
        if args.json_dir:
            args.json_dir.mkdir(parents=True, exist_ok=True)
            path = args.json_dir / f"{name}.json"
            path.write_text(json.dumps(results[name], indent=1) + "\n", "utf-8")
    main_results = {k: v for k, v in results.items() if k != "fakes_largest"}
    previous = {}
    if args.previous:
        previous = {p.stem: json.loads(p.read_text("utf-8")) for p in args.previous.glob("*.json")}
    text = build(
        main_results | {"fakes_largest": results["fakes_largest"]},
        timings,
        kept_analysis(args.out),
        previous,
        args.previous_label,
    )
    args.out.write_text(text, "utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
