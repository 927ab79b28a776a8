"""Briefs: figures worded as ranges, reported totals beside incident totals, restricted-safe
output in every format, an offline map and timeline, a reproducible footer, RTL frame."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from export_data import SECRET_PERSON, SECRET_PLACE, SECRET_SOURCE, build_store
from marsad.cli.publish import brief_command
from marsad.contract.incident import IncidentFilter
from marsad.publish.brief import build_brief, render_html, write_brief
from marsad.publish.charts import MapPoint, admin_areas, incident_map
from marsad.publish.figures import Range
from marsad.publish.labels import count_words
from marsad.store import Store

PERIOD = IncidentFilter(date_from=date(2023, 10, 1), date_to=date(2023, 10, 20))
SECRETS = (SECRET_PERSON, SECRET_SOURCE, SECRET_PLACE)
WORDS = {"at_least": "at least {n}", "between": "between {low} and {high}", "exactly": "{n}"}


@pytest.fixture
def filled(sqlite_store: Store) -> Store:
    build_store(sqlite_store)
    return sqlite_store


def test_range_wording() -> None:
    r = Range()
    r.add(4, 7)
    assert r.words(WORDS) == "between 4 and 7"
    r.add(2, None)  # a source said "at least 2": no upper bound any more
    assert r.words(WORDS) == "at least 6"
    exact = Range()
    exact.add(3, 3)
    assert exact.words(WORDS) == "3"


def test_reported_counts_are_quoted_as_said() -> None:
    over = {"category": "killed", "group": "civilians", "low": 61, "high": None}
    assert count_words({**over, "qualifier": "over"}) == "over 60 civilians killed"
    # "nearly 300" is read as 270..299 (docs/schema.md)
    nearly = {"category": "injured", "group": "all", "low": 270, "high": 299}
    assert count_words({**nearly, "qualifier": "nearly"}) == "nearly 300 injured"


def test_brief_html_has_figures_aggregates_charts_and_footer(filled: Store) -> None:
    brief = build_brief(filled, PERIOD)
    html = render_html(brief)
    # 4-7 + at least 2 + 6 killed; injured 5-8 three times; children 1-2 three times
    assert "at least 12" in html
    assert "between 15 and 24" in html
    assert "sources differ on the figures of 3" in html  # every test incident has a range
    assert "of whom children between 3 and 6" in html
    assert "over 60 civilians killed" in html  # the reported total, beside ...
    assert "incidents on record: at least 12 killed in 3 incidents" in html  # ... ours
    assert "cluster munitions: in 1 incident(s)" in html
    assert "medical facility: 2" in html and "school: 2" in html
    assert html.count("<svg") == 2 and "<circle" in html
    assert "Approximate boundaries" in html
    assert filled.ledger_head() in html
    assert "marsad brief --from 2023-10-01 --to 2023-10-20" in html
    # nothing is fetched: no scripts, stylesheets or images from elsewhere
    assert not re.search(r"<(script|link|img)\b", html)
    # the public source is cited by name; its link only once an analyst approved it
    assert "Northwest Relief Network" in html
    assert "https://example.invalid/ariha" not in html
    filled.approve_text("https://example.invalid/ariha", field="url", actor="analyst-lina")
    assert "https://example.invalid/ariha" in render_html(build_brief(filled, PERIOD))


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_public_brief_contains_nothing_restricted(filled: Store, tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "out"  # apart from the database file, which does hold the secrets
    folder.mkdir()
    write_brief(build_brief(filled, PERIOD), folder / f"brief.{fmt}", fmt)
    data = b"".join(p.read_bytes() for p in folder.iterdir())
    for secret in SECRETS:
        assert secret.encode() not in data


def test_pdf_brief_text_has_the_figures(filled: Store, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "brief.pdf"
    write_brief(build_brief(filled, PERIOD), out, "pdf")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    text = " ".join(text.split())
    assert "at least 12" in text
    assert "between 15 and 24" in text
    assert "over 60 civilians killed" in text
    for secret in SECRETS:
        assert secret not in text


def test_arabic_frame_flips_direction(filled: Store) -> None:
    html = render_html(build_brief(filled, PERIOD, lang="ar"))
    assert '<html lang="ar" dir="rtl">' in html
    assert "الأرقام الرئيسية" in html
    with pytest.raises(ValueError, match="unknown language"):
        build_brief(filled, PERIOD, lang="xx")


def test_wider_brief_is_stamped_and_logged(filled: Store) -> None:
    f = IncidentFilter(
        date_from=PERIOD.date_from, date_to=PERIOD.date_to, max_sensitivity="restricted"
    )
    html = render_html(build_brief(filled, f, actor="analyst-lina"))
    assert "NOT FOR PUBLICATION" in html and SECRET_PLACE in html
    entry = filled.history("export", "brief:2023-10-01:2023-10-20")[0]
    assert entry.actor == "analyst-lina" and entry.action == "brief"


def test_map_draws_governorates_and_one_circle_per_point() -> None:
    areas = admin_areas()
    assert len(areas["governorates"]) == 14 and "SCHEMATIC" in areas["note"]
    points = [MapPoint(36.63, 35.93, 12, "a"), MapPoint(36.8, 35.6, 0, "b")]
    svg = incident_map(points, caption="approximate boundaries")
    assert svg.count("<circle") == len(points) + 3  # plus three legend circles
    assert "IDLEB" in svg
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_brief_command_writes_markdown_with_chart_files(filled: Store, tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("brief")(brief_command)
    app.command("unused")(lambda: None)
    db = filled.url.removeprefix("sqlite:///")
    out = tmp_path / "october.md"
    args = ["brief", "--from", "2023-10-01", "--to", "2023-10-20", "--format", "md"]
    result = CliRunner().invoke(app, [*args, "--output", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "(october-map.svg)" in text and (tmp_path / "october-timeline.svg").exists()
    assert "**People killed:** at least 12" in text
