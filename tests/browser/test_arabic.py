"""The Arabic dashboard in a real browser: values in Arabic (event types, grades, place names
from the gazetteer) and every source paragraph laid out in its own direction, so an English
report on the right-to-left page reads left to right with its full stop at its end."""

from __future__ import annotations

import re
from typing import Any

from test_dashboard import shot, sign_in

ARABIC = re.compile(r"[\u0600-\u06ff]")
DIRECTION = "el => getComputedStyle(el).direction"


def test_arabic_dashboard_and_incident_show_arabic_values(page: Any, server: Any) -> None:
    sign_in(page, server, "analyst")
    page.goto(server.base + "/?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    types = page.locator("#incidents td.event-type").all_inner_texts()
    assert "غارة جوية" in types and "قصف مدفعي" in types
    places = page.locator("#incidents td.place a").all_inner_texts()
    assert "أريحا" in places and "سراقب" in places  # Ariha, Saraqib: the gazetteer's names
    assert "Ariha" not in places
    assert "Kabana hills" in places  # no gazetteer entry: the stored Latin name
    assert page.locator("svg.map text.label", has_text="إدلب").count() == 1
    shot(page, server, "dashboard-ar")

    page.goto(server.base + f"/incidents/{server.seeded.public_incident}")
    assert page.locator("h1 .event-type").inner_text() == "غارة جوية"
    assert ARABIC.search(page.locator("h1 .place").inner_text())
    assert "قنبلة جوية" in page.locator("dl.facts").inner_text()  # the weapon
    paragraph = page.locator("blockquote.evidence-text .para[dir=auto]", has_text="warplanes")
    assert paragraph.count() == 1
    assert paragraph.evaluate(DIRECTION) == "ltr"  # English evidence on the Arabic page
    assert page.locator("body").evaluate(DIRECTION) == "rtl"
    shot(page, server, "incident-ar")
