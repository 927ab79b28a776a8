"""``marsad extract``: JSON Lines, the table, front matter, and files that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from marsad.cli.extract import extract_command, read_document
from marsad.contract.claim import claim_from_dict

REPORT = (
    "Russian warplanes struck Saraqib on Friday, killing at least 8 civilians, "
    "according to the White Helmets.\n"
)


def app() -> typer.Typer:
    a = typer.Typer()
    a.command("extract")(extract_command)

    @a.command("noop")
    def noop() -> None:  # a second command keeps "extract" a named subcommand
        """Nothing."""

    return a


def test_json_lines_with_front_matter(tmp_path: Path) -> None:
    doc = tmp_path / "report.md"
    doc.write_text("---\npublished: 2023-10-25\ntitle: x\n---\n" + REPORT, encoding="utf-8")
    result = CliRunner().invoke(app(), ["extract", str(doc), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    assert len(lines) == 1
    assert lines[0]["document"] == str(doc)
    claim = claim_from_dict(lines[0]["claim"])
    assert claim.date_start == "2023-10-20"
    killed = claim.count("killed", "civilians")
    assert killed is not None and killed.low == 8
    # offsets point into the text exactly as ingest parses and stores it
    text, _ = read_document(doc)
    assert text[killed.evidence.start : killed.evidence.end] == killed.evidence.text


def test_published_option_overrides(tmp_path: Path) -> None:
    doc = tmp_path / "report.txt"
    doc.write_text(REPORT, encoding="utf-8")
    result = CliRunner().invoke(app(), ["extract", str(doc), "--json", "--published", "2024-01-06"])
    assert result.exit_code == 0, result.output
    claim = json.loads(result.stdout.splitlines()[0])["claim"]
    assert claim["date_start"] == "2024-01-05"


def test_bad_files_are_named_and_others_still_run(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(REPORT, encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\xfa not utf-8 \x81")
    missing = tmp_path / "missing.txt"
    result = CliRunner().invoke(app(), ["extract", str(missing), str(binary), str(good), "--json"])
    assert result.exit_code == 1
    assert "missing.txt" in result.stderr and "binary.txt" in result.stderr
    assert "UTF-8" in result.stderr
    docs = [json.loads(x)["document"] for x in result.stdout.splitlines() if x.strip()]
    assert docs == [str(good)]


def test_table_output(tmp_path: Path) -> None:
    doc = tmp_path / "report.txt"
    doc.write_text(REPORT, encoding="utf-8")
    result = CliRunner().invoke(app(), ["extract", str(doc)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "air_strike" in result.stdout and "killed civilians 8" in result.stdout


def test_read_document_uses_the_ingest_parser(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("---\npublished: 2023-10-25\n---\nBody text.", encoding="utf-8")
    text, front = read_document(doc)
    assert text == "Body text."
    assert str(front["published"]) == "2023-10-25"


def test_html_scripts_never_reach_the_engine(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><meta property='article:published_time' content='2023-10-18'>"
        "<script>var x = 'Air strike killed 99 civilians in Saraqib';</script></head>"
        "<body><p>Rockets hit a school in Ariha on Wednesday, killing 2 civilians.</p>"
        "<script>document.write('<p>55 killed in Sarmada</p>')</script></body></html>",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app(), ["extract", str(page), "--json"])
    assert result.exit_code == 0, result.output
    claims = [claim_from_dict(json.loads(x)["claim"]) for x in result.stdout.splitlines() if x]
    lows = {c.low for claim in claims for c in claim.counts}
    assert 2 in lows and 99 not in lows and 55 not in lows
    assert claims[0].date_start == "2023-10-18"
