"""Browser-test fixtures: a seeded database, the app under uvicorn in a child process on a free
loopback port, and Debian's Chromium driven by Playwright (never downloaded).

Skipped with a clear reason when /usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for test_web_seed

from marsad.config import database_url  # noqa: E402
from marsad.contract.incident import Actor, Figure, IncidentView  # noqa: E402
from marsad.store import Store  # noqa: E402
from test_web_seed import Seeded, seed  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"

# (place, governorate, p-code, lat, lon): invented incidents to give the map and timeline shape
_PLACES = [
    ("Ariha", "Idleb", "SY07", 35.81, 36.61),
    ("Jisr al-Shughur", "Idleb", "SY07", 35.81, 36.32),
    ("Saraqib", "Idleb", "SY07", 35.86, 36.80),
    ("Atarib", "Aleppo", "SY02", 36.14, 36.83),
    ("Darat Izza", "Aleppo", "SY02", 36.28, 36.85),
    ("Kafr Nabudah", "Hama", "SY05", 35.43, 36.50),
    ("Kabana hills", "Lattakia", "SY06", 35.76, 36.16),
]
_TYPES = [
    ("air_strike", "air_dropped_bomb", "russian_forces", "Russian forces"),
    ("shelling", "artillery", "sy_gov_forces", "Government forces"),
    ("air_strike", "drone", "sy_gov_forces", "Government forces"),
]


def _extra_incidents(n: int) -> Iterator[IncidentView]:
    start = date(2024, 2, 20)
    for i in range(n):
        place, gov, pcode, lat, lon = _PLACES[i % len(_PLACES)]
        event, weapon, actor_id, actor = _TYPES[i % len(_TYPES)]
        killed = (i * 7) % 9
        day = start + timedelta(days=(i * 5) % 30)
        yield IncidentView(
            id=None,
            event_type=event,
            date_start=day,
            date_end=day,
            place_name=place,
            place_precision="exact",
            admin1=gov,
            admin1_pcode=pcode,
            lat=lat + (i % 5) * 0.01,
            lon=lon - (i % 3) * 0.01,
            perpetrators=[Actor(actor_id, actor, "state_forces")],
            weapons=[weapon],
            facilities={"school": 1} if i % 6 == 0 else {},
            figures={"killed": Figure(killed, killed, killed + i % 3, [])},
            grade=("fair", "weak", "confirmed", "contested")[i % 4],
            source_count=1 + i % 3,
            sensitivity="public",
        )


@dataclass
class Server:
    base: str
    seeded: Seeded
    shots: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright package (pip install playwright)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, playwright_browser: Any) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("browser")
    url = database_url(str(root / "browser.db"))
    store = Store(url)
    seeded = seed(store)
    store.bulk_insert_incidents(_extra_incidents(42), actor="test-setup")
    store.close()
    port = _free_port()
    code = (
        "import uvicorn, sys; from marsad.web import create_app; "
        f"uvicorn.run(create_app({url!r}), host='127.0.0.1', port={port}, log_level='warning')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the test server did not start") from None
                time.sleep(0.2)
        shots = root / "screenshots"
        shots.mkdir()
        yield Server(base, seeded, shots)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if os.environ.get("MARSAD_SAVE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            for png in (root / "screenshots").glob("*.png"):
                shutil.copy(png, SCREENSHOTS / png.name)


@pytest.fixture
def page(playwright_browser: Any) -> Iterator[Any]:
    context = playwright_browser.new_context(viewport={"width": 1360, "height": 900})
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()
