"""``marsad resolve`` as a command: JSON report, incremental second run, aggregates compared."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from marsad import config
from marsad.cli.resolve import resolve_command
from marsad.contract.document import NewDocument
from marsad.store import Store
from resolve_claims import count, strike


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("resolve")(resolve_command)

    @app.command("noop")
    def noop() -> None:  # a second command keeps "resolve" a named subcommand
        """Nothing."""

    return app


def _seed(path: Path) -> None:
    store = Store(config.database_url(str(path)))
    try:
        for i, (source, killed) in enumerate([("Levant Wire", 7), ("Idlib Daily", 9)]):
            doc = store.add_document(
                NewDocument(
                    original=f"report {i}".encode(),
                    original_name=f"r{i}.txt",
                    media_type="text/plain",
                    text=f"Report {i} of the Ariha market strike by {source}.",
                    source=source,
                    published="2023-10-06",
                ),
                actor="tester",
            )
            run = store.start_run(engine="test", engine_version="1", actor="tester")
            claims = [strike(killed=count("killed", killed, killed))]
            if i == 1:
                claims.append(
                    strike(
                        "Idlib",
                        precision="governorate",
                        day="2023-10-01",
                        day_end="2023-10-31",
                        scope="aggregate",
                        killed=count("killed", 41, None, "over"),
                    )
                )
            store.replace_claims(doc.document_id, claims, run_id=run, actor="tester")
    finally:
        store.close()


def test_resolve_command_json_and_incremental(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    _seed(db)
    runner = CliRunner()
    first = runner.invoke(_app(), ["resolve", "--db", str(db), "--json", "--aggregates"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["new_claims"] == 2
    assert data["incidents_created"] == 1
    assert data["aggregates"] == 1
    [cmp] = data["aggregates_compared"]
    assert cmp["reported"] == "over 40 killed"
    assert (cmp["incidents"], cmp["incident_low"], cmp["incident_high"]) == (1, 7, 9)
    second = runner.invoke(_app(), ["resolve", "--db", str(db), "--json"])
    assert second.exit_code == 0, second.output
    assert json.loads(second.output)["new_claims"] == 0


def test_resolve_command_plain_output(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    _seed(db)
    result = CliRunner().invoke(_app(), ["resolve", "--db", str(db), "--aggregates"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # Rich wraps long lines at the console width
    assert "1 incidents created" in text
    assert "reported: over 40 killed; incidents on record: 7 killed" in text
