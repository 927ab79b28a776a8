"""The leak scan: no protected person's name, in any form, reaches a public output.

A store is built from the invented corpus in ``leak_corpus`` (30 protected people, 55 reports):
ingested, extracted, resolved, the people named by an analyst, half the incidents confirmed.
Then every public output is scanned: each export format, the brief in every format and both
languages, and every GET route of the web app (enumerated from ``app.routes``, with every real
id and every page) for a signed-in viewer and for anonymous visitors with public read on.

The checker here is deliberately independent of ``marsad.protect``: a few regular expressions
over a folded copy of the output (case, accents, spacing, hyphens, zero-width characters,
Arabic letter variants and diacritics, HTML entities, JSON escapes and percent-encoding undone).
It is stricter than a masker needs to be: a given name alone counts as a hit.

Alerts are scanned too: every incident alerted and delivered to a local webhook and a command,
the alert list at each clearance, and the reviewers' alert page.
"""

from __future__ import annotations

import html
import inspect
import json
import re
import sys
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus, urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import Mount
from typer.main import get_command
from typer.testing import CliRunner

import leak_corpus as corpus
from marsad.cli import app as cli_app
from marsad.config import database_url
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.resolve import resolve_store
from marsad.store import Store
from marsad.store.models import Document, Incident
from marsad.web import create_app
from marsad.web.app import iter_routes
from marsad.web.auth import SESSION_COOKIE

ANALYST = "analyst-1"
VIEWER = "viewer_leakscan"
PERIOD = ("2023-10-01", "2023-11-30")
UNREVIEWED_FLAG = "--include-unreviewed"
PAGE_LIMIT = "7"  # small pages, so that paging itself is exercised
MAX_PAGES = 40

# -- the checker ---------------------------------------------------------------------------

_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ئ": "ي", "ؤ": "و", "ة": "ه"}
)
_LATIN_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SEP = r"[\s\-_.+]*"  # what may stand between the parts of a name, nothing included
_ARTICLE = rf"(?:(?:al|el|ul){_SEP})?"
_LATIN_EDGE_BEFORE, _LATIN_EDGE_AFTER = r"(?<![a-z])", r"(?![a-z])"
_AR_EDGE_BEFORE, _AR_EDGE_AFTER = r"(?<![\u0621-\u064a])", r"(?![\u0621-\u064a])"
_AR_PREFIX = r"(?:[وفبلك]{1,2})?"  # conjunctions and prepositions written onto the next word


def fold(text: str) -> str:
    """Case, accents, invisible characters, Arabic diacritics and letter variants removed."""
    text = unicodedata.normalize("NFKC", text)  # also NBSP -> space, presentation forms
    text = _INVISIBLE.sub("", text)
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    text = _LATIN_MARKS.sub("", unicodedata.normalize("NFD", text))
    return text.casefold()


def decode(text: str) -> str:
    """The output as a reader would see it once entities, escapes and %-encoding are undone."""
    text = html.unescape(text)
    text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return unquote_plus(text)


def _arabic_name(form: str) -> str:
    words = [re.escape(w) for w in fold(form).split()]
    return _AR_EDGE_BEFORE + _AR_PREFIX + r"[\s\-_]*".join(words) + _AR_EDGE_AFTER


def person_pattern(p: corpus.Person) -> re.Pattern[str]:
    """Every form of ``p`` the checker looks for, longest alternatives first."""
    families = "|".join(re.escape(fold(s)) for s in p.family_spellings)
    given = re.escape(fold(p.given))
    arabic_core = fold(p.arabic.split()[-1]).removeprefix("ال")
    alternatives = [
        rf"{_LATIN_EDGE_BEFORE}{given}{_SEP}{_ARTICLE}(?:{families}){_LATIN_EDGE_AFTER}",
        rf"{_LATIN_EDGE_BEFORE}{_ARTICLE}(?:{families}){_LATIN_EDGE_AFTER}",
        rf"{_LATIN_EDGE_BEFORE}{given}{_LATIN_EDGE_AFTER}",
        *(_arabic_name(a) for a in sorted(p.aliases, key=len, reverse=True)),
        _AR_EDGE_BEFORE + _AR_PREFIX + "(?:ال)?" + re.escape(arabic_core) + _AR_EDGE_AFTER,
    ]
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


@dataclass(frozen=True)
class Hit:
    output: str
    person: str
    found: str
    context: str

    def __str__(self) -> str:
        return f"{self.output}: {self.person} {self.found!r} in …{self.context}…"


class LeakChecker:
    """Finds any form of any protected person's name in a text."""

    def __init__(self, people: tuple[corpus.Person, ...]) -> None:
        self.people = [(p.name, person_pattern(p), literals(p)) for p in people]

    def scan(self, output: str, text: str) -> list[Hit]:
        # decoding only turns entities, escapes and %-sequences into the characters they
        # stand for, so the decoded text holds every form the raw text holds
        view = fold(decode(text))
        hits: dict[tuple[str, str, str], Hit] = {}
        for name, pattern, words in self.people:
            if not any(w in view for w in words):
                continue  # every form holds one of these words: no need for the pattern
            for m in pattern.finditer(view):
                context = view[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ")
                hits.setdefault((name, m.group(0), context), Hit(output, name, m.group(0), context))
        return list(hits.values())


def literals(p: corpus.Person) -> tuple[str, ...]:
    """Words one of which each form in :func:`person_pattern` contains."""
    arabic_core = fold(p.arabic.split()[-1]).removeprefix("ال")
    firsts = [fold(a).split()[0] for a in p.aliases]
    return tuple({fold(p.given), *(fold(s) for s in p.family_spellings), arabic_core, *firsts})


CHECKER = LeakChecker(corpus.PEOPLE)


def describe(hits: list[Hit], limit: int = 25) -> str:
    by_output = Counter(h.output for h in hits)
    table = "\n".join(f"  {n:4d}  {out}" for out, n in by_output.most_common())
    examples = "\n".join(f"  {h}" for h in hits[:limit])
    return f"{len(hits)} hits\n{table}\nfirst hits:\n{examples}"


# -- the store ------------------------------------------------------------------------------


@dataclass
class Built:
    url: str
    folder: Path
    viewer_session: str
    extracted_names: set[str]
    incident_ids: list[int]
    confirmed: list[int]
    document_ids: list[str]
    person_ids: list[int]


def name_people(store: Store) -> None:
    """The analyst names every person, the Arabic forms as aliases (for a person the extractor
    already found this adds the aliases)."""
    for p in corpus.PEOPLE:
        store.add_protected_person(p.name, aliases=p.aliases, role=p.role, actor=ANALYST)


def build_store(folder: Path, url: str, reports: list[corpus.Report], *, review: bool) -> Built:
    corpus.write_corpus(folder / "reports", reports)
    store = Store(url)
    try:
        ingested = ingest_paths(store, [folder / "reports"], actor=ANALYST, max_bytes=10**7)
        assert not ingested.errors, ingested.errors
        assert ingested.stored == len(reports)
        extract_documents(store, actor=ANALYST)
        extracted = {p.name for p in store.protected_persons("public")}
        resolve_store(store, actor=ANALYST)
        name_people(store)
        persons = sorted(p.id for p in store.protected_persons("public"))
        with store.reading() as session:
            incidents = sorted(session.execute(select(Incident.id)).scalars())
            documents = sorted(session.execute(select(Document.id)).scalars())
        confirmed = incidents[::2] if review else []
        for iid in confirmed:
            store.confirm_incident(iid, actor=ANALYST, note="checked against the sources")
        account = store.add_user(VIEWER, "leak-scan-pass-1", "viewer", actor="setup")
        session_token = store.open_session(account)
    finally:
        store.close()
    return Built(url, folder, session_token, extracted, incidents, confirmed, documents, persons)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("leak")
    return build_store(
        folder, database_url(str(folder / "leak.db")), corpus.build_reports(), review=True
    )


# -- the command line -------------------------------------------------------------------------


def cli_has_option(command: str, option: str) -> bool:
    group = get_command(cli_app)
    cmd = group.commands[command]  # type: ignore[attr-defined]
    return any(option in getattr(p, "opts", ()) for p in cmd.params)


def run_cli(args: list[str]) -> None:
    result = CliRunner().invoke(cli_app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def export_formats() -> tuple[str, ...]:
    from marsad.publish.export import FORMATS

    return FORMATS


def brief_formats() -> tuple[str, ...]:
    from marsad.publish.brief import BRIEF_FORMATS

    return BRIEF_FORMATS


def read_output(path: Path) -> str:
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    return path.read_text(encoding="utf-8")


def write_exports(url: str, out: Path) -> dict[str, Path]:
    flag = [UNREVIEWED_FLAG] if cli_has_option("export", UNREVIEWED_FLAG) else []
    files = {}
    for fmt in export_formats():
        path = out / f"export.{fmt}"
        run_cli(["export", "--format", fmt, "--db", url, "-o", str(path), *flag])
        files[f"marsad export --format {fmt}"] = path
    return files


def write_briefs(url: str, out: Path) -> dict[str, Path]:
    flag = [UNREVIEWED_FLAG] if cli_has_option("brief", UNREVIEWED_FLAG) else []
    files = {}
    for lang in ("en", "ar"):
        for fmt in brief_formats():
            path = out / f"brief-{lang}.{fmt}"
            args = ["brief", "--from", PERIOD[0], "--to", PERIOD[1], "--format", fmt]
            run_cli([*args, "--lang", lang, "--db", url, "-o", str(path), *flag])
            files[f"marsad brief --format {fmt} --lang {lang}"] = path
            if fmt == "md":  # the charts written beside the Markdown
                for svg in sorted(out.glob(f"brief-{lang}-*.svg")):
                    files[f"marsad brief --format md --lang {lang} ({svg.name[-11:]})"] = svg
    return files


def cli_stdout(args: list[str], *, allowed: tuple[int, ...] = (0,)) -> str:
    result = CliRunner().invoke(cli_app, args, env={"COLUMNS": "200"}, catch_exceptions=False)
    assert result.exit_code in allowed, result.output
    return result.stdout


def data_command_outputs(url: str, incident_ids: list[int]) -> dict[str, str]:
    """``marsad incidents list|show`` and ``documents list`` at public clearance, table and
    JSON; ``show`` of every incident (those not public end with exit 1 and print nothing)."""
    out: dict[str, str] = {}
    for level in ("public",):
        for form in ([], ["--json"]):
            tail = ["--include", level, "--db", url, *form]
            label = " ".join([level, *form])
            out[f"marsad incidents list ({label})"] = cli_stdout(
                ["incidents", "list", "--limit", "1000", *tail]
            )
            out[f"marsad documents list ({label})"] = cli_stdout(
                ["documents", "list", "--limit", "1000", *tail]
            )
            out[f"marsad incidents show ({label})"] = "\n".join(
                cli_stdout(["incidents", "show", str(i), *tail], allowed=(0, 1))
                for i in incident_ids
            )
    return out


def search_words() -> list[str]:
    """What the search outputs are asked: words beside the names in the reports, and the
    names themselves in Latin and Arabic (a hit on a hidden name would show where it is)."""
    words = ["clinic", "photograph", "rooftop", "appeal", "families", "فريقنا", "عائلة", "اسم"]
    for p in corpus.PEOPLE[:6]:
        words += [p.name, p.family, p.arabic]
    return words


def search_outputs(url: str) -> dict[str, str]:
    out = {}
    for word in search_words():
        args = ["search", word, "--json", "--limit", "100", "--db", url]
        result = CliRunner().invoke(cli_app, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        out[f"marsad search {word}"] = result.stdout
    # the scan means something only if the searches found reports
    assert any(json.loads(text)["items"] for text in out.values())
    return out


@pytest.fixture(scope="module")
def cli_outputs(built: Built) -> dict[str, str]:
    out = built.folder / "outputs"
    out.mkdir()
    files = {**write_exports(built.url, out), **write_briefs(built.url, out)}
    texts = {label: read_output(path) for label, path in files.items()}
    return {
        **texts,
        **data_command_outputs(built.url, built.incident_ids),
        **search_outputs(built.url),
    }


# -- the web app ------------------------------------------------------------------------------


@dataclass
class Crawl:
    hits: list[Hit] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    requests: int = 0


def get_routes(app: Any) -> list[str]:
    """Every GET route of the app, read from ``app.routes`` with the included routers walked
    (``iter_routes``), so that a route added later is scanned too."""
    return sorted(path for path, methods in iter_routes(app) if "GET" in methods)


def static_files(app: Any) -> list[str]:
    """Every file under the app's mounted static folders."""
    out = []
    for r in app.routes:
        directory = getattr(r.app, "directory", None) if isinstance(r, Mount) else None
        if directory:
            root = Path(directory)
            files = sorted(p for p in root.rglob("*") if p.is_file())
            out += [f"{r.path}/{p.relative_to(root)}" for p in files]
    return out


def path_values(built: Built) -> dict[str, list[str]]:
    return {
        "incident_id": [str(i) for i in built.incident_ids],
        "document_id": built.document_ids,
        "person_id": [str(i) for i in built.person_ids],
    }


def query_variants(template: str) -> list[dict[str, str]]:
    """The queries to ask a route with: every export format, every count dimension, both
    languages for pages, with and without unreviewed incidents for lists."""
    from marsad.publish.formats import FORMATS as EXPORT_FORMATS
    from marsad.store.reads import DIMENSIONS

    base: list[dict[str, str]] = [{"limit": PAGE_LIMIT}]
    if template == "/api/export":
        base = [{"format": f} for f in EXPORT_FORMATS]
    elif template == "/api/aggregates":
        base = [{"by": ",".join(DIMENSIONS), "reported": "true"}]
    elif template == "/api/claims":
        base = [{"limit": PAGE_LIMIT}, {"limit": PAGE_LIMIT, "scope": "aggregate"}]
    elif template == "/api/search":
        base = [{"q": w, "limit": "100"} for w in search_words()]
    elif template == "/":
        base = [{"limit": PAGE_LIMIT}] + [{"search": w} for w in search_words()]
    if not template.startswith("/api"):
        base = [{**q, "lang": lang} for q in base for lang in ("en", "ar")]
    if "{" not in template:
        base = base + [{**q, "include_unreviewed": "true"} for q in base]
    return base


def expand(template: str, values: dict[str, list[str]]) -> list[str]:
    paths = [template]
    for name in re.findall(r"{(\w+)(?::[^}]*)?}", template):
        paths = [
            re.sub(r"{" + name + r"(?::[^}]*)?}", v, p) for p in paths for v in values.get(name, [])
        ]
    return paths


_NEXT_LINK = re.compile(r'href="([^"]*cursor=[^"]*)"')


def next_pages(response: Any) -> list[str]:
    """Links to further pages: ``next_cursor`` in JSON, links with a cursor in HTML."""
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json"):
        body = response.json()
        cursor = body.get("next_cursor") if isinstance(body, dict) else None
        if not cursor:
            return []
        url = response.request.url
        params = dict(url.params)
        params["cursor"] = cursor
        return [f"{url.path}?{urlencode(params)}"]
    if kind.startswith("text/html"):
        return [html.unescape(m) for m in _NEXT_LINK.findall(response.text)]
    return []


def fetch(client: TestClient, template: str, url: str, label: str, crawl: Crawl) -> Any:
    response = client.get(url, follow_redirects=False)
    crawl.requests += 1
    crawl.visited.add(template)
    crawl.statuses[(template, response.status_code)] += 1
    if response.status_code >= 500:
        crawl.server_errors.append(f"{url} -> {response.status_code}")
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    crawl.hits += CHECKER.scan(f"GET {template} [{label}]", headers + "\n" + response.text)
    return response


def crawl_app(client: TestClient, built: Built, label: str) -> Crawl:
    crawl = Crawl()
    values = path_values(built)
    for template in get_routes(client.app):
        for path in expand(template, values):
            for query in query_variants(template):
                seen: set[str] = set()
                todo = [f"{path}?{urlencode(query)}"]
                while todo and len(seen) < MAX_PAGES:
                    url = todo.pop()
                    if url in seen:
                        continue
                    seen.add(url)
                    response = fetch(client, template, url, label, crawl)
                    todo += [u for u in next_pages(response) if u not in seen]
    for path in static_files(client.app):
        fetch(client, "/static", path, label, crawl)
    return crawl


@pytest.fixture(scope="module")
def crawls(built: Built) -> Iterator[dict[str, Crawl]]:
    out = {}
    with TestClient(create_app(built.url)) as client:
        client.cookies.set(SESSION_COOKIE, built.viewer_session)
        out["viewer"] = crawl_app(client, built, "viewer")
    with TestClient(create_app(built.url, public_read=True)) as client:
        out["anonymous, public read"] = crawl_app(client, built, "anonymous, public read")
    yield out


# -- tests: the corpus and the checker --------------------------------------------------------


def test_corpus_covers_every_form_for_every_person() -> None:
    reports = corpus.build_reports()
    assert 40 <= len(reports) <= 60
    assert {r.sensitivity for r in reports} == {"public", "internal", "restricted"}
    assert sum(r.language == "ar" for r in reports) >= 3
    needed = {"full", "surname", "title", "double space", "newline", "nbsp", "upper case"}
    needed |= {"hyphen", "variant", "variant surname", "article", "arabic"}
    for p in corpus.PEOPLE:
        mine = [m for r in reports for m in r.mentions if m.person == p.key]
        assert needed <= {m.form for m in mine if m.where == "body"}, p.name
        assert {"title", "file name", "url"} <= {m.where for m in mine}, p.name


def test_checker_finds_every_mention() -> None:
    for report in corpus.build_reports():
        for m in report.mentions:
            hits = CHECKER.scan("mention", m.text)
            assert corpus.BY_KEY[m.person].name in {h.person for h in hits}, m


def test_checker_finds_nothing_once_the_mentions_are_blanked() -> None:
    for report in corpus.build_reports():
        text = report.render() + "\n" + report.file_name
        for m in sorted(report.mentions, key=lambda m: len(m.text), reverse=True):
            text = text.replace(m.text, "█" * len(m.text))
        assert CHECKER.scan(report.file_name, text) == [], report.file_name


def test_checker_sees_through_encodings() -> None:
    samples = [
        "HUDA\u00a0QAS\u200bSEM",
        "huda_qassem.md",
        "https://example.org/%D9%87%D8%AF%D9%89-%D9%82%D8%A7%D8%B3%D9%85",
        json.dumps({"name": "هُدى قاسِم"}),  # ASCII-escaped, with diacritics
        "&#1607;&#1583;&#1609; &#1602;&#1575;&#1587;&#1605;",
        "Hüda Qāssem",
        "وبقاسم",
    ]
    for text in samples:
        assert {h.person for h in CHECKER.scan("sample", text)} == {"Huda Qassem"}, text


# -- tests: the store ---------------------------------------------------------------------------


def test_the_scans_can_include_unreviewed_incidents() -> None:
    """The scans below ask for unreviewed incidents too; without the option they would cover
    only the confirmed half and say nothing about the rest."""
    from marsad.publish.brief import build_brief
    from marsad.publish.export import export_incidents

    for function in (export_incidents, build_brief):
        assert "include_unreviewed" in inspect.signature(function).parameters, function
    assert cli_has_option("export", UNREVIEWED_FLAG)
    assert cli_has_option("brief", UNREVIEWED_FLAG)


def test_the_store_holds_what_the_scan_needs(built: Built) -> None:
    def same(name: str) -> str:
        return " ".join(name.split()).casefold()

    wanted = {same(p.name) for p in corpus.PEOPLE if p.extracted}
    found = {same(n) for n in built.extracted_names}
    assert wanted <= found, wanted - found
    assert len(built.incident_ids) >= 20
    assert 0 < len(built.confirmed) < len(built.incident_ids)
    assert len(built.document_ids) == len(corpus.build_reports())


# -- tests: the outputs -----------------------------------------------------------------------


def test_exports_and_briefs_hold_no_protected_name(cli_outputs: dict[str, str]) -> None:
    assert len(cli_outputs) >= len(export_formats()) + 2 * len(brief_formats())
    # not empty: a strike and its aftermath in one report are one incident, so the reports give
    # fewer incidents than claims
    assert len(cli_outputs["marsad export --format jsonl"].splitlines()) >= 10
    assert len(cli_outputs["marsad incidents list (public --json)"].splitlines()) >= 10
    assert cli_outputs["marsad incidents show (public)"].count("Incident ") >= 10
    hits = [h for label, text in cli_outputs.items() for h in CHECKER.scan(label, text)]
    assert not hits, describe(hits)


@pytest.mark.parametrize("audience", ["viewer", "anonymous, public read"])
def test_web_outputs_hold_no_protected_name(crawls: dict[str, Crawl], audience: str) -> None:
    crawl = crawls[audience]
    assert crawl.requests > 100
    assert not crawl.hits, describe(crawl.hits)


@pytest.mark.parametrize("audience", ["viewer", "anonymous, public read"])
def test_web_answers_no_server_error(crawls: dict[str, Crawl], audience: str) -> None:
    assert crawls[audience].server_errors == []


def test_the_crawl_would_see_names_if_they_were_served(built: Built) -> None:
    """The control: an analyst (cleared for everything) reading every document through the
    same route gets text in which the checker finds every person."""
    store = Store(built.url)
    try:
        store.add_user("analyst_leakscan", "leak-scan-pass-2", "analyst", actor="setup")
        token = store.create_token("analyst_leakscan", actor="setup")
    finally:
        store.close()
    found: set[str] = set()
    with TestClient(create_app(built.url)) as client:
        for doc in built.document_ids:
            response = client.get(
                f"/api/documents/{doc}", headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200
            found |= {h.person for h in CHECKER.scan("analyst", response.text)}
    assert found == {p.name for p in corpus.PEOPLE}


def test_every_get_route_was_visited(built: Built, crawls: dict[str, Crawl]) -> None:
    routes = set(get_routes(create_app(built.url)))
    assert {"/", "/api/incidents", "/incidents/{incident_id}"} <= routes
    for audience, crawl in crawls.items():
        assert routes - crawl.visited == set(), f"{audience}: not visited"
        # records were really served, not only refused
        ok = {t for (t, status), _ in crawl.statuses.items() if status == 200}
        assert {"/api/incidents/{incident_id}", "/documents/{document_id}"} <= ok, audience


# -- tests: a store where nothing is reviewed ---------------------------------------------------


@pytest.fixture(scope="module")
def unreviewed(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("unreviewed")
    reports = [r for r in corpus.build_reports() if r.sensitivity == "public"][:8]
    return build_store(folder, database_url(str(folder / "u.db")), reports, review=False)


def _rows(fmt: str, text: str) -> int:
    if fmt in ("geojson", "geojson-flat"):
        return len(json.loads(text)["features"])
    lines = [line for line in text.splitlines() if line.strip()]
    header = {"acled": 1, "ucdp": 1, "hxl": 2}.get(fmt, 0)
    return len(lines) - header


def test_nothing_reviewed_publishes_nothing(unreviewed: Built) -> None:
    assert unreviewed.incident_ids, "the reports should give incidents"
    out = unreviewed.folder / "out"
    out.mkdir()
    for fmt in export_formats():
        path = out / f"plain.{fmt}"
        run_cli(["export", "--format", fmt, "--db", unreviewed.url, "-o", str(path)])
        assert _rows(fmt, path.read_text(encoding="utf-8")) == 0, fmt
    brief = out / "brief.md"
    run_cli(
        ["brief", "--from", PERIOD[0], "--to", PERIOD[1], "--format", "md"]
        + ["--db", unreviewed.url, "-o", str(brief)]
    )
    text = brief.read_text(encoding="utf-8")
    assert re.search(r"\b(no|none|not yet)\b[^.\n]{0,80}review", text, re.IGNORECASE), text[:2000]


# -- alerts: payloads delivered, the list, the reviewers' page -----------------------------------


def _alert_rules(hook_url: str, sink: Path) -> str:
    copy = f"import sys; open({str(sink)!r}, 'ab').write(sys.stdin.buffer.read() + b'\\n')"
    return (
        "rules:\n"
        "  - name: every incident\n    when: {}\n"
        "  - name: threat against a protected person\n"
        "    when: [{protected_person: true}, {event_type: threat, protected_person: true}]\n"
        "  - name: two in a governorate in a month\n"
        "    when: {count_at_least: 2, within_hours: 720, per: admin1}\n"
        "deliver:\n"
        f"  - webhook: {hook_url}\n"
        f"  - webhook: {hook_url}\n    clearance: public\n"
        f"  - command: {json.dumps([sys.executable, '-c', copy])}\n"
    )


@pytest.fixture(scope="module")
def alert_outputs(built: Built) -> Iterator[dict[str, str]]:
    """Every incident alerted, delivered to a local webhook (at clearance internal and public)
    and to a command, then listed by the command line and shown on the reviewers' page."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    bodies: list[bytes] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            bodies.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder = built.folder / "alerts"
    folder.mkdir()
    sink, rules = folder / "command.jsonl", folder / "rules.yaml"
    rules.write_text(_alert_rules(f"http://127.0.0.1:{server.server_address[1]}/", sink))
    try:
        run_cli(["alerts", "rules", str(rules), "--db", built.url])
        run_cli(["alerts", "evaluate", "--db", built.url])
    finally:
        server.shutdown()
        server.server_close()
    out = {"webhook": b"\n".join(bodies).decode(), "command": sink.read_text(encoding="utf-8")}
    for level in ("public", "internal", "restricted"):
        result = CliRunner().invoke(
            cli_app,
            ["alerts", "list", "--json", "--limit", "5000", "--include", level]
            + ["--db", built.url],
        )
        assert result.exit_code == 0, result.output
        out[f"marsad alerts list --include {level}"] = result.output
    store = Store(built.url)
    try:
        store.add_user("analyst_alerts", "leak-scan-pass-3", "analyst", actor="setup")
        token = store.create_token("analyst_alerts", actor="setup")
    finally:
        store.close()
    with TestClient(create_app(built.url)) as client:
        for lang in ("en", "ar"):
            page = client.get(f"/alerts?lang={lang}", headers={"Authorization": f"Bearer {token}"})
            assert page.status_code == 200
            out[f"GET /alerts [analyst, {lang}]"] = page.text
    yield out


CLEARED = ("marsad alerts list --include restricted", "GET /alerts [analyst, en]")


def test_alerts_hold_no_protected_name(built: Built, alert_outputs: dict[str, str]) -> None:
    listed = [json.loads(x) for x in alert_outputs[CLEARED[0]].split("\n") if x]
    assert len(listed) >= len(built.incident_ids)  # every incident, and the window groups
    assert any(a["rule"] == "threat against a protected person" for a in listed)
    assert any(i["protected_person"] for a in listed for i in a.get("incidents", []))
    assert len(alert_outputs["webhook"].split("\n")) == 2 * len(listed)
    assert len(alert_outputs["command"].splitlines()) == len(listed)
    assert all(a["deliveries"] and all(d["ok"] for d in a["deliveries"]) for a in listed)
    # The control: some places the gazetteer found are spelled like protected surnames, so
    # readers cleared for restricted (analysts, who see everything as stored) are shown
    # names; every output below that clearance must have masked them.
    assert all(CHECKER.scan(label, alert_outputs[label]) for label in CLEARED)
    hits = [
        h
        for label, text in alert_outputs.items()
        if not label.startswith(CLEARED[0]) and "[analyst" not in label
        for h in CHECKER.scan(label, text)
    ]
    assert not hits, describe(hits)
