"""The table every evaluation result becomes, and its cells' formats: the evaluators build
tables, :mod:`marsad.evaluate.report` prints them (Rich) or writes them (Markdown)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def markdown(tables: list[Table]) -> str:
    out: list[str] = []
    for t in tables:
        out += [f"**{t.title}**", "", "| " + " | ".join(t.columns) + " |"]
        out.append("|" + "|".join("---" for _ in t.columns) + "|")
        out += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in t.rows]
        out.append("")
    return "\n".join(out)
