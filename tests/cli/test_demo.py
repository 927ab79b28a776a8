"""`make demo` end to end on the example corpus: the brief's PDF says what the store holds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdf
import pypdfium2

from marsad.contract.incident import IncidentFilter
from marsad.demo import run
from marsad.store import Store
from paths import REPO

EXAMPLES = REPO / "examples" / "reports"


def test_demo_writes_a_brief_whose_pdf_holds_the_figures(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert run(db, tmp_path, [EXAMPLES]) == 0
    pdf = tmp_path / "brief.pdf"
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    text = " ".join(text.split())
    store = Store(f"sqlite:///{db}")
    period = IncidentFilter(date_from=date(2023, 10, 5), date_to=date(2023, 10, 25))
    public = store.count_incidents(period)
    assert f"INCIDENTS {public}" in text.upper()
    # The Ariha market strike, told by three outlets as 7, "at least 8" and 10 killed.
    assert "Ariha" in text and "8–10" in text
    # The restricted report's invented activists never reach a public brief.
    for name in ("Lamis Haddour", "Yara Shamdin", "Ruwaida Kanaan"):
        assert name not in text
        assert name.encode() not in (tmp_path / "brief.html").read_bytes()
    # The first page renders to a picture with real content, not a blank sheet.
    image = pypdfium2.PdfDocument(str(pdf))[0].render(scale=1).to_pil()
    assert image.width > 500 and len(image.getcolors(maxcolors=1 << 16) or range(11)) > 10
