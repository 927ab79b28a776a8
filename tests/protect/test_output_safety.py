"""Output safety: only http/https URLs become links (dashboard pages, the brief as HTML,
Markdown and PDF), the brief's HTML carries a strict Content-Security-Policy, and the Markdown
brief quotes hostile text as text.

The hostile values go in the way an attacker would send them, as front matter of ingested
reports, and come out through ``marsad brief`` and every dashboard page. All reports, names
and places' stories here are invented for the tests."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from typer.testing import CliRunner

from marsad.cli import app
from marsad.contract.incident import IncidentFilter
from marsad.protect.links import safe_link
from marsad.publish.brief import BRIEF_CSP, css_string
from marsad.publish.markdown import md_code, md_text, md_url
from marsad.store import Store
from marsad.web import create_app
from marsad.web.app import iter_routes

runner = CliRunner()

REFUSED = [
    "javascript:alert(4)",
    "JAVASCRIPT:alert(4)",
    " JavaScript:alert(5)",
    "java\tscript:alert(6)",
    "java\nscript:alert(6)",
    "\x01javascript:alert(6)",
    "&#106;avascript:alert(7)",
    "&#x6A;avascript:alert(7)",
    "data:text/html;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/steal",
    "/relative/page",
    "relative/page",
    "evil.example/page",
    "https:evil.example",
    "https:/evil.example",
    "https:///no-host",
    "http://",
    "https://evil.example\\@good.example",
    "https://exa\u200bmple.org/",
    "https://example.org/\u202egnp.exe",
    "https://example.org/a b",
    "https://example.org:99999/",
    "https://" + "a" * 3000 + ".example",
    "",
    "   ",
    None,
    42,
]
GOOD = "https://example.org/report?a=1&b=(2)"


@pytest.mark.parametrize("url", REFUSED, ids=repr)
def test_safe_link_refuses_all_but_absolute_web_urls(url: object) -> None:
    assert safe_link(url) is None


@pytest.mark.parametrize(
    ("url", "link"),
    [
        (GOOD, GOOD),
        ("HTTP://Example.org", "HTTP://Example.org"),
        ("  https://example.org/x  ", "https://example.org/x"),
        ("https://example.org:8443/تقرير", "https://example.org:8443/تقرير"),
    ],
)
def test_safe_link_keeps_web_urls(url: str, link: str) -> None:
    assert safe_link(url) == link


# -- Markdown quoting ----------------------------------------------------------------------


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _walk(token.children or [])


def _one_line(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]+", " ", text).strip()


HOSTILE_TEXTS = [
    "[<svg onload=alert(1)>](javascript:alert(2))",
    "<script>alert(3)</script>",
    "<javascript:alert(4)>",
    "# heading? no",
    "- not a list | a | table",
    "1. not an item",
    "*em* **strong** _u_ __uu__ `code` ~~gone~~",
    "![img](https://example.org/x.png)",
    "&#106;avascript: &amp; &lt;b&gt;",
    "a\nb\r\n# c\n\n    d",
    "{{MAP}} {{TIMELINE}}",
    "back\\slash\\",
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_md_text_is_plain_text_when_rendered(text: str) -> None:
    tokens = _markdown().parse(md_text(text))
    kinds = [t.type for t in _walk(tokens)]
    assert kinds == ["paragraph_open", "inline", "text", "paragraph_close"], kinds
    assert tokens[1].children and tokens[1].children[0].content == _one_line(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_md_text_renders_to_exactly_its_characters(text: str) -> None:
    expected = _one_line(text)
    tokens = _markdown().parse(md_text(text))
    inline = [t for t in tokens if t.type == "inline"]
    if not expected:
        assert not inline
        return
    children = inline[0].children or []
    assert [c.type for c in children] == ["text"]
    assert children[0].content == expected


def test_md_text_keeps_a_table_cell_whole() -> None:
    left, right = md_text("left | right"), md_text("two\nlines")
    row = f"| {left} | {right} |"
    tokens = _markdown().parse(f"| a | b |\n|---|---|\n{row}\n")
    cells = [t.children[0].content for t in _walk(tokens) if t.type == "inline" and t.children]
    assert cells == ["a", "b", "left | right", "two lines"]


@pytest.mark.parametrize("code", ["plain", "a`b", "``x``", "`", 'area "x` y"'])
def test_md_code_holds_any_backticks(code: str) -> None:
    tokens = list(_walk(_markdown().parse(md_code(code))))
    spans = [t for t in tokens if t.type == "code_inline"]
    assert len(spans) == 1 and spans[0].content == code


def test_md_url_is_the_whole_target_or_nothing() -> None:
    target = md_url("https://example.org/a_(b)?c=1&d=|x|`y`<z>")
    tokens = list(_walk(_markdown().parse(f"[name]({target})")))
    links = [t for t in tokens if t.type == "link_open"]
    assert len(links) == 1
    # markdown-it percent-encodes what a URL may not hold; the characters are the same
    assert links[0].attrs["href"] == "https://example.org/a_(b)?c=1&d=%7Cx%7C%60y%60%3Cz%3E"
    assert md_url("javascript:alert(1)") == ""


def test_css_string_cannot_leave_the_string_or_the_style() -> None:
    quoted = str(css_string('Brief "x"; } </style><script>alert(1)</script> \\ مرصد'))
    assert not re.search(r"[\"'<>;{}]", quoted.replace("\\", "")) and "مرصد" in quoted


# -- hostile reports through ingest, resolve and the brief ---------------------------------

EVENTS = {
    "ariha": "An air strike hit the vegetable market in the town of Ariha in Idlib governorate "
    "on 6 October 2023, killing 7 civilians and wounding 15 others, rescuers said.",
    "darat": "Shelling struck homes in the town of Darat Izza in Aleppo governorate on 9 October "
    "2023, killing 3 civilians including a child, a local council said.",
    "binnish": "An air strike hit a school in the town of Binnish in Idlib governorate on 11 "
    "October 2023, killing 4 civilians and wounding 9, a teacher said.",
}
# (event, title, source or None, url), each a YAML double-quoted scalar
HOSTILE_REPORTS = [
    (
        "ariha",
        "<svg onload=alert(1)>[click me](javascript:alert(2)) *bold*",
        "Alpha | Monitor\\n# Heading [x](javascript:alert(3))",
        "javascript:alert(4)",
    ),
    ("ariha", "Data report", "Beta `Wire` _News_", "data:text/html;base64,PHN2Zz4="),
    ("ariha", "Relative report", "Gamma ~~Post~~ <b>", "//evil.example/steal"),
    ("darat", "Second <b>bold</b> | piped", "<img src=x onerror=alert(8)>", " JavaScript:alert(5)"),
    ("darat", "Entity report", "Delta &amp; Co", "&#106;avascript:alert(7)"),
    ("darat", "VB report", "Epsilon\\r\\n| --- |", "vbscript:msgbox(1)"),
    ("binnish", "[<svg onload=alert(9)>](javascript:alert(10))", None, "java\\tscript:alert(6)"),
    ("binnish", "Honest report", "Honest Monitor", GOOD),
]
HOSTILE_TITLE = 'Brief <script>alert(11)</script> "quoted" [x](javascript:alert(12))'


def _report(event: str, title: str, source: str | None, url: str) -> str:
    lines = ["---", f'title: "{title}"', f'url: "{url}"', "published: 2023-10-12"]
    if source is not None:
        lines.append(f'source: "{source}"')
    lines += ["language: en", "sensitivity: public", "---", EVENTS[event], ""]
    return "\n".join(lines)


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@dataclass
class Hostile:
    url: str
    names: list[str] = field(default_factory=list)  # source names as the brief quotes them


@pytest.fixture
def hostile(store_url: str, tmp_path: Path) -> Hostile:
    folder = tmp_path / "reports"
    folder.mkdir()
    for n, report in enumerate(HOSTILE_REPORTS):
        (folder / f"report-{n}.md").write_text(_report(*report), encoding="utf-8")
    _cli("process", str(folder), "--db", store_url)
    _cli("resolve", "--db", store_url)
    store = Store(store_url)
    try:
        names = [
            s.source or s.title or ""
            for view in store.iter_incidents(IncidentFilter(max_sensitivity="restricted"))
            for s in view.sources
        ]
    finally:
        store.close()
    assert len(names) == len(HOSTILE_REPORTS)  # every report reached an incident
    return Hostile(store_url, names)


def _approve_free_text(url: str) -> None:
    """Let titles, excerpts and links into public outputs, as an analyst could."""
    store = Store(url)
    try:
        for view in store.iter_incidents(IncidentFilter(max_sensitivity="restricted")):
            for s in view.sources:
                for name, text in (("title", s.title), ("excerpt", s.excerpt), ("url", s.url)):
                    if text and text.strip():
                        store.approve_text(text, field=name, actor="analyst-test")
    finally:
        store.close()


def _brief(h: Hostile, tmp_path: Path, fmt: str, level: str) -> tuple[Path, int]:
    out = tmp_path / f"brief-{level}.{fmt}"
    args = ["brief", "--from", "2023-10-01", "--to", "2023-10-31", "--format", fmt]
    args += ["-o", str(out), "--include-unreviewed", "--title", HOSTILE_TITLE, "--json"]
    if level == "restricted":
        args += ["--include", "restricted"]
    else:
        _approve_free_text(h.url)
    output = _cli(*args, "--db", h.url)
    incidents = json.loads(output[output.index("{") :])["incidents"]
    assert incidents >= 1
    return out, int(incidents)


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the document's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster"}


def _assert_markup_safe(page: _Elements, *, site: bool) -> list[str]:
    """No script, no event handler, no embedded or remote content; every URL attribute is a
    web link (or, on the ``site``, a path on it). Returns the links."""
    links = []
    for tag, attrs in page.tags:
        assert tag not in {"script", "iframe", "object", "embed", "base", "img"}, tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in URL_ATTRIBUTES & attrs.keys():
            value = attrs[name]
            on_site = site and re.match(r"[/?#](?![/\\])", value) is not None
            assert on_site or safe_link(value) == value, (tag, name, value)
            if name == "href" and not on_site:
                links.append(value)
    return links


@pytest.mark.parametrize("level", ["restricted", "public"])
def test_html_brief_links_only_web_urls_under_a_strict_policy(
    hostile: Hostile, tmp_path: Path, level: str
) -> None:
    out, _ = _brief(hostile, tmp_path, "html", level)
    html = out.read_text(encoding="utf-8")
    page = _elements(html)
    assert _assert_markup_safe(page, site=False) == [GOOD]
    policies = [
        a["content"]
        for tag, a in page.tags
        if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"
    ]
    assert policies == [BRIEF_CSP]
    assert "default-src 'none'" in BRIEF_CSP and "script-src" not in BRIEF_CSP
    assert html.index("Content-Security-Policy") < html.index("<style>")
    text = " ".join(page.text)
    for name in hostile.names:  # the hostile names are there, as text
        assert _one_line(name) in " ".join(text.split())
    assert "javascript:alert(4)" not in re.findall(r'href="([^"]*)"', html)


@pytest.mark.parametrize("level", ["restricted", "public"])
def test_markdown_brief_has_no_link_or_html_from_hostile_values(
    hostile: Hostile, tmp_path: Path, level: str
) -> None:
    out, incidents = _brief(hostile, tmp_path, "md", level)
    text = out.read_text(encoding="utf-8")
    tokens = list(_walk(_markdown().parse(text)))
    assert not [t for t in tokens if t.type in {"html_block", "html_inline"}]
    assert [t.attrs["href"] for t in tokens if t.type == "link_open"] == [
        "https://example.org/report?a=1&b=(2)"
    ]
    assert [t.attrs["src"] for t in tokens if t.type == "image"] == [
        "brief-" + level + "-map.svg",
        "brief-" + level + "-timeline.svg",
    ]
    headings = [t for t in tokens if t.type == "heading_open"]
    assert headings[0].tag == "h1" and all(h.tag != "h1" for h in headings[1:])
    title = tokens[tokens.index(headings[0]) + 1].children or []
    assert [t.content for t in title] == [_one_line(HOSTILE_TITLE)]
    rows = [t for t in tokens if t.type == "tr_open"]
    cells = [t for t in tokens if t.type in {"td_open", "th_open"}]
    assert len(rows) == incidents + 1 and len(cells) == 7 * len(rows)
    quoted = " ".join(t.content for t in tokens if t.type == "text")
    for name in hostile.names:
        assert _one_line(name) in quoted


def test_pdf_brief_links_only_web_urls(hostile: Hostile, tmp_path: Path) -> None:
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

    out, _ = _brief(hostile, tmp_path, "pdf", "restricted")
    reader = PdfReader(out)
    actions = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None:
                actions.append((str(action.get("/S")), str(action.get("/URI", ""))))
    assert actions and {kind for kind, _ in actions} == {"/URI"}
    assert {uri for _, uri in actions} == {GOOD}
    root = reader.trailer["/Root"]
    assert isinstance(root, DictionaryObject) and "/OpenAction" not in root
    names = root.get("/Names")
    assert not isinstance(names, DictionaryObject) or "/JavaScript" not in names
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Honest Monitor" in text and "Alpha | Monitor" in text
    # the page footer repeats the title from inside <style>, as written
    assert f"{HOSTILE_TITLE} · 2023-10-01 to 2023-10-31 · 1/" in text


# -- the dashboard -------------------------------------------------------------------------


def _pages(client: TestClient, headers: dict[str, str], ids: dict[str, list[str]]) -> list[str]:
    """Every page of the dashboard, for each incident and document."""
    paths: list[str] = []
    for template, methods in iter_routes(client.app):  # type: ignore[arg-type]
        if "GET" not in methods or template.startswith(("/api", "/static")):
            continue
        params = re.findall(r"{(\w+)}", template)
        if not params:
            paths += [template, f"{template}?from=2023-10-01&to=2023-10-31"]
        elif params == ["incident_id"] or params == ["document_id"]:
            paths += [template.replace(f"{{{params[0]}}}", v) for v in ids[params[0]]]
    pages = []
    for path in paths:
        response = client.get(path, headers=headers, follow_redirects=False)
        assert response.status_code < 500, path
        if response.headers.get("content-type", "").startswith("text/html"):
            pages.append(response.text)
    return pages


@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_dashboard_links_only_web_urls(hostile: Hostile, who: str) -> None:
    store = Store(hostile.url)
    try:
        if who == "admin":
            store.add_user("nadia_admin", "a-long-test-pass-7", "admin", actor="setup")
            token = store.create_token("nadia_admin", actor="setup")
            headers = {"Authorization": f"Bearer {token}"}
        else:
            headers = {}
        views = list(store.iter_incidents(IncidentFilter(max_sensitivity="restricted")))
    finally:
        store.close()
    if who == "anonymous":
        _approve_free_text(hostile.url)
    ids = {
        "incident_id": [str(v.id) for v in views],
        "document_id": sorted({s.document_id for v in views for s in v.sources if s.document_id}),
    }
    with TestClient(create_app(hostile.url, public_read=True)) as client:
        pages = _pages(client, headers, ids)
    assert len(pages) > len(ids["incident_id"]) + 2
    links = [link for html in pages for link in _assert_markup_safe(_elements(html), site=True)]
    assert links and set(links) == {GOOD}  # the one good link on its incident and document
    everything = "\n".join(pages)
    for name in hostile.names:  # the hostile values reached the pages, escaped
        if "<" in name:
            assert name.replace("<", "&lt;").split(">")[0] in everything
