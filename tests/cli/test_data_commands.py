"""``marsad incidents list|show``, ``marsad documents list``, the incident counts in ``marsad
summary`` and id prefixes in ``marsad ledger``, on a store filled from the example reports
through the real ingest, extract and resolve drivers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad import config
from marsad.cli import app
from marsad.contract.incident import IncidentFilter
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.resolve import resolve_store
from marsad.store import Store
from paths import REPO

EXAMPLES = REPO / "examples" / "reports"
WIDE = {"COLUMNS": "240"}


@dataclass
class Filled:
    db: str
    incidents: dict[int, str]  # id -> sensitivity
    twins: tuple[str, str]  # two document ids sharing their first 5 hex characters
    protected: str  # a protected person named in a public incident's evidence
    named_incident: int


def _twin_reports(folder: Path) -> list[Path]:
    """Two invented reports whose SHA-256 begin with the same 5 characters (found by trying:
    about a thousand tries by the birthday bound)."""
    seen: dict[str, bytes] = {}
    for n in range(1_000_000):
        body = f"Shelling reported near the village of Tell Qasr, item {n}.\n".encode()
        head = hashlib.sha256(body).hexdigest()[:5]
        if head in seen:
            paths = [folder / "twin-a.txt", folder / "twin-b.txt"]
            paths[0].write_bytes(seen[head])
            paths[1].write_bytes(body)
            return paths
        seen[head] = body
    raise AssertionError("no two ids share 5 characters")


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    folder = tmp_path_factory.mktemp("data")
    twins_dir = folder / "twins"
    twins_dir.mkdir()
    twins = _twin_reports(twins_dir)
    db = config.database_url(str(folder / "marsad.db"))
    store = Store(db)
    try:
        report = ingest_paths(store, [EXAMPLES, *twins], actor="tester", max_bytes=10**7)
        assert not report.errors, report.errors
        extract_documents(store, actor="tester")
        resolve_store(store, actor="tester")
        views = list(store.iter_incidents(IncidentFilter(max_sensitivity="restricted")))
        persons = {p.name for p in store.protected_persons("public")}
    finally:
        store.close()
    named = [
        (v.id, name)
        for v in views
        if v.sensitivity == "public"
        for name in sorted(persons)
        if " " not in name and any(name in s.excerpt for s in v.sources)
    ]
    assert named, "the examples name a protected person in a public incident's evidence"
    ids = tuple(hashlib.sha256(p.read_bytes()).hexdigest() for p in twins)
    return Filled(
        db,
        {int(v.id or 0): v.sensitivity for v in views},
        (ids[0], ids[1]),
        named[0][1],
        named[0][0],
    )


def marsad(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    return result.exit_code, result.stdout, result.stderr


def test_incidents_list_json_lines_at_each_clearance(filled: Filled) -> None:
    code, out, _ = marsad("incidents", "list", "--db", filled.db, "--json", "--limit", "500")
    assert code == 0
    items = [json.loads(line) for line in out.splitlines()]
    public = {i for i, s in filled.incidents.items() if s == "public"}
    assert {i["id"] for i in items} == public
    assert all(i["sensitivity"] == "public" for i in items)
    assert {"figures", "sources", "grade", "event_type"} <= set(items[0])
    code, out, _ = marsad(
        "incidents", "list", "--db", filled.db, "--json", "--include", "restricted"
    )
    assert code == 0
    assert {json.loads(line)["id"] for line in out.splitlines()} == set(filled.incidents)
    code, out, _ = marsad("incidents", "list", "--db", filled.db, "--json", "--limit", "2")
    assert len(out.splitlines()) == 2


def test_incidents_list_filters_and_table(filled: Filled) -> None:
    code, out, _ = marsad(
        "incidents", "list", "--db", filled.db, "--json", "--type", "air_strike", "--area", "Idlib"
    )
    assert code == 0
    items = [json.loads(line) for line in out.splitlines()]
    assert items and all(i["event_type"] == "air_strike" for i in items)
    assert all(i["admin1"] == "Idlib" for i in items)
    code, out, _ = marsad("incidents", "list", "--db", filled.db, "--from", "2023-10-10")
    assert code == 0
    assert "Ariha" not in out and "Al Bab" in out  # Ariha is 6 October, Al Bab 21 October
    assert marsad("incidents", "list", "--db", filled.db, "--include", "secret")[0] == 2


def test_incidents_show_figures_and_evidence(filled: Filled) -> None:
    ariha = 1
    code, out, _ = marsad("incidents", "show", str(ariha), "--db", filled.db, "--json")
    assert code == 0
    data = json.loads(out)
    killed = data["figures"]["killed"]
    assert (killed["low"], killed["high"]) == (8, 10)
    assert len(killed["values"]) == 4  # each source's reading kept
    code, out, _ = marsad(
        "incidents", "show", str(ariha), "--db", filled.db, "--include", "internal"
    )
    assert code == 0
    assert "killed" in out and "at least 8" in out
    assert "Funerals were held in Ariha" in out  # a source's evidence passage


def test_incidents_show_unknown_or_bad_id(filled: Filled) -> None:
    code, _, err = marsad("incidents", "show", "9999", "--db", filled.db)
    assert code == 1 and "no incident 9999" in err
    restricted = [i for i, s in filled.incidents.items() if s != "public"]
    assert restricted
    assert marsad("incidents", "show", str(restricted[0]), "--db", filled.db)[0] == 1
    assert marsad("incidents", "show", "one", "--db", filled.db)[0] == 2


@pytest.mark.parametrize("args", [[], ["--json"]])
def test_incidents_show_masks_protected_names_below_restricted(
    filled: Filled, args: list[str]
) -> None:
    show = ["incidents", "show", str(filled.named_incident), "--db", filled.db, *args]
    code, out, _ = marsad(*show, "--include", "restricted")
    assert code == 0 and filled.protected in out  # the scan below could see it
    for level in ("internal", "public"):
        code, out, _ = marsad(*show, "--include", level)
        assert code == 0
        assert filled.protected not in out
    assert "\u2588" * len(filled.protected) in marsad(*show, "--include", "internal")[1]


def test_documents_list(filled: Filled) -> None:
    code, out, _ = marsad(
        "documents",
        "list",
        "--db",
        filled.db,
        "--json",
        "--include",
        "restricted",
        "--limit",
        "500",
    )
    assert code == 0
    docs = [json.loads(line) for line in out.splitlines()]
    assert len(docs) == len(list(EXAMPLES.iterdir())) + 2
    assert all(len(d["id"]) == 64 for d in docs)
    assert {"original_name", "source", "published", "language", "sensitivity"} <= set(docs[0])
    assert sum(d["claims"] for d in docs) >= 19
    code, out, _ = marsad("documents", "list", "--db", filled.db, "--include", "internal")
    assert code == 0
    assert docs[0]["id"][:16] in out
    assert "ariha-market-outlet-a.md" in out
    public = marsad("documents", "list", "--db", filled.db, "--json")[1].splitlines()
    assert 0 < len(public) < len(docs)


def test_summary_counts_incidents(filled: Filled) -> None:
    code, out, _ = marsad("summary", "--db", filled.db, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["incidents"] == len(filled.incidents)
    assert data["incidents_by_review_status"] == {"new": len(filled.incidents)}
    code, out, _ = marsad("summary", "--db", filled.db)
    assert "incidents by review status" in out and f"new: {len(filled.incidents)}" in out


def test_ledger_takes_a_unique_prefix(filled: Filled) -> None:
    twin = filled.twins[0]
    for prefix in (twin[:6], twin[:12].upper(), twin):
        code, out, err = marsad("ledger", prefix, "--db", filled.db, "--json")
        assert code == 0, err
        rows = json.loads(out)
        assert rows and {r["subject"] for r in rows} == {f"document:{twin}"}
        assert rows[0]["action"] == "ingest" and rows[0]["file_name"].endswith(".txt")
    code, out, _ = marsad("ledger", twin[:6], "--db", filled.db)
    assert code == 0 and twin[:12] in out and "twin-" in out
    code, out, _ = marsad("ledger", "incident:1", "--db", filled.db, "--json")
    assert code == 0 and json.loads(out)[0]["subject"] == "incident:1"


def test_ledger_refuses_ambiguous_unknown_and_short_prefixes(filled: Filled) -> None:
    a, b = filled.twins
    shared = a[:5]
    assert b.startswith(shared)
    code, _, err = marsad("ledger", shared, "--db", filled.db)
    assert code == 2 and "ambiguous" in err and a in err and b in err
    listed = marsad("documents", "list", "--db", filled.db, "--json", "--include", "restricted")
    ids = [json.loads(line)["id"] for line in listed[1].splitlines()]
    unknown = next(
        p for p in ("ffff", "eeee", "dddd", "cccc") if not any(i.startswith(p) for i in ids)
    )
    code, _, err = marsad("ledger", unknown, "--db", filled.db)
    assert code == 2 and f"no document id starts with '{unknown}'" in err
    code, _, err = marsad("ledger", a[:3], "--db", filled.db)
    assert code == 2 and "at least 4 characters" in err
    code, _, err = marsad("ledger", "not-hex!", "--db", filled.db)
    assert code == 2 and "not a document id" in err
