"""Turning evaluation results into tables, once, then into Rich (console) or Markdown (docs)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table as RichTable

from marsad.evaluate.tables import Table, num, pct
from marsad.evaluate.ucdp import MEASURES, name_share_within


def fakes_tables(result: dict[str, Any]) -> list[Table]:
    fields = Table("FA-KES: categories and date", ["field", "accuracy", "correct", "rows"], [])
    for name, r in result["categories"].items():
        fields.rows.append([name, pct(r["accuracy"]), str(r["correct"]), str(r["total"])])
    for name, r in result["date"].items():
        fields.rows.append([f"date {name}", pct(r["accuracy"]), str(r["correct"]), str(r["total"])])
    counts = Table("FA-KES: death counts", ["count", "exact match", "MAE", "rows"], [])
    for name, r in result["counts"].items():
        counts.rows.append([name, pct(r["exact_match"]), num(r["mae"]), str(r["total"])])
    tables = [fields, counts]
    for name, matrix in result["confusion"].items():
        tables.append(confusion_table(f"FA-KES confusion: {name}", matrix))
    return tables


MAX_MATRIX_LABELS = 8


def confusion_table(title: str, matrix: dict[str, dict[str, int]]) -> Table:
    """A reference x predicted matrix, or for many labels (governorates) the non-zero cells."""
    labels = sorted({*matrix, *(p for row in matrix.values() for p in row)})
    if len(labels) > MAX_MATRIX_LABELS:
        cells = sorted(
            ((ref, pred, n) for ref, row in matrix.items() for pred, n in row.items()),
            key=lambda t: (t[0] != t[1], -t[2], t[0], t[1]),
        )
        long = Table(f"{title} (non-zero cells)", ["reference", "predicted", "articles"], [])
        long.rows += [[ref, pred, str(n)] for ref, pred, n in cells]
        return long
    short = [short_label(label) for label in labels]
    conf = Table(f"{title} (rows reference, columns predicted)", ["", *short], [])
    for ref in labels:
        conf.rows.append([short_label(ref), *(str(matrix.get(ref, {}).get(p, 0)) for p in labels)])
    return conf


def short_label(label: str) -> str:
    """Column-friendly FA-KES labels."""
    aliases = {
        "syrian government or russian troops": "gov/ru",
        "the organization of the islamic state in iraq and the levant - isis": "isis",
        "international coalition forces": "coalition",
        "armed opposition groups": "opposition",
        "self administration forces": "self-adm",
        "al-nusra front": "nusra",
        "chemical and toxic gases": "chemical",
    }
    return aliases.get(label, label)


def ucdp_tables(result: dict[str, Any]) -> list[Table]:
    tables: list[Table] = []
    names = result.get("name_only")
    if names:
        t = Table(f"UCDP name only ({names.get('method', '')})", ["measure", "value"], [])
        t.rows += [[k, v] for k, v in _flatten(names) if k not in ("method",)]
        tables.append(t)
    h = result["headlines"]
    sel = Table("UCDP headline selection", ["step", "rows"], [])
    sel.rows += [[k, str(v)] for k, v in h["selection"].items()]
    sel.rows += [
        ["headlines naming a place", str(h["rows_naming_a_place"])],
        ["headlines naming a settlement", str(h.get("rows_naming_a_settlement", "-"))],
        ["headlines stating a death toll", str(h["rows_stating_a_toll"])],
    ]
    tables.append(sel)
    m = Table(
        "UCDP headlines",
        ["measure", "share of all rows", "n", "share of rows naming a place", "n"],
        [],
    )
    for name in MEASURES:
        r = h["measures"][name]
        m.rows.append(
            [
                name + (" (headlines stating a toll)" if name == "toll_right" else ""),
                pct(r["of_all_rows"]),
                f"{r['right_all']}/{r['rows_all']}",
                pct(r["of_rows_naming_a_place"]),
                f"{r['right_named']}/{r['rows_named']}",
            ]
        )
    settled = h["measures"]["place_within_10km"].get("of_rows_naming_a_settlement")
    if settled is not None:
        m.rows.append(
            [
                "place_within_10km, of headlines naming a settlement",
                "",
                "",
                pct(settled),
                str(h["rows_naming_a_settlement"]),
            ]
        )
    tables.append(m)
    return tables


def _flatten(node: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Scalar leaves of a nested result as (path, text); lists are summarised by length."""
    out: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _flatten(v, f"{prefix}{k}" if not prefix else f"{prefix}.{k}")
    elif isinstance(node, list):
        out.append((prefix, f"{len(node)} item(s)"))
    elif isinstance(node, float):
        out.append((prefix, pct(node) if 0.0 <= node <= 1.0 else num(node)))
    else:
        out.append((prefix, str(node)))
    return out


def gold_tables(result: dict[str, Any]) -> list[Table]:
    c = result["claims"]
    claims = Table("Gold: claim alignment", ["", "precision", "recall", "F1", "tp/sys/gold"], [])
    claims.rows.append(["all", *_prf(c)])
    claims.rows += [[f"style {k}", *_prf(v)] for k, v in result["claims_by_style"].items()]
    fields = Table(
        "Gold: per field",
        ["field", "value P", "value R", "value F1", "span P", "span R", "span F1"],
        [],
    )
    for name, v in result["value"].items():
        s = result["span"][name]
        fields.rows.append(
            [
                name,
                pct(v["precision"]),
                pct(v["recall"]),
                pct(v["f1"]),
                pct(s["precision"]),
                pct(s["recall"]),
                pct(s["f1"]),
            ]
        )
    return [claims, fields]


def _prf(r: dict[str, Any]) -> list[str]:
    return [
        pct(r["precision"]),
        pct(r["recall"]),
        pct(r["f1"]),
        f"{r['tp']}/{r['predicted']}/{r['reference']}",
    ]


def _arabic_tables(result: dict[str, Any]) -> list[Table] | None:
    """The tables of an Arabic set's result (None for the other datasets)."""
    kind = result["dataset"]
    if kind == "syrianarchive_ar":
        from marsad.evaluate.arabic_archive import arabic_archive_tables

        return arabic_archive_tables(result)
    if kind == "arabic_events":
        from marsad.evaluate.arabic_events import arabic_events_tables

        return arabic_events_tables(result)
    if kind == "investigations":
        from marsad.evaluate.investigations import investigations_tables

        return investigations_tables(result)
    return None


def _arabic_summary(result: dict[str, Any]) -> str | None:
    """The summary line of an Arabic set's result (None for the other datasets)."""
    kind = result["dataset"]
    if kind == "syrianarchive_ar":
        from marsad.evaluate.arabic_archive import arabic_archive_summary

        return arabic_archive_summary(result)
    if kind == "arabic_events":
        from marsad.evaluate.arabic_events import arabic_events_summary

        return arabic_events_summary(result)
    if kind == "investigations":
        from marsad.evaluate.investigations import investigations_summary

        return investigations_summary(result)
    return None


def tables_for(result: dict[str, Any]) -> list[Table]:
    kind = result["dataset"]
    if (arabic := _arabic_tables(result)) is not None:
        return arabic
    if kind == "case2021":
        from marsad.evaluate.case import case_tables

        return case_tables(result)
    if kind == "syrianarchive":
        from marsad.evaluate.syrianarchive import archive_tables

        return archive_tables(result)
    builders = {"fakes": fakes_tables, "ucdp": ucdp_tables, "gold": gold_tables}
    return builders[kind](result)


def summary_line(result: dict[str, Any]) -> str:
    """The one-line summary each command ends with."""
    kind = result["dataset"]
    if (arabic := _arabic_summary(result)) is not None:
        return arabic
    if kind == "case2021":
        from marsad.evaluate.case import case_summary

        return case_summary(result)
    if kind == "syrianarchive":
        from marsad.evaluate.syrianarchive import archive_summary

        return archive_summary(result)
    if kind == "fakes":
        cat, cnt = result["categories"], result["counts"]
        return (
            f"FA-KES {result['articles_scored']} articles: governorate "
            f"{pct(cat['governorate']['accuracy'])}, cause {pct(cat['cause']['accuracy'])}, "
            f"actor {pct(cat['actor']['accuracy'])}, civilians exact "
            f"{pct(cnt['civilians']['exact_match'])}, "
            f"children {pct(cnt['children']['exact_match'])}, "
            f"women {pct(cnt['women']['exact_match'])}, date exact "
            f"{pct(result['date']['exact']['accuracy'])}"
        )
    if kind == "ucdp":
        h = result["headlines"]
        ms = h["measures"]
        names = result.get("name_only")
        unseen = (names or {}).get("without_ucdp_entries", {}).get("all", {})
        given = (names or {}).get("without_ucdp_entries_given_governorate", {}).get("all", {})
        name_part = (
            f"name-only within 5 km {pct(name_share_within(names))} "
            f"(without UCDP-derived names {pct(unseen.get('within_5km'))}, and given the "
            f"governorate {pct(given.get('within_5km'))}); "
            if names
            else ""
        )
        return (
            f"UCDP {name_part}{h['rows']} headlines: place within 10 km "
            f"{pct(ms['place_within_10km']['of_all_rows'])} of rows, "
            f"{pct(ms['place_within_10km']['of_rows_naming_a_place'])} of place-naming rows, "
            f"{pct(ms['place_within_10km'].get('of_rows_naming_a_settlement'))} of rows naming "
            "a settlement, governorate "
            f"{pct(ms['governorate_right']['of_rows_naming_a_place'])} of place-naming rows, date "
            f"{pct(ms['date_right']['of_all_rows'])}, toll "
            f"{pct(ms['toll_right']['of_all_rows'])} of toll headlines"
        )
    v = result["value"]
    return (
        f"Gold {result['documents_scored']} documents: claim F1 {pct(result['claims']['f1'])}; "
        f"value F1 event_type {pct(v['event_type']['f1'])}, places {pct(v['places']['f1'])}, "
        f"dates {pct(v['dates']['f1'])}, counts {pct(v['counts']['f1'])}"
    )


def print_result(result: dict[str, Any], console: Console) -> None:
    for table in tables_for(result):
        rich = RichTable(title=table.title, title_justify="left")
        for i, column in enumerate(table.columns):
            rich.add_column(column, justify="left" if i == 0 else "right")
        for row in table.rows:
            rich.add_row(*row)
        console.print(rich)
    for part in (result, result.get("name_only") or {}, result.get("headlines") or {}):
        warnings = part.get("warnings") or {}
        if warnings.get("skipped"):
            console.print(
                f"[yellow]warning:[/] skipped {warnings['skipped']} malformed row(s): "
                + "; ".join(warnings["reasons"][:10]),
                soft_wrap=True,
            )
    console.print(summary_line(result))
