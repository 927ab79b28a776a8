"""``marsad feeds``: RSS and Atom feeds served by a local HTTP server that honours conditional
requests, read from disk, and broken or hostile feeds named without stopping the others.

Every feed here was written for these tests; outlets and places are invented or public
place names, and no person is named."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from marsad.cli import app
from marsad.ingest.feed_parse import FeedError, parse_feed
from marsad.store import Store
from marsad.store.models import Document, FeedItem, LedgerEntry

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
  <title>Jabal Watch Bulletin</title>
  <link>https://bulletin.example.org/</link>
  <description>Daily field notes</description>
  <language>en</language>
  <item>
    <title>Air strike on farmland near Al-Bara</title>
    <link>https://bulletin.example.org/notes/101</link>
    <guid isPermaLink="false">jwb-101</guid>
    <pubDate>Mon, 09 Oct 2023 17:20:00 +0000</pubDate>
    <description>&lt;p&gt;An air strike hit farmland on the edge of Al-Bara in Idlib countryside on
      9 October 2023.&lt;/p&gt;&lt;p&gt;Four civilians were killed and two were
      injured.&lt;/p&gt;&lt;script&gt;track()&lt;/script&gt;</description>
  </item>
  <item>
    <title>Shelling reported in Darat Izza</title>
    <link>https://bulletin.example.org/notes/102</link>
    <guid isPermaLink="false">jwb-102</guid>
    <pubDate>Wed, 11 Oct 2023 08:05:00 +0000</pubDate>
    <description>Artillery shells fell on a residential street in Darat Izza on 11 October
      2023, injuring three civilians.</description>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Coastal Relief Desk</title>
  <id>urn:uuid:6f1c3c1e-5d0b-4c49-9d76-0d7ac0c2a001</id>
  <updated>2023-10-13T12:00:00Z</updated>
  <entry>
    <title type="html">Strike on a market in &lt;b&gt;Ariha&lt;/b&gt;</title>
    <id>urn:uuid:6f1c3c1e-5d0b-4c49-9d76-0d7ac0c2a101</id>
    <link href="https://desk.example.org/2023/10/ariha-market"/>
    <published>2023-10-12T09:30:00Z</published>
    <updated>2023-10-12T10:00:00Z</updated>
    <content type="html">&lt;p&gt;A missile struck the vegetable market in Ariha on
      12 October 2023.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Seven civilians were killed.&lt;/li&gt;
      &lt;li&gt;Eleven were injured.&lt;/li&gt;&lt;/ul&gt;</content>
  </entry>
  <entry>
    <title>Drone attack on a car near Sarmin</title>
    <id>urn:uuid:6f1c3c1e-5d0b-4c49-9d76-0d7ac0c2a102</id>
    <link href="https://desk.example.org/2023/10/sarmin-drone"/>
    <updated>2023-10-13T07:45:00Z</updated>
    <summary type="text">A drone struck a car on the road east of Sarmin on 13 October 2023;
      one civilian was injured.</summary>
  </entry>
</feed>
"""

EXTRA_ITEM = """  <item>
    <title>Camp for displaced families hit</title>
    <link>https://bulletin.example.org/notes/103</link>
    <guid isPermaLink="false">jwb-103</guid>
    <pubDate>Fri, 13 Oct 2023 06:00:00 +0000</pubDate>
    <description>Rockets hit a camp for displaced families near Kafr Takharim on 13 October
      2023, killing two children.</description>
  </item>
</channel>"""

HTML_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Jabal Watch</title>
<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>
<body><p>Welcome to our bulletin.</p></body></html>"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>x</title><guid>b1</guid><description>&lol9;</description></item>
</channel></rss>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title>
<item><title>x</title><guid>e1</guid><description>&secret;</description></item>
</channel></rss>
"""


@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    status: int = 200


@dataclass
class Server:
    url: str
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str], int]] = field(default_factory=list)

    def answers(self, path: str) -> list[int]:
        return [status for p, _h, status in self.requests if p == path]

    def headers(self, path: str) -> list[dict[str, str]]:
        return [h for p, h, _s in self.requests if p == path]


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = server.routes.get(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            if route is None:
                status, body, extra = 404, b"not here", {"Content-Type": "text/plain"}
            elif _unchanged(route, headers):
                status, body, extra = 304, b"", {}
            else:
                status, body = route.status, route.body
                extra = {"Content-Type": route.content_type}
                if route.etag:
                    extra["ETag"] = route.etag
                if route.last_modified:
                    extra["Last-Modified"] = route.last_modified
            server.requests.append((self.path, headers, status))
            if route is not None and route.delay:
                time.sleep(route.delay)
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def _unchanged(route: Route, headers: dict[str, str]) -> bool:
    if route.etag and headers.get("if-none-match") == route.etag:
        return True
    return bool(route.last_modified) and headers.get("if-modified-since") == route.last_modified


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)  # the local server is asked directly
    routes = {
        "/rss.xml": Route(RSS.encode(), etag='"rss-v1"'),
        "/atom.xml": Route(
            ATOM.encode(),
            content_type="application/atom+xml",
            last_modified="Fri, 13 Oct 2023 12:00:00 GMT",
        ),
    }
    state = Server(url="", routes=routes)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True  # closing does not wait for the slow route's sleep
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def marsad(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def poll_json(url: str, *extra: str) -> tuple[int, dict[str, object]]:
    code, output = marsad("feeds", "poll", "--db", url, "--json", *extra)
    return code, json.loads(output)


def count(store_url: str, model: type) -> int:
    store = Store(store_url)
    try:
        with store.reading() as session:
            return int(session.execute(select(func.count()).select_from(model)).scalar() or 0)
    finally:
        store.close()


def documents(store_url: str) -> dict[str, Document]:
    """The stored documents by title (the last one of a title, where several share it)."""
    store = Store(store_url)
    try:
        with store.reading() as session:
            rows = session.execute(select(Document)).scalars().all()
            for row in rows:
                _ = row.source  # loaded while the session is open
            return {row.title or "": row for row in rows}
    finally:
        store.close()


# -- polling over HTTP ------------------------------------------------------------------------


def test_each_item_is_one_document_and_a_second_poll_stores_nothing(
    store_url: str, server: Server
) -> None:
    for path in ("/rss.xml", "/atom.xml"):
        code, output = marsad("feeds", "add", server.url + path, "--db", store_url)
        assert code == 0, output
        assert "added" in output

    code, report = poll_json(store_url)
    assert code == 0, report
    assert report["stored"] == 4 and report["errors"] == []
    docs = documents(store_url)
    assert set(docs) == {
        "Air strike on farmland near Al-Bara",
        "Shelling reported in Darat Izza",
        "Strike on a market in Ariha",
        "Drone attack on a car near Sarmin",
    }
    strike = docs["Air strike on farmland near Al-Bara"]
    assert strike.url == "https://bulletin.example.org/notes/101"
    assert strike.source is not None and strike.source.name == "Jabal Watch Bulletin"
    assert str(strike.published) == "2023-10-09"
    assert strike.language == "en"
    # HTML flattened by html_text: one paragraph a line, scripts dropped, no markup left
    assert strike.text.splitlines() == [
        "An air strike hit farmland on the edge of Al-Bara in Idlib countryside on 9 October 2023.",
        "Four civilians were killed and two were injured.",
    ]
    market = docs["Strike on a market in Ariha"]
    assert market.source is not None and market.source.name == "Coastal Relief Desk"
    assert "Seven civilians were killed." in market.text.splitlines()
    assert "<" not in market.text
    assert str(docs["Drone attack on a car near Sarmin"].published) == "2023-10-13"  # updated
    assert strike.media_type == "application/json"
    assert strike.extra["guid"] == "jwb-101"

    code, report = poll_json(store_url)
    assert code == 0, report
    assert report["stored"] == 0
    assert [f["status"] for f in report["feeds"]] == ["not modified", "not modified"]  # type: ignore[index]
    assert server.answers("/rss.xml") == [200, 304]
    assert server.answers("/atom.xml") == [200, 304]
    assert server.headers("/rss.xml")[1]["if-none-match"] == '"rss-v1"'
    assert server.headers("/atom.xml")[1]["if-modified-since"] == "Fri, 13 Oct 2023 12:00:00 GMT"
    assert count(store_url, Document) == 4
    assert count(store_url, FeedItem) == 4


def test_custody_original_is_the_serialised_entry_and_is_ledgered(
    sqlite_store: Store, server: Server
) -> None:
    url = sqlite_store.url
    marsad("feeds", "add", server.url + "/rss.xml", "--db", url)
    code, _ = poll_json(url)
    assert code == 0
    doc = documents(url)["Shelling reported in Darat Izza"]
    from marsad.store.models import Original

    with sqlite_store.reading() as session:
        original = session.get(Original, doc.id)
        entries = (
            session.execute(select(LedgerEntry).where(LedgerEntry.subject_id == doc.id))
            .scalars()
            .all()
        )
    assert original is not None
    entry = json.loads(original.content)
    assert entry["id"] == "jwb-102" and entry["link"] == "https://bulletin.example.org/notes/102"
    assert [e.action for e in entries] == ["ingest"]
    code, output = marsad("verify", "--db", url)
    assert code == 0, output


def test_a_changed_feed_stores_only_what_is_new(sqlite_store: Store, server: Server) -> None:
    url = sqlite_store.url
    marsad("feeds", "add", server.url + "/rss.xml", "--db", url)
    assert poll_json(url)[1]["stored"] == 2
    # the feed gains an item, and an old item is corrected (same guid, new text)
    changed = RSS.replace("</channel>", EXTRA_ITEM).replace("injuring three", "injuring four")
    server.routes["/rss.xml"] = Route(changed.encode(), etag='"rss-v2"')
    code, report = poll_json(url)
    assert code == 0, report
    assert report["stored"] == 2 and report["duplicates"] == 1
    store = Store(url)
    try:
        with store.reading() as session:
            texts = session.execute(select(Document.text)).scalars().all()
    finally:
        store.close()
    # the correction is kept beside the first version
    assert sum("Darat Izza" in t for t in texts) == 2
    assert sum("injuring four" in t for t in texts) == 1
    # a server that ignores validators sends the whole feed: nothing is stored twice
    server.routes["/rss.xml"] = Route(changed.encode())
    code, report = poll_json(url)
    assert code == 0 and report["stored"] == 0 and report["duplicates"] == 3
    assert count(url, Document) == 4


def test_feed_items_can_be_extracted(sqlite_store: Store, server: Server) -> None:
    url = sqlite_store.url
    marsad("feeds", "add", server.url + "/atom.xml", "--db", url)
    assert poll_json(url)[0] == 0
    code, output = marsad("process", "--db", url, "--json")
    assert code == 0, output
    assert json.loads(output)["claims"] >= 2


# -- bad feeds --------------------------------------------------------------------------------


def test_bad_feeds_are_named_and_the_others_still_polled(
    sqlite_store: Store, server: Server
) -> None:
    url = sqlite_store.url
    server.routes.update(
        {
            "/page": Route(HTML_PAGE.encode(), content_type="text/html"),
            "/plain": Route(b"just some words, no markup", content_type="text/plain"),
            "/bomb.xml": Route(BILLION_LAUGHS.encode()),
            "/xxe.xml": Route(EXTERNAL_ENTITY.encode()),
            "/slow.xml": Route(RSS.encode(), delay=1.5),
            "/gone.xml": Route(b"gone", status=410),
        }
    )
    bad = {
        "/page": "an HTML page, not an RSS or Atom feed",
        "/plain": "not an RSS or Atom feed: not XML",
        "/bomb.xml": "refused: the XML declares entities",
        "/xxe.xml": "refused: the XML declares entities",
        "/slow.xml": "timed out after 0.3 s",
        "/gone.xml": "HTTP 410 Gone",
        "/missing.xml": "HTTP 404 Not Found",
    }
    for path in [*bad, "/atom.xml"]:
        assert marsad("feeds", "add", server.url + path, "--db", url)[0] == 0
    code, report = poll_json(url, "--timeout", "0.3")
    assert code == 1
    assert report["stored"] == 2  # the Atom feed's two entries
    errors = report["errors"]
    assert isinstance(errors, list) and len(errors) == len(bad)
    for path, reason in bad.items():
        assert any(e.startswith(f"{server.url}{path}: {reason}") for e in errors), (path, errors)

    code, output = marsad("feeds", "list", "--db", url, "--json")
    listed = {f["location"].removeprefix(server.url): f for f in json.loads(output)}
    assert listed["/atom.xml"]["status"] == "ok" and listed["/atom.xml"]["documents"] == 2
    assert listed["/bomb.xml"]["status"] == "error"
    assert listed["/bomb.xml"]["error"].startswith("refused: the XML declares entities")


def test_no_feed_readable_is_exit_2(sqlite_store: Store, server: Server) -> None:
    url = sqlite_store.url
    assert marsad("feeds", "poll", "--db", url)[0] == 2  # none followed
    marsad("feeds", "add", server.url + "/missing.xml", "--db", url)
    code, output = marsad("feeds", "poll", "--db", url)
    assert code == 2
    assert "HTTP 404" in output


def test_an_entity_expansion_is_refused_before_any_parser_expands_it() -> None:
    with pytest.raises(FeedError, match="declares entities"):
        parse_feed(BILLION_LAUGHS.encode())
    # not well-formed as well: the loose parser must not see the declarations either
    broken = BILLION_LAUGHS.replace("</channel>", "<unclosed></channel>")
    with pytest.raises(FeedError, match="declares entities"):
        parse_feed(broken.encode())


def test_an_item_without_text_is_named_and_the_rest_go_in() -> None:
    feed = RSS.replace(
        "<item>", "<item><title>Empty</title><guid>jwb-100</guid></item>\n  <item>", 1
    )
    parsed = parse_feed(feed.encode())
    assert len(parsed.entries) == 2
    assert parsed.errors == ["item 1 (jwb-100): has no text (neither content nor summary)"]


# -- feeds on disk, and adding ------------------------------------------------------------------


def test_a_feed_file_is_read_from_disk(sqlite_store: Store, tmp_path: Path) -> None:
    url = sqlite_store.url
    path = tmp_path / "bulletin.xml"
    path.write_text(ATOM, encoding="utf-8")
    code, output = marsad("feeds", "add", str(path), "--db", url, "--json")
    assert code == 0, output
    added = json.loads(output)
    assert added["kind"] == "file" and added["location"] == str(path.resolve())
    assert poll_json(url)[1]["stored"] == 2
    assert poll_json(url)[1]["duplicates"] == 2
    path.unlink()
    code, report = poll_json(url)
    assert code == 2
    assert report["errors"] == [f"{path.resolve()}: no such file"]
    assert count(url, Document) == 2


def test_adding_twice_or_adding_nonsense(sqlite_store: Store, tmp_path: Path) -> None:
    url = sqlite_store.url
    assert marsad("feeds", "add", "https://bulletin.example.org/rss", "--db", url)[0] == 0
    code, output = marsad("feeds", "add", "https://bulletin.example.org/rss", "--db", url)
    assert code == 0 and "already followed" in output
    for nonsense in ("ftp://bulletin.example.org/rss", str(tmp_path / "nowhere.xml"), "https://"):
        code, output = marsad("feeds", "add", nonsense, "--db", url)
        assert code == 2, (nonsense, output)
    code, output = marsad("feeds", "list", "--db", url, "--json")
    assert [f["location"] for f in json.loads(output)] == ["https://bulletin.example.org/rss"]
    assert json.loads(output)[0]["status"] == "new"


def test_the_migration_goes_down_and_up(store_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from marsad.store.db import alembic_config

    Store(store_url).close()
    command.downgrade(alembic_config(store_url), "0008")
    store = Store(store_url, migrate=False)
    try:
        assert "feeds" not in inspect(store.engine).get_table_names()
    finally:
        store.close()
    store = Store(store_url)  # opening migrates to the newest revision again
    try:
        assert {"feeds", "feed_items"} <= set(inspect(store.engine).get_table_names())
    finally:
        store.close()


def test_an_encrypted_store_seals_where_its_feeds_are(tmp_path: Path, server: Server) -> None:
    from marsad.ingest.feeds import add, poll_feeds
    from marsad.store.crypto import StoreKey
    from marsad.store.feeds import list_feeds

    path = tmp_path / "sealed.db"
    key = StoreKey.generate()
    store = Store(f"sqlite:///{path}", key=key)
    try:
        add(store, server.url + "/rss.xml")
        report = poll_feeds(store, actor="feed-test", max_bytes=10**6)
        assert report.stored == 2 and report.exit_code == 0
        assert [f.location for f in list_feeds(store)] == [server.url + "/rss.xml"]
    finally:
        store.close()
    raw = path.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("sealed.db-*"))
    assert b"/rss.xml" not in raw  # neither the feed's row nor the documents' names and extras
    assert b"Jabal Watch Bulletin" in raw  # the source's name is plain, like every source's
