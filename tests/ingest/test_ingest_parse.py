"""Reading files into documents: front matter, JSON shapes, HTML, language, and exact originals."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from marsad.ingest.language import detect_language
from marsad.ingest.parse import IngestError, NewDocument, iter_paths, parse_file


def parse(path: Path) -> list[NewDocument | IngestError]:
    return list(parse_file(path, max_bytes=10**6))


def test_front_matter_sets_metadata_and_the_original_is_the_whole_file(tmp_path: Path) -> None:
    raw = (
        b"---\ntitle: Night shelling\nsource: Jisr Monitor\nurl: https://example.org/a\n"
        b"published: 2023-10-12\nsensitivity: restricted\nreporter_note: call back\n---\n"
        b"Shelling hit the western edge of Jisr al-Shughur overnight.\n"
    )
    path = tmp_path / "a.md"
    path.write_bytes(raw)
    (doc,) = parse(path)
    assert isinstance(doc, NewDocument)
    assert doc.original == raw
    assert doc.text == "Shelling hit the western edge of Jisr al-Shughur overnight."
    assert (doc.title, doc.source, doc.published) == (
        "Night shelling",
        "Jisr Monitor",
        "2023-10-12",
    )
    assert doc.sensitivity == "restricted" and doc.language == "en"
    assert doc.extra == {"reporter_note": "call back"}


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ("published: last Tuesday", "ISO date"),
        ("sensitivity: secret", "sensitivity 'secret'"),
        ("title: [unclosed", "not valid YAML"),
    ],
)
def test_bad_front_matter_is_named(tmp_path: Path, front: str, reason: str) -> None:
    path = tmp_path / "bad.md"
    path.write_text(f"---\n{front}\n---\nA strike hit Saraqib.\n", encoding="utf-8")
    (error,) = parse(path)
    assert isinstance(error, IngestError) and reason in error.reason and error.path == str(path)


def test_json_array_keeps_each_records_exact_bytes(tmp_path: Path) -> None:
    raw = (
        '[\n  {"text": "Shelling hit Ariha.", "source": "Wire", "published": "2023-10-06"},\n'
        '  {"text": "A drone hit a car near Atarib.",   "id": 7}\n]\n'
    )
    path = tmp_path / "batch.json"
    path.write_text(raw, encoding="utf-8")
    first, second = parse(path)
    assert isinstance(first, NewDocument) and isinstance(second, NewDocument)
    assert first.original.decode() in raw and second.original.decode() in raw
    assert json.loads(second.original) == {"text": "A drone hit a car near Atarib.", "id": 7}
    assert first.original_name.endswith("batch.json#1") and second.extra["id"] == 7
    assert second.extra["container_sha256"] == hashlib.sha256(raw.encode()).hexdigest()


def test_json_record_without_text_is_named_and_others_pass(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text('{"title": "no body"}\n{"text": "Clashes near Tadif."}\n', encoding="utf-8")
    error, doc = parse(path)
    assert isinstance(error, IngestError) and "line 1" in error.reason and "text" in error.reason
    assert isinstance(doc, NewDocument) and doc.original == b'{"text": "Clashes near Tadif."}'


def test_arabic_text_is_recorded_as_arabic(tmp_path: Path) -> None:
    path = tmp_path / "ar.txt"
    path.write_text("قصف مدفعي استهدف مدينة سراقب صباح اليوم.", encoding="utf-8")
    (doc,) = parse(path)
    assert isinstance(doc, NewDocument) and doc.language == "ar"
    assert detect_language("Shelling hit Saraqib (سراقب) this morning.") == "en"
    assert detect_language("12 3") == "und"


def test_html_metadata_and_block_text(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        '<html lang="en-GB"><head><title>Strike on bakery</title>'
        '<meta property="article:published_time" content="2023-10-09T08:00:00Z">'
        "<style>p {color: red}</style></head><body><nav>Home</nav>"
        "<p>A bakery in Sarmada was hit.</p><p>Two people died.</p>"
        "<noscript>enable js</noscript></body></html>",
        encoding="utf-8",
    )
    (doc,) = parse(path)
    assert isinstance(doc, NewDocument)
    assert doc.title == "Strike on bakery" and doc.published == "2023-10-09T08:00:00+00:00"
    assert doc.text.splitlines() == ["Home", "A bakery in Sarmada was hit.", "Two people died."]


def test_folders_are_walked_recursively_skipping_hidden_and_unsupported(tmp_path: Path) -> None:
    (tmp_path / "sub" / ".git").mkdir(parents=True)
    for name in ("a.txt", "sub/b.md", "sub/.git/c.txt", "sub/d.xlsx", ".hidden.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    skipped: list[str] = []
    found = [p.relative_to(tmp_path).as_posix() for p in iter_paths([tmp_path], skipped)]
    assert found == ["a.txt", "sub/b.md"]
    # the spreadsheet is named with its reason; hidden files are not mentioned at all
    assert skipped == [
        f"{tmp_path / 'sub' / 'd.xlsx'}: unsupported file type .xlsx; supported: "
        ".txt, .md, .html, .htm, .json, .jsonl, .pdf, .docx, .eml"
    ]
    (error,) = parse(tmp_path / "sub" / "d.xlsx")
    assert isinstance(error, IngestError) and "unsupported file type .xlsx" in error.reason
    (tmp_path / "rows.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (error,) = parse(tmp_path / "rows.csv")
    assert isinstance(error, IngestError) and "marsad import ucdp FILE" in error.reason
