"""Reading the data on the command line: ``marsad incidents list|show`` and ``marsad documents
list``.

Each command reads through the store's cleared reads (the same ones the API uses, which mask
protected names for the chosen clearance) and passes what it prints through the reader's
:class:`~marsad.protect.disclosure.Disclosure` once more, as the web's output edge does, so a
field added to a read later cannot reach the terminal unmasked.
"""

from __future__ import annotations

import json
import sys
from pathlib import PurePath
from typing import TYPE_CHECKING, Annotated, Any

import typer

from marsad.cli import DbOption, JsonOption, console, default_actor, err_console, open_store
from marsad.cli.publish import (
    AreaOption,
    FromOption,
    GradeOption,
    PerpetratorOption,
    ToOption,
    TypeOption,
    WeaponOption,
    build_filter,
    resolved_area,
)

if TYPE_CHECKING:
    from marsad.contract.incident import IncidentFilter
    from marsad.store import Store

incidents_app = typer.Typer(
    help="List incidents and show one with its figures and evidence.", no_args_is_help=True
)
documents_app = typer.Typer(help="List the stored documents.", no_args_is_help=True)

ClearanceOption = Annotated[
    str | None,
    typer.Option(
        "--include",
        help="Clearance to read at: public (the default, as for export and brief), internal or "
        "restricted. Below restricted every protected name is masked; reading restricted "
        "records is recorded in the ledger.",
    ),
]
LimitOption = Annotated[int, typer.Option("--limit", min=1, help="At most this many rows.")]
PAGE = 500  # the API's largest page


def _clearance(include: str | None) -> str:
    level = include or "public"
    if level not in ("public", "internal", "restricted"):
        err_console.print("[red]error:[/red] --include must be public, internal or restricted")
        raise typer.Exit(2)
    return level


def _shown(store: Store, level: str, data: Any) -> Any:
    """The output edge: every string masked for the clearance (a no-op at restricted)."""
    if level == "restricted":
        return data
    return store.disclosure(level).show(data)


def _audit(store: Store, what: str, sensitivities: list[str], details: dict[str, Any]) -> None:
    restricted = sum(1 for s in sensitivities if s == "restricted")
    store.audit_restricted_read(
        actor=default_actor(), what=what, restricted=restricted, details={"via": "cli", **details}
    )


def _write_lines(items: list[dict[str, Any]]) -> None:
    for item in items:
        sys.stdout.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")


def _range(figure: dict[str, Any] | None) -> str:
    if not figure or figure.get("best") is None:
        return "-"
    low, best, high = figure.get("low"), figure["best"], figure.get("high")
    return str(best) if low == high == best else f"{best} ({low}-{high})"


def incident_items(store: Store, f: IncidentFilter, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` incidents as the API lists them (newest first), paged through the
    store's cleared read."""
    items: list[dict[str, Any]] = []
    after = None
    while len(items) < limit:
        page, after = store.incident_page_data(f, after=after, limit=min(PAGE, limit - len(items)))
        items += page
        if after is None:
            break
    return items


@incidents_app.command("list")
def list_incidents(
    date_from: FromOption = None,
    date_to: ToOption = None,
    area: AreaOption = None,
    types: TypeOption = None,
    perpetrators: PerpetratorOption = None,
    weapons: WeaponOption = None,
    grades: GradeOption = None,
    include: ClearanceOption = None,
    limit: LimitOption = 50,
    db: DbOption = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="JSON Lines: one incident a line, as the API lists it.")
    ] = False,
) -> None:
    """Incidents matching the filters, newest first: public records only unless --include
    internal|restricted is given, protected names masked below restricted."""
    level = _clearance(include)
    f = build_filter(date_from, date_to, area, types, perpetrators, weapons, grades, level)
    store = open_store(db)
    try:
        f = resolved_area(store, f)
        items = _shown(store, level, incident_items(store, f, limit))
        _audit(store, "incidents", [i["sensitivity"] for i in items], {"limit": limit})
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    if json_output:
        _write_lines(items)
        return
    _print_incident_table(items, level)


def _print_incident_table(items: list[dict[str, Any]], level: str) -> None:
    from rich.table import Table

    table = Table(title=f"Incidents ({len(items)}, clearance {level})")
    for col in ("id", "date", "type", "place", "area", "killed", "injured", "grade", "sources"):
        table.add_column(col, no_wrap=col in ("id", "date"))
    table.add_column("review")
    for i in items:
        figures = i.get("figures") or {}
        table.add_row(
            str(i["id"]),
            str(i.get("date_start") or "undated"),
            str(i["event_type"]),
            i.get("place_name") or "-",
            i.get("admin1") or "-",
            _range(figures.get("killed")),
            _range(figures.get("injured")),
            str(i.get("grade")),
            str(i.get("source_count")),
            str(i.get("review_status")),
        )
    console.print(table)


@incidents_app.command("show")
def show_incident(
    incident_id: Annotated[str, typer.Argument(metavar="ID", help="The incident's number.")],
    include: ClearanceOption = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """One incident with its figures (low/best/high and each source's value) and each source's
    evidence passage, masked for the clearance (public unless --include is given). Exit 1 when
    no incident has this number at this clearance."""
    level = _clearance(include)
    if not incident_id.isdigit() or not 1 <= int(incident_id) <= 2_147_483_647:
        err_console.print(f"[red]error:[/red] {incident_id!r}: an incident id is a whole number")
        raise typer.Exit(2)
    store = open_store(db)
    try:
        view = store.visible_incident(int(incident_id), level)
        data = _shown(store, level, view.to_dict()) if view is not None else None
        if data is not None:
            _audit(store, f"incident {incident_id}", [data["sensitivity"]], {})
    finally:
        store.close()
    if data is None:
        err_console.print(
            f"[red]error:[/red] no incident {incident_id} at clearance {level} "
            "(see `marsad incidents list`)",
            highlight=False,
        )
        raise typer.Exit(1)
    if json_output:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    _print_incident(data)


def _reading(value: dict[str, Any]) -> str:
    """One source's figure as it stated it: exact, a range, or open-ended ("at least 8")."""
    low, high = value.get("low"), value.get("high")
    if high is None:
        return f"at least {low}"
    return str(low) if low == high else f"{low}-{high}"


def _print_incident(data: dict[str, Any]) -> None:
    from rich.table import Table

    where = ", ".join(str(x) for x in (data.get("place_name"), data.get("admin1")) if x)
    console.print(
        f"[bold]Incident {data['id']}[/bold]: {data['event_type']} on "
        f"{data.get('date_start') or 'an unknown date'}"
        + (
            f" to {data['date_end']}"
            if data.get("date_end") not in (None, data["date_start"])
            else ""
        )
        + (f" in {where}" if where else ""),
        highlight=False,
    )
    perpetrators = ", ".join(a["name"] for a in data.get("perpetrators") or []) or "unknown"
    console.print(
        f"grade {data['grade']}, {data['source_count']} sources "
        f"({data['independent_source_count']} independent), review {data['review_status']}, "
        f"sensitivity {data['sensitivity']}; perpetrator: {perpetrators}; weapons: "
        f"{', '.join(data.get('weapons') or []) or '-'}",
        highlight=False,
    )
    figures = Table(title="Figures")
    for col in ("figure", "low", "best", "high", "each source"):
        figures.add_column(col)
    for name, fig in (data.get("figures") or {}).items():
        each = "; ".join(
            f"{v.get('source') or 'unknown source'}: {_reading(v)} (claim {v.get('claim_id')})"
            for v in fig.get("values") or []
        )
        figures.add_row(name, *(str(fig.get(k)) for k in ("low", "best", "high")), each or "-")
    console.print(figures)
    for s in data.get("sources") or []:
        head = s.get("source") or s.get("dataset") or "unknown source"
        ref = f"document {s['document_id'][:12]}" if s.get("document_id") else "no document"
        console.print(
            f"\n[bold]{head}[/bold] ({s.get('published') or 'undated'}, {ref}, "
            f"claim {s.get('claim_id')})",
            highlight=False,
        )
        console.print(s.get("excerpt") or "(no passage shown)", highlight=False)


@documents_app.command("list")
def list_documents(
    include: ClearanceOption = None,
    limit: LimitOption = 50,
    db: DbOption = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="JSON Lines: one document a line, full SHA-256 ids.")
    ] = False,
) -> None:
    """Documents in id order with source, date, language, sensitivity and current claims:
    public records only unless --include internal|restricted is given."""
    level = _clearance(include)
    store = open_store(db)
    try:
        items: list[dict[str, Any]] = []
        after: str | None = ""
        while after is not None and len(items) < limit:
            page, after = store.documents_page(
                level, after=after, limit=min(PAGE, limit - len(items))
            )
            items += page
        counts = store.claim_counts([d["id"] for d in items])
        items = _shown(store, level, [{**d, "claims": counts.get(d["id"], 0)} for d in items])
        _audit(store, "documents", [d["sensitivity"] for d in items], {"limit": limit})
    finally:
        store.close()
    if json_output:
        _write_lines(items)
        return
    from rich.table import Table

    table = Table(title=f"Documents ({len(items)}, clearance {level})")
    for col in ("id", "file", "source", "published", "language", "sensitivity", "claims"):
        table.add_column(col, no_wrap=col == "id")
    for d in items:
        table.add_row(
            d["id"][:16],
            PurePath(d.get("original_name") or "-").name,
            d.get("source") or "-",
            d.get("published") or "-",
            d.get("language") or "-",
            d["sensitivity"],
            str(d["claims"]),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(incidents_app, name="incidents")
    app.add_typer(documents_app, name="documents")
