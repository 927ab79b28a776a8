"""Hostile input never stops an ingest batch: each bad item is named, every good one is stored.

Store-backed tests run on SQLite and on PostgreSQL (the ``store`` / ``store_url`` fixtures), so
a value one database accepts and the other refuses is caught here as a named rejection.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.contract.document import NewDocument
from marsad.ingest import limits
from marsad.ingest.html_text import html_to_text
from marsad.ingest.parse import IngestError, parse_file
from marsad.jobs.ingest import IngestReport, ingest_paths
from marsad.store import Store

runner = CliRunner()

GOOD_TEXT = "An air strike hit the bakery in Kafr Takharim on Tuesday morning."


def marsad(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def ingest(store: Store, *paths: Path, follow_symlinks: bool = False) -> IngestReport:
    return ingest_paths(
        store, list(paths), actor="tester", max_bytes=10**7, follow_symlinks=follow_symlinks
    )


def errors_for(report: IngestReport, name: str) -> list[str]:
    return [line for line in report.errors if f"{os.sep}{name}:" in line]


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "---\n" + "\n".join(lines) + "\n---\n" + GOOD_TEXT + "\n"


# -- parser failures -------------------------------------------------------------------------


def test_deep_json_and_jsonl_are_named_in_milliseconds_and_the_batch_goes_on(
    store: Store, tmp_path: Path
) -> None:
    (tmp_path / "a-deep.json").write_text("[" * 200_000, encoding="utf-8")
    (tmp_path / "b-deep.jsonl").write_text(
        json.dumps({"text": GOOD_TEXT}) + "\n" + '{"text": ' + "[" * 200_000 + "\n",
        encoding="utf-8",
    )
    (tmp_path / "c-objects.json").write_text('{"a":' * 100_000, encoding="utf-8")
    (tmp_path / "z-good.txt").write_text("Shelling hit Maarat Misrin at dawn.", "utf-8")
    started = time.perf_counter()
    report = ingest(store, tmp_path)
    assert time.perf_counter() - started < 5
    assert report.stored == 2  # the good JSONL line and z-good.txt
    (deep,) = errors_for(report, "a-deep.json")
    assert f"more than {limits.MAX_JSON_DEPTH} levels deep" in deep
    (line,) = errors_for(report, "b-deep.jsonl")
    assert "line 2: nests arrays or objects" in line
    assert "levels deep" in errors_for(report, "c-objects.json")[0]


def test_json_depth_limit_is_exact_and_ignores_brackets_in_strings(tmp_path: Path) -> None:
    depth = limits.MAX_JSON_DEPTH
    inner = "[" * (depth - 2) + "]" * (depth - 2)  # the record and its list make two levels
    (tmp_path / "at-limit.json").write_text(
        json.dumps({"text": GOOD_TEXT + " [[[[{{{{", "x": []})[:-2] + inner + "]}", "utf-8"
    )
    (doc,) = parse_file(tmp_path / "at-limit.json", max_bytes=10**6)
    assert isinstance(doc, NewDocument), doc
    assert not limits.json_too_deep(b"[" * depth + b"]" * depth)
    assert limits.json_too_deep(b"[" * (depth + 1) + b"]" * (depth + 1))
    # siblings do not add depth; only nesting does
    assert not limits.json_too_deep(b"[" + b"[[]]," * 10_000 + b"[]]")
    assert limits.json_too_deep(b'{"a":' * (depth + 1) + b"1" + b"}" * (depth + 1))
    assert not limits.json_too_deep(b'["' + b"[" * 1000 + b'"]')


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (RecursionError, "nested too deeply to parse"),
        (MemoryError, "too large to parse in the memory available"),
        (KeyError, "could not be parsed (KeyError"),
    ],
)
def test_any_parser_failure_is_a_named_rejection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: type[BaseException], reason: str
) -> None:
    def broken(markup: str) -> None:
        raise failure("parser gave up")

    monkeypatch.setattr("marsad.ingest.parse.html_to_text", broken)
    (tmp_path / "a.html").write_text("<p>Anything</p>", encoding="utf-8")
    (tmp_path / "b.txt").write_text(GOOD_TEXT, encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        report = ingest(store, tmp_path)
    finally:
        store.close()
    assert report.stored == 1
    assert errors_for(report, "a.html") and reason in errors_for(report, "a.html")[0]


# -- YAML front matter -----------------------------------------------------------------------


def test_billion_laughs_front_matter_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "laughs.md"
    path.write_text(billion_laughs(), encoding="utf-8")
    assert path.stat().st_size < 600
    started = time.perf_counter()
    (error,) = parse_file(path, max_bytes=10**6)
    assert time.perf_counter() - started < 1
    assert isinstance(error, IngestError) and "anchors or aliases" in error.reason


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ("source: &s Idlib Monitor\ntitle: plain", "anchors or aliases"),
        ("base: {a: 1}\nmore:\n  <<: *base", "anchors or aliases"),
        ("tags: " + "[" * 40 + "]" * 40, "more than 16 levels deep"),
        ("note: " + "x" * (limits.MAX_FRONT_MATTER_CHARS + 1), "character limit"),
        ("count: " + "9" * 5000, "not valid YAML"),
        ("title: !!python/object:os.system ls", "not valid YAML"),
        ('title: "Strike\\0 on a school"', "NUL character"),
        ("note: .inf", "only finite numbers"),
    ],
)
def test_front_matter_bounds_are_named(tmp_path: Path, front: str, reason: str) -> None:
    path = tmp_path / "report.md"
    path.write_text(f"---\n{front}\n---\n{GOOD_TEXT}\n", encoding="utf-8")
    (error,) = parse_file(path, max_bytes=10**6)
    assert isinstance(error, IngestError), error
    assert reason in error.reason


def test_ordinary_front_matter_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text(
        "---\ntitle: Market strike\nlanguage: en-GB\ntags: [market, idlib]\n---\n" + GOOD_TEXT,
        encoding="utf-8",
    )
    (doc,) = parse_file(path, max_bytes=10**6)
    assert isinstance(doc, NewDocument)
    assert doc.language == "en-gb" and doc.extra == {"tags": ["market", "idlib"]}


# -- the same limits on SQLite and PostgreSQL -----------------------------------------------


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ('{"text": "A strike\\u0000 on a school."}', "NUL character"),
        ('{"text": "A strike.", "title": "School\\u0000"}', "NUL character"),
        ('{"text": "A strike.", "note": {"deep": ["\\u0000"]}}', "NUL character"),
        ('{"text": "A strike on a school \\ud800."}', "unpaired UTF-16 surrogate"),
        ('{"text": "A strike.", "language": "abcdefghijklmnopq"}', "not a language code"),
        ('{"text": "A strike.", "language": "english (uk)"}', "not a language code"),
        ('{"text": "A strike.", "killed": 1e999}', "only finite numbers"),
        ('{"text": "A strike.", "killed": NaN}', "NaN or Infinity"),
        ('{"text": "A strike.", "killed": -Infinity}', "NaN or Infinity"),
        ('{"text": "A strike.", "source": "' + "S" * 301 + '"}', "300-character limit"),
        ('{"text": "A strike.", "published": "2023-02-30"}', "not an ISO date"),
        ('{"text": "A strike.", "published": "99999-01-01"}', "not an ISO date"),
    ],
)
def test_values_a_database_would_refuse_are_named_on_both(
    store: Store, tmp_path: Path, record: str, reason: str
) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(record + "\n" + json.dumps({"text": GOOD_TEXT}) + "\n", encoding="utf-8")
    report = ingest(store, path)
    assert report.stored == 1, report.errors
    (error,) = report.errors
    assert "line 1: " in error and reason in error, error
    assert "could not be stored" not in error  # never the database's own error


def test_language_codes_are_normalised_or_replaced_on_both(store: Store, tmp_path: Path) -> None:
    (tmp_path / "tagged.md").write_text(f"---\nlanguage: EN_gb\n---\n{GOOD_TEXT}\n", "utf-8")
    # a page's own lang attribute is a hint: a bad one gives way to detection, not a rejection
    (tmp_path / "page.html").write_text(
        '<html lang="abcdefghijklmnopqrstu"><body><p>قصف مدفعي استهدف مدينة سراقب.</p></body>'
        "</html>",
        encoding="utf-8",
    )
    report = ingest(store, tmp_path)
    assert report.stored == 2 and report.errors == []
    languages = {Path(d.original_name).name: d.language for d in store.iter_documents()}
    assert languages == {"tagged.md": "en-gb", "page.html": "ar"}


# -- exact originals -------------------------------------------------------------------------


def test_json_array_elements_keep_the_files_exact_bytes_crlf_and_all(
    store: Store, tmp_path: Path
) -> None:
    first = '{\r\n    "text": "قصف على سوق معرة النعمان",\r\n    "source": "Wire"\r\n  }'
    second = '{"text": "A drone struck a car near Atarib.",\r\n   "id": 7}'
    raw = ("\ufeff[\r\n  " + first + ",\r\n  " + second + "\r\n]\r\n").encode("utf-8")
    path = tmp_path / "batch.json"
    path.write_bytes(raw)
    report = ingest(store, path)
    assert report.stored == 2 and report.errors == []
    originals = sorted(store.original(d.id) or b"" for d in store.iter_documents())
    assert originals == sorted([first.encode("utf-8"), second.encode("utf-8")])
    for original in originals:
        assert original in raw and b"\r\n" in original
    doc = next(d for d in store.iter_documents() if d.extra.get("id") == 7)
    assert doc.extra["container_sha256"] == hashlib.sha256(raw).hexdigest()


def test_jsonl_line_original_is_the_lines_bytes(store: Store, tmp_path: Path) -> None:
    line = '{"text": "Shelling hit Ariha.",  "source": "Wire"}'
    path = tmp_path / "rows.jsonl"
    path.write_bytes(f"{line}\r\n\r\n{{broken\r\n".encode())
    report = ingest(store, path)
    assert report.stored == 1
    assert ["line 3: not valid JSON" in e for e in report.errors] == [True]
    (doc,) = store.iter_documents()
    assert store.original(doc.id) == line.encode() and doc.original_name.endswith("rows.jsonl#1")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('"just a string"', "expected a JSON object"),
        ('{"title": "no body"}', 'needs a non-empty "text"'),
        ('{"text": "A strike.", "published": "last week"}', "not an ISO date"),
        ('{"text": "A strike.", "sensitivity": "secret"}', "sensitivity 'secret'"),
        ("{not json", "not valid JSON"),
    ],
)
def test_every_jsonl_rejection_names_its_line(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"text": GOOD_TEXT}) + "\n\n" + line + "\n", encoding="utf-8")
    good, error = parse_file(path, max_bytes=10**6)
    assert isinstance(good, NewDocument) and isinstance(error, IngestError)
    assert error.reason.startswith("line 3: ") and reason in error.reason, error.reason


# -- links, unreadable paths ------------------------------------------------------------------


def make_links(tmp_path: Path) -> tuple[Path, Path]:
    """A drop folder with a link to a file outside it, a link to a folder outside it and a
    dangling link; returns (folder, the outside file)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("Private notes of the organisation, not a report.", encoding="utf-8")
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "report.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (drop / "passwd.txt").symlink_to(secret)
    (drop / "elsewhere").symlink_to(outside, target_is_directory=True)
    (drop / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (drop / "loop").symlink_to(drop, target_is_directory=True)
    return drop, secret


def test_symlinks_are_named_and_not_followed_by_default(store: Store, tmp_path: Path) -> None:
    drop, secret = make_links(tmp_path)
    report = ingest(store, drop)
    assert report.stored == 1 and report.errors == []
    reasons = dict(line.split(": ", 1) for line in report.skipped)
    assert set(reasons) == {str(drop / n) for n in ("elsewhere", "gone.txt", "loop", "passwd.txt")}
    assert reasons[str(drop / "passwd.txt")].startswith(f"symbolic link to {secret}, not followed")
    assert "--follow-symlinks" in reasons[str(drop / "elsewhere")]
    assert reasons[str(drop / "gone.txt")].startswith("dangling symbolic link")
    assert secret.read_bytes() not in [store.original(d.id) for d in store.iter_documents()]


def test_follow_symlinks_reads_targets_once_and_survives_a_loop(
    store: Store, tmp_path: Path
) -> None:
    drop, secret = make_links(tmp_path)
    report = ingest(store, drop, follow_symlinks=True)
    # passwd.txt and elsewhere/secret.txt are the same bytes: stored once, then a duplicate
    assert (report.stored, report.duplicates, report.errors) == (2, 1, [])
    assert any(line.startswith(f"{drop / 'gone.txt'}: dangling") for line in report.skipped)
    assert any("already walked" in line for line in report.skipped)
    assert secret.read_bytes() in [store.original(d.id) for d in store.iter_documents()]


def test_a_file_swapped_for_a_link_after_listing_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "late.txt"
    link.symlink_to(tmp_path / "target.txt")
    (tmp_path / "target.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (error,) = parse_file(link, max_bytes=10**6, follow_symlinks=False)
    assert isinstance(error, IngestError) and "symbolic link, not followed" in error.reason


def deny(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    """Make ``paths`` unreadable, also for root (who reads a chmod 000 folder regardless)."""
    for path in paths:
        path.chmod(0)
    if not any(_can_read(p) for p in paths):
        return
    real_scandir, real_open = os.scandir, os.open

    def refuse(path: str) -> None:
        if Path(path) in paths:
            raise PermissionError(13, "Permission denied", path)

    def scandir(path: str = ".") -> Iterator[os.DirEntry[str]]:
        refuse(os.fspath(path))
        return real_scandir(path)

    def open_(path: str, flags: int, mode: int = 0o777) -> int:
        refuse(os.fspath(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", open_)


def _can_read(path: Path) -> bool:
    try:
        if path.is_dir():
            os.listdir(path)
        else:
            path.read_bytes()
    except PermissionError:
        return False
    return True


def test_unreadable_folder_and_file_are_named(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "inside.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "sealed.txt").write_text("Shelling hit Binnish overnight.", encoding="utf-8")
    (tmp_path / "open.txt").write_text("Clashes near Tadif were reported.", encoding="utf-8")
    try:
        deny(monkeypatch, tmp_path / "locked", tmp_path / "sealed.txt")
        report = ingest(store, tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
        (tmp_path / "sealed.txt").chmod(0o644)
    assert report.stored == 1
    assert sorted(report.errors) == [
        f"{tmp_path / 'locked'}: folder could not be read: Permission denied",
        f"{tmp_path / 'sealed.txt'}: could not be read: Permission denied",
    ]


# -- exit status --------------------------------------------------------------------------


def test_exit_status_is_2_when_nothing_was_stored(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "noise.txt").write_bytes(bytes(range(256)) * 4)
    db = str(tmp_path / "m.db")
    code, out = marsad("ingest", str(bad), "--db", db)
    assert code == 2 and "Nothing was stored" in out and "empty.txt" in out
    code, out = marsad("process", str(bad), "--db", db, "--json")
    assert code == 2 and len(json.loads(out[out.index("{") :])["rejected"]) == 2
    (bad / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    assert marsad("ingest", str(bad), "--db", db)[0] == 1  # some stored, some rejected
    (bad / "empty.txt").unlink()
    (bad / "noise.txt").unlink()
    assert marsad("ingest", str(bad), "--db", db)[0] == 0  # all present (as duplicates)
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    assert marsad("ingest", str(empty), "--db", db)[0] == 2


def test_cli_follow_symlinks_flag_on_ingest_and_process(tmp_path: Path) -> None:
    drop, secret = make_links(tmp_path)
    db = str(tmp_path / "m.db")
    code, out = marsad("ingest", str(drop), "--db", db, "--json")
    report = json.loads(out[out.index("{") :])
    assert code == 0 and report["stored"] == 1 and len(report["skipped"]) == 4
    code, out = marsad("process", str(drop), "--db", db, "--follow-symlinks", "--json")
    result = json.loads(out[out.index("{") :])
    assert code == 0, out
    assert [line.split(": ")[0] for line in result["skipped"]][0] == str(drop / "gone.txt")
    code, out = marsad("summary", "--db", db, "--json")
    assert json.loads(out)["documents"] == 2


# -- HTML that would stall the tokenizer -----------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    ["<!--a>" * 40_000, "</" * 300_000, "<!" * 300_000, "<![CDATA[a>" * 40_000],
    ids=["unclosed-comments", "unclosed-end-tags", "unclosed-declarations", "marked-sections"],
)
def test_markup_left_open_is_read_in_linear_time(markup: str) -> None:
    started = time.perf_counter()
    page = html_to_text("<p>Visible first.</p>" + markup)
    assert time.perf_counter() - started < 3
    assert page.text.startswith("Visible first.")


def test_defused_markup_reads_as_a_browser_would() -> None:
    page = html_to_text(
        "<p>One<!-- hidden --> two</p><!--><p>three</p><!--->four<p>five <b>six</b> 7 < 8"
    )
    assert page.text.splitlines() == ["One two", "three", "four", "five six 7 < 8"]
    assert html_to_text("<p>Before</p><!-- never closed <p>after</p>").text == "Before"


# -- the hostile batch -----------------------------------------------------------------------

METER = textwrap.dedent(
    """
    import json, os, resource, subprocess, sys, time
    started = time.perf_counter()
    child = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"code": child.returncode, "out": child.stdout, "err": child.stderr,
                      "seconds": time.perf_counter() - started, "max_rss_kb": usage.ru_maxrss}))
    """
)

# Runs the CLI; a folder named in MARSAD_TEST_DENY cannot be listed, for root too.
CHILD = textwrap.dedent(
    """
    import os, sys
    denied = os.environ.get("MARSAD_TEST_DENY")
    if denied:
        real_scandir = os.scandir
        def scandir(path="."):
            if os.fspath(path) == denied:
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real_scandir(path)
        os.scandir = scandir
    from marsad.cli import main
    sys.argv[0] = "marsad"
    main()
    """
)


def write_hostile_batch(folder: Path, outside: Path) -> tuple[list[str], list[str]]:
    """Good files and every hostile kind; returns (names that must be stored, names of bad)."""
    folder.mkdir()
    outside.write_text("Private notes of the organisation, not a report.", encoding="utf-8")
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "good.md").write_text(f"---\ntitle: Bakery\n---\n{GOOD_TEXT}\n", "utf-8")
    divs = "<div>" * 10_000 + "Shelling hit the camp." + "</div>" * 10_000
    (folder / "divs.html").write_text(f"<html><body>{divs}</body></html>", encoding="utf-8")
    (folder / "rows.jsonl").write_text(
        json.dumps({"text": "A drone struck a car near Atarib."})
        + "\n{broken\n"
        + '{"text": '
        + "[" * 100_000
        + "\n",
        encoding="utf-8",
    )
    with (folder / "large.txt").open("w", encoding="utf-8") as handle:
        for i in range(200_000):  # about 12 MB, under the default limit: stored
            handle.write(f"Line {i}: shelling was reported near the market of Ariha.\n")
    with (folder / "huge.txt").open("wb") as handle:  # 60 MB, over the default 50 MB
        handle.truncate(60 * 1024 * 1024)
    (folder / "deep.json").write_text("[" * 200_000, encoding="utf-8")
    (folder / "laughs.md").write_text(billion_laughs(12), encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "empty.md").write_bytes(b"")
    (folder / "nul.txt").write_bytes(b"A report with a NUL\x00 byte in it.")
    (folder / "nul.json").write_text('{"text": "A report\\u0000 with NUL."}', encoding="utf-8")
    (folder / "passwd.txt").symlink_to(outside)
    (folder / "dangling.txt").symlink_to(folder / "no-such-file.txt")
    (folder / "locked").mkdir()
    (folder / "locked" / "inside.txt").write_text("Shelling hit Binnish.", encoding="utf-8")
    (folder / "locked").chmod(0)
    good = ["good.txt", "good.md", "divs.html", "rows.jsonl#1", "large.txt"]
    bad = ["rows.jsonl", "huge.txt", "deep.json", "laughs.md", "binary.txt", "empty.md"]
    bad += ["nul.txt", "nul.json", "passwd.txt", "dangling.txt", "locked"]
    return good, bad


def test_hostile_batch_stores_every_good_file_and_names_every_bad_one(
    store_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    good, bad = write_hostile_batch(folder, tmp_path / "outside.txt")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    env.pop("MARSAD_MAX_BYTES", None)  # the default limit applies
    if _can_read(folder / "locked"):  # root reads a chmod 000 folder: deny it another way
        env["MARSAD_TEST_DENY"] = str(folder / "locked")
    cli = [sys.executable, "-c", CHILD, "ingest", str(folder), "--db", store_url, "--json"]
    try:
        meter = subprocess.run(
            [sys.executable, "-c", METER, *cli], capture_output=True, text=True, env=env
        )
    finally:
        (folder / "locked").chmod(0o755)
    measured = json.loads(meter.stdout)
    assert measured["code"] == 1, measured["err"][-2000:]
    report = json.loads(measured["out"])
    assert measured["seconds"] < 30
    assert measured["max_rss_kb"] < 300 * 1024, measured["max_rss_kb"]
    assert report["stored"] == len(good)
    named = report["errors"] + report["skipped"]
    for name in bad:
        assert [line for line in named if line.startswith(f"{folder / name}: ")], name
    assert len(report["errors"]) == len(bad) - 2 + 1  # links are skipped; rows.jsonl twice
    store = Store(store_url)
    try:
        stored = sorted(Path(d.original_name).name for d in store.iter_documents())
        assert stored == sorted(good)
        assert store.verify().ok
    finally:
        store.close()
