"""`marsad ingest`, `verify` and `ledger` as a user runs them, on real files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app

runner = CliRunner()


def marsad(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def write_bad_batch(folder: Path) -> dict[str, str]:
    """A batch with good files and every kind of bad one; returns bad file -> expected reason."""
    folder.mkdir()
    (folder / "good.md").write_text(
        "---\ntitle: Strike on a market\nsource: Idlib Monitor\npublished: 2023-10-06\n"
        "sensitivity: public\n---\nAn air strike hit the market in Ariha on Friday.\n",
        encoding="utf-8",
    )
    (folder / "good.txt").write_text("Shelling hit Kansafra, wounding three people.\n", "utf-8")
    (folder / "good.html").write_text(
        "<html><head><title>Camp fire</title><script>alert(1)</script></head>"
        "<body><p>A fire spread through a camp near Sarmada.</p></body></html>",
        encoding="utf-8",
    )
    (folder / "records.jsonl").write_text(
        '{"text": "Two civilians were killed in Darat Izza.", "source": "Wire"}\n'
        "{this line is not json\n"
        '{"text": "A drone struck a car near Atarib.", "source": "Wire"}\n',
        encoding="utf-8",
    )
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "latin1.txt").write_bytes("Caf\xe9 bombed in Ma\xe2rat".encode("latin-1"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "nul.md").write_bytes(b"A report with a NUL\x00 byte in the middle of the text.")
    (folder / "huge.txt").write_bytes(b"word " * 120_000)
    nested = "<div>" * 20000 + "deep" + "</div>" * 20000
    (folder / "nested.html").write_text(
        f"<html><body>{nested}<p title='{'a' * 200000}'>Visible after nesting.</p></body></html>",
        encoding="utf-8",
    )
    (folder / "scripts-only.html").write_text(
        "<html><script>var a = 1;</script><style>p{}</style></html>", encoding="utf-8"
    )
    # not reports: passed over with a notice, not counted as errors
    (folder / "partner-rows.csv").write_text("event_date,fatalities\n2023-10-06,3\n", "utf-8")
    (folder / "sheet.xlsx").write_bytes(b"PK\x03\x04 not read")
    # a PDF is read now: one that is only a header is damaged
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7\n")
    return {
        "scan.pdf": "PDF",
        "photo.txt": "binary",
        "latin1.txt": "UTF-8",
        "empty.txt": "empty",
        "nul.md": "NUL",
        "huge.txt": "limit",
        "records.jsonl": "line 2",
        "scripts-only.html": "visible text",
    }


def test_bad_input_batch_stores_every_good_item_and_names_every_bad_one(tmp_path: Path) -> None:
    bad = write_bad_batch(tmp_path / "batch")
    db = str(tmp_path / "m.db")
    code, out = marsad(
        "ingest", str(tmp_path / "batch"), "--db", db, "--max-bytes", "500000", "--json"
    )
    assert code == 1, out
    report = json.loads(out[out.index("{") :])
    # good.md, good.txt, good.html, nested.html and the two good JSONL lines
    assert report["stored"] == 6 and report["partial"] is True
    errors = report["errors"]
    assert len(errors) == len(bad)
    for name, reason in bad.items():
        matching = [e for e in errors if name in e]
        assert matching, f"{name} not reported"
        assert reason.lower() in matching[0].lower(), matching[0]
    skipped = report["skipped"]
    assert [line.split(": ", 1)[0] for line in skipped] == [
        str(tmp_path / "batch" / name) for name in ("partner-rows.csv", "sheet.xlsx")
    ]
    assert "marsad import acled FILE" in skipped[0]
    assert "unsupported file type .xlsx" in skipped[1]
    code, out = marsad("verify", "--db", db)
    assert code == 0, out
    code, out = marsad("summary", "--db", db, "--json")
    assert json.loads(out)["documents"] == 6


def test_hostile_html_keeps_visible_text_only(tmp_path: Path) -> None:
    write_bad_batch(tmp_path / "batch")
    from marsad.ingest.parse import parse_file

    (page,) = parse_file(tmp_path / "batch" / "nested.html", max_bytes=10**6)
    assert not isinstance(page, str) and page.text.strip().endswith("Visible after nesting.")
    assert "a" * 100 not in page.text
    (good,) = parse_file(tmp_path / "batch" / "good.html", max_bytes=10**6)
    assert good.title == "Camp fire" and "alert" not in good.text  # type: ignore[union-attr]


def test_ingest_twice_leaves_count_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(5):
        (folder / f"r{i}.txt").write_text(f"Report number {i} about shelling in Hass.", "utf-8")
    db = str(tmp_path / "m.db")
    assert marsad("ingest", str(folder), "--db", db)[0] == 0
    code, out = marsad("ingest", str(folder), "--db", db, "--json")
    assert code == 0
    assert json.loads(out[out.index("{") :])["duplicates"] == 5
    code, out = marsad("summary", "--db", db, "--json")
    summary = json.loads(out)
    assert summary["documents"] == 5 and summary["ledger_entries"] == 5


def test_one_changed_byte_is_named_by_verify(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "keep.txt").write_text("Shelling hit Hass on Monday.", "utf-8")
    (folder / "tamper.txt").write_text("Shelling hit Kafr Nabl on Monday.", "utf-8")
    db = tmp_path / "m.db"
    assert marsad("ingest", str(folder), "--db", str(db))[0] == 0
    assert marsad("verify", "--db", str(db))[0] == 0
    with sqlite3.connect(db) as conn:
        (sha,) = conn.execute(
            "SELECT id FROM documents WHERE original_name LIKE '%tamper.txt'"
        ).fetchone()
        conn.execute(
            "UPDATE originals SET content = CAST(REPLACE(CAST(content AS TEXT), 'Kafr', 'Kafa') "
            "AS BLOB) WHERE sha256 = ?",
            (sha,),
        )
    code, out = marsad("verify", "--db", str(db))
    assert code == 1
    assert sha in out and "tamper.txt" in out and "ALTERED" in out
    code, out = marsad("ledger", sha[:12], "--db", str(db), "--json")
    assert code == 0 and json.loads(out)[0]["action"] == "ingest"


def test_missing_path_is_named(tmp_path: Path) -> None:
    code, out = marsad("ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "m.db"))
    assert code == 2 and "no such file" in out  # nothing could be stored


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_kill_9_mid_batch_leaves_a_consistent_store(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    total = 4000
    for i in range(total):
        (folder / f"r{i:05d}.txt").write_text(f"Report {i}: an air strike hit Binnish.", "utf-8")
    db = tmp_path / "m.db"
    cmd = [sys.executable, "-m", "marsad.cli", "ingest", str(folder), "--db", str(db), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and stored < 50:
        time.sleep(0.2)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    stored = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert stored >= 50, "ingest did not start in time"
    code, out = marsad("verify", "--db", str(db))
    assert code == 0, out
    code, out = marsad("summary", "--db", str(db), "--json")
    partial = json.loads(out)["documents"]
    assert partial < total
    assert json.loads(out)["ledger_entries"] == partial
    code, _ = marsad("ingest", str(folder), "--db", str(db))
    assert code == 0
    code, out = marsad("summary", "--db", str(db), "--json")
    assert json.loads(out)["documents"] == total
    assert marsad("verify", "--db", str(db))[0] == 0


def test_process_stores_and_extracts_the_good_files_and_names_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "report.txt").write_text(
        "On 6 October 2023 regime helicopters dropped two barrel bombs on Kafr Nubl, killing "
        "four civilians, the White Helmets said.\n",
        encoding="utf-8",
    )
    (folder / "noise.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "rows.csv").write_text("event_date,fatalities\n2023-10-06,3\n", encoding="utf-8")
    db = str(tmp_path / "m.db")
    code, out = marsad("process", str(folder), "--db", db, "--json")
    assert code == 1, out
    result = json.loads(out[out.index("{") :])
    assert [line.split(": ", 1) for line in result["rejected"]] == [
        [str(folder / "noise.txt"), "binary file: too many control bytes to be text"]
    ]
    assert len(result["skipped"]) == 1 and result["skipped"][0].startswith(str(folder / "rows.csv"))
    assert result["documents"] == 1 and result["claims"] == 1 and result["errors"] == []
    code, out = marsad("summary", "--db", db, "--json")
    assert code == 0 and json.loads(out)["claims_by_event_type"] == {"air_strike": 1}
