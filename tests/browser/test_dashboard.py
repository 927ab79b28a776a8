"""The dashboard in a real browser: sign in, filter, open an incident, see the evidence marked
in the source text, correct a figure and find the correction and its ledger entry; a viewer
cannot reach a restricted incident by URL, search, counts or brief. Screenshots of the main
pages are saved (and copied to docs/screenshots/ with MARSAD_SAVE_SCREENSHOTS=1)."""

from __future__ import annotations

import json
from typing import Any

from test_web_seed import (
    HIDDEN_FROM_VIEWER,
    PASSWORD,
    PROTECTED_PERSON,
    RESTRICTED_PLACE,
    USERS,
)


def sign_in(page: Any, server: Any, role: str) -> None:
    page.goto(server.base + "/")
    assert "/login" in page.url  # everything needs an account by default
    page.fill("input[name=username]", USERS[role])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.base + "/")


def shot(page: Any, server: Any, name: str) -> None:
    page.screenshot(path=str(server.shots / f"{name}.png"), full_page=True)


def test_analyst_filters_reads_evidence_and_corrects(page: Any, server: Any) -> None:
    sign_in(page, server, "analyst")
    assert page.locator("svg.map circle.bubble").count() >= 3
    assert page.locator("svg.timeline rect.bar").count() > 5
    # incidents are drawn over the approximate governorate and district outlines, with a note
    assert page.locator("svg.map polygon.governorate").count() >= 14
    assert page.locator("svg.map polygon.district").count() > 14
    assert page.locator("svg.map polygon.area.hot").count() >= 4  # Idleb, Aleppo, Hama, Lattakia
    assert "approximate" in page.locator(".map-note").inner_text()
    shot(page, server, "dashboard")

    page.fill("input[name=area]", "SY07")
    page.fill("input[name=from]", "2024-03-12")
    page.fill("input[name=to]", "2024-03-12")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("#incidents tbody tr")
    assert rows.count() == 1
    assert "Maarrat Misrin" in rows.first.inner_text()
    shot(page, server, "dashboard-filtered")

    rows.first.locator("a").first.click()
    page.wait_for_url(f"**/incidents/{server.seeded.public_incident}")
    marks = page.locator("blockquote.evidence-text mark.value")
    assert "Maarrat Misrin" in " ".join(marks.all_inner_texts())
    assert page.locator("blockquote.evidence-text mark.evidence").count() > 0
    assert PROTECTED_PERSON in page.content()  # analysts are cleared for protected names
    shot(page, server, "incident")

    page.select_option("#correct-form select[name=field]", "killed.best")
    page.fill("#correct-form input[name=value]", "8")
    page.fill("#correct-form input[name=reason]", "hospital register lists eight")
    page.click("#correct-form button")
    page.wait_for_url("**saved=1")
    corrections = page.locator("#corrections").inner_text()
    assert "killed.best" in corrections and "hospital register lists eight" in corrections
    assert page.locator("#corrections td.machine").first.inner_text() == "7"
    assert page.locator("#figures tr.corrected").count() == 1
    history = page.locator("#history").inner_text()
    assert "omar_analyst" in history and "correct" in history
    shot(page, server, "incident-corrected")

    page.goto(server.base + "/review")
    assert page.locator("#queue tbody tr").count() >= 3
    shot(page, server, "review-queue")

    page.goto(server.base + f"/documents/{server.seeded.public_doc}")
    assert page.locator(".doc-text mark.value").count() >= 3
    shot(page, server, "document")

    page.goto(server.base + "/brief?from=2024-02-01&to=2024-03-31&area=SY07")
    assert "Maarrat Misrin" not in page.locator("article.brief").inner_text()  # counts only
    shot(page, server, "brief")

    page.goto(server.base + "/?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    shot(page, server, "dashboard-ar")
    page.goto(server.base + "/?lang=en")


def test_viewer_cannot_reach_restricted_records(page: Any, server: Any) -> None:
    sign_in(page, server, "viewer")
    s = server.seeded
    for path in (f"/incidents/{s.restricted_incident}", f"/incidents/{s.internal_incident}"):
        response = page.goto(server.base + path)
        assert response is not None and response.status == 404
    shot(page, server, "viewer-not-found")

    page.goto(server.base + "/?q=Wadi")
    assert page.locator("#incidents tbody tr").count() == 0
    page.goto(server.base + f"/?area={RESTRICTED_PLACE}")
    assert page.locator("#incidents tbody tr").count() == 0

    api = page.goto(server.base + "/api/aggregates?by=area,perpetrator,day&reported=true")
    assert api is not None and api.status == 200
    counts = json.loads(page.locator("body").inner_text())
    assert {r["key"] for r in counts["by"]["area"]} == {"SY07", "SY02", "SY05", "SY06"}
    assert "unknown_gunmen" not in {r["key"] for r in counts["by"]["perpetrator"]}

    for path in (
        "/",
        "/brief",
        f"/documents/{s.public_doc}",
        "/api/incidents?limit=500",
        "/api/claims",
        "/api/documents",
    ):
        page.goto(server.base + path)
        text = page.content()
        for secret in HIDDEN_FROM_VIEWER:
            assert secret not in text, f"{path} shows {secret!r} to a viewer"
    # exports, through the dashboard's link and the API, hold what the viewer may see, no more
    page.goto(server.base + "/")
    href = page.locator("#exports a", has_text="JSON lines").get_attribute("href")
    assert href is not None and href.startswith("/api/export?format=jsonl")
    visible = counts["totals"]["incidents"]
    for fmt in ("jsonl", "geojson", "hxl", "acled"):
        # a public export holds only reviewed incidents and says how many it left out
        gated = page.request.get(server.base + f"/api/export?format={fmt}")
        assert gated.status == 200, fmt
        left_out = int(gated.headers["x-marsad-unreviewed-left-out"])
        assert left_out >= 1 and int(gated.headers["x-marsad-rows"]) + left_out == visible, fmt
        answer = page.request.get(server.base + f"/api/export?format={fmt}&include_unreviewed=true")
        assert answer.status == 200, fmt
        body = answer.text()
        assert int(answer.headers["x-marsad-rows"]) == visible, fmt
        for secret in HIDDEN_FROM_VIEWER:
            assert secret not in body, f"{fmt} export shows {secret!r} to a viewer"
    lines = page.request.get(server.base + href + "&include_unreviewed=true").text().splitlines()
    assert len(lines) == visible and {json.loads(x)["id"] for x in lines}.isdisjoint(
        {s.restricted_incident, s.internal_incident}
    )
    searched = page.request.get(server.base + "/api/export?format=jsonl&q=Wadi")
    assert searched.status == 200 and searched.text() == ""
    wider = page.request.get(server.base + "/api/export?format=jsonl&sensitivity=restricted")
    assert RESTRICTED_PLACE not in wider.text()  # no parameter widens a viewer's clearance

    page.goto(server.base + f"/documents/{s.public_doc}")
    shot(page, server, "document-viewer-masked")
    assert page.goto(server.base + "/review").status == 403  # type: ignore[union-attr]
