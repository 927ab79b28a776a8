"""Arabic where people look: vocabulary and figures worded in Arabic, place names in the reader's
script from the gazetteer, each source paragraph in its own direction, and an Arabic PDF brief
whose text extracts as the Arabic that was written (no dotted circles). Reports are invented."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from export_data import build_store
from marsad.config import database_url
from marsad.contract import claim as contract
from marsad.contract.incident import IncidentFilter
from marsad.publish.brief import arabic_font_faces, build_brief, render_html, write_brief
from marsad.publish.labels import count_words, figure_label, label
from marsad.publish.place_names import admin_name_in_script, name_in_script
from marsad.store import Store
from marsad.store.review import GRADES
from marsad.web import create_app
from marsad.web.auth import CSRF_FIELD
from marsad.web.charts import highlight
from test_web_seed import PASSWORD, USERS, seed

PERIOD = IncidentFilter(date_from=date(2023, 10, 1), date_to=date(2023, 10, 20))
ARABIC = re.compile(r"[\u0600-\u06ff]")
# what a PDF text extractor adds around right-to-left runs, and the isolates around dates
BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2069"), " ")


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("event_type", contract.EVENT_TYPES),
        ("weapon", contract.WEAPONS),
        ("facility", contract.FACILITY_TYPES),
        ("grade", GRADES),
        ("precision", contract.PLACE_PRECISIONS),
        ("category", contract.COUNT_CATEGORIES),
        ("group", contract.VICTIM_GROUPS),
        ("qualifier", contract.QUALIFIERS),
        ("sensitivity", contract.SENSITIVITY_LEVELS),
    ],
)
def test_every_vocabulary_code_has_an_arabic_label(kind: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        assert ARABIC.search(label(kind, code, "ar")), (kind, code)
        assert not ARABIC.search(label(kind, code, "en")), (kind, code)
    assert label("event_type", "air_strike", "ar") == "غارة جوية"
    assert label("event_type", "never_seen", "ar") == "never seen"  # unknown: its words


def test_figures_are_worded_in_arabic() -> None:
    five = {"category": "killed", "group": "civilians", "low": 5, "high": None}
    assert count_words({**five, "qualifier": "at_least"}, "ar") == "قتل 5 مدنيين على الأقل"
    over = {"category": "killed", "group": "civilians", "low": 61, "high": None}
    assert count_words({**over, "qualifier": "over"}, "ar") == "قتل أكثر من 60 مدنياً"
    assert count_words({**over, "qualifier": "over"}) == "over 60 civilians killed"
    hurt = {"category": "injured", "group": "all", "low": 270, "high": 299, "qualifier": "nearly"}
    assert count_words(hurt, "ar") == "أصيب قرابة 300 شخص"
    strikes = {"category": "strikes", "group": "all", "low": 57, "high": 57, "qualifier": "exact"}
    assert count_words(strikes, "ar") == "57 ضربة"
    assert figure_label("killed_children", "ar") == "القتلى (أطفال)"
    assert figure_label("killed_children", "en") == "killed (children)"


def test_place_names_come_from_the_gazetteer_in_the_readers_script() -> None:
    assert name_in_script("Ariha", "ar", pcodes={"admin1": "SY07"}) == "أريحا"
    assert name_in_script("Saraqib", "ar") == "سراقب"
    assert name_in_script("Ariha", "en") == "Ariha"
    # no entry, or a namesake only in another governorate: the stored Latin name
    assert name_in_script("Orchard of Nowhere", "ar") == "Orchard of Nowhere"
    assert name_in_script("Ariha", "ar", pcodes={"admin1": "SY01"}) == "Ariha"
    assert admin_name_in_script("Idleb", "SY07", "ar") == "إدلب"
    assert admin_name_in_script("Idleb", "SY99", "ar") == "Idleb"


def test_each_source_paragraph_gets_its_own_direction() -> None:
    text = "نص عربي عن الغارة.\nThe market was hit at noon.\n"
    html = highlight(text, [(text.index("The"), len(text) - 1)])
    paragraphs = re.findall(r'<span class="para" dir="auto">(.*?)</span>', html, re.S)
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("نص عربي") and "The market" in paragraphs[1]
    assert '<mark class="evidence">The market was hit at noon.</mark>' in paragraphs[1]


def test_arabic_pages_show_arabic_values_and_directed_evidence(tmp_path: Path) -> None:
    url = database_url(str(tmp_path / "w.db"))
    store = Store(url)
    seeded = seed(store)
    store.close()
    with TestClient(create_app(url)) as client:
        form = client.get("/login").text
        token = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', form)
        assert token is not None
        login = {CSRF_FIELD: token.group(1), "username": USERS["analyst"], "password": PASSWORD}
        assert client.post("/login", data=login, follow_redirects=False).status_code == 303
        page = client.get("/?lang=ar").text
        assert "غارة جوية" in page and "إدلب" in page
        assert "air strike" not in page and "air_strike</td>" not in page
        incident = client.get(f"/incidents/{seeded.public_incident}?lang=ar").text
    assert "غارة جوية" in incident and "قنبلة جوية" in incident  # event type, weapon
    assert "سوق" in incident and "ضعيف" in incident  # facility, grade
    assert re.search(r'<span class="place">[^<]*[\u0600-\u06ff]', incident)  # the place
    quote = incident[incident.index('<blockquote class="evidence-text">') :]
    assert quote.startswith('<blockquote class="evidence-text"><span class="para" dir="auto">')
    assert "Marsad test bulletin." in quote


def _without_marks(text: str) -> str:
    return re.sub("[\u064b-\u065f\u0670]", "", text)


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext"):
        done = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument(str(path))
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


def test_arabic_pdf_brief_extracts_as_arabic(sqlite_store: Store, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    build_store(sqlite_store)
    assert arabic_font_faces(), "the Arabic typeface package (fontpkg-ibm-plex-sans-arabic)"
    out = tmp_path / "brief-ar.pdf"
    brief = build_brief(sqlite_store, PERIOD, lang="ar", include_unreviewed=True)
    write_brief(brief, out, "pdf")
    text = _pdf_text(out)
    assert "\u25cc" not in text  # no dotted circle: every mark sat on its letter
    lines = [" ".join(line.translate(BIDI_MARKS).split()) for line in text.splitlines()]
    # vowel marks compared apart: extractors put a mark on its own line ("مدنياً"), while the
    # letters, their order and their joining are what a reader needs
    words = _without_marks(" | ".join(lines))
    # frame words, vocabulary, place names and figures, each in its written order
    for expected in ("الأرقام الرئيسية", "الهجمات على المدنيين", "غارة جوية", "قصف مدفعي"):
        assert expected in words, expected
    for expected in ("أريحا", "سرمين", "إدلب", "12 على الأقل", "مدنياً"):
        assert _without_marks(expected) in words, expected
    assert "قتل" in words and "60" in words
    assert "IDLEB" not in words  # the map names places in Arabic


def test_html_brief_names_no_local_font_file(sqlite_store: Store) -> None:
    build_store(sqlite_store)
    html = render_html(build_brief(sqlite_store, PERIOD, lang="ar", include_unreviewed=True))
    assert "file:" not in html and "@font-face" not in html  # the HTML file travels
    assert 'class="map-label" dir="auto"' in html and "إدلب" in html
    assert '<li dir="auto">Incidents: resolved' in html  # English method text reads ltr
