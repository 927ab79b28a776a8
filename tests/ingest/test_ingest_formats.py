"""PDF, Word and e-mail reports through `marsad ingest` and `marsad process`, on files made here."""

from __future__ import annotations

import json
import os
import re
import stat
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from marsad.cli import app
from marsad.config import database_url
from marsad.contract.document import NewDocument
from marsad.ingest.formats.pdf import page_of
from marsad.ingest.parse import IngestError, parse_file
from marsad.store import Store

runner = CliRunner()
STRIKE = "An air strike hit the market in Ariha on 12 March 2024, killing five civilians."
STRIKE_AR = "قُتل خمسة مدنيين، بينهم طفلان، في غارة جوية على مدينة أريحا يوم 12 آذار 2024."


def cli(*args: str) -> tuple[int, Any]:
    result = runner.invoke(app, list(args))
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        return result.exit_code, result.output


def ingest_and_extract(db: Path, *files: Path) -> tuple[int, dict[str, Any]]:
    code, report = cli("ingest", "--db", str(db), "--json", *map(str, files))
    assert isinstance(report, dict), report
    done, _ = cli("process", "--db", str(db), "--json")
    assert done in (0, 1)
    return code, report


def stored(db: Path) -> list[tuple[Any, list[Any]]]:
    """Every document with its current claims."""
    store = Store(database_url(str(db)))
    try:
        docs = list(store.iter_documents())
        return [(d, [c.data for c in store.claims_for(d.id)]) for d in docs]
    finally:
        store.close()


def parsed(path: Path) -> list[NewDocument | IngestError]:
    return list(parse_file(path, max_bytes=50_000_000))


def reasons(report: dict[str, Any]) -> str:
    return "\n".join(report["errors"])


def cited(text: str, claim: dict[str, Any]) -> str:
    span = claim["evidence"]
    assert text[span["start"] : span["end"]] == span["text"]
    return str(span["text"])


# -- PDF ---------------------------------------------------------------------------------------


def make_pdf(path: Path, pages: list[str], rtl: bool = False) -> Path:
    from weasyprint import HTML

    from marsad.publish.brief import arabic_font_faces
    from marsad.publish.pdftext import rtl_ligatures_finisher

    faces = "".join(
        f"@font-face{{font-family:Ar;src:url('{url}');font-weight:{weight}}}"
        for weight, url in arabic_font_faces().items()
    )
    body = "".join(f'<p style="break-after:page">{text}</p>' for text in pages)
    direction = ' dir="rtl" lang="ar"' if rtl else ""
    html = (
        f"<html{direction}><head><title>Field report</title><style>{faces}"
        f"body{{font-family:Ar,sans-serif}}</style></head><body>{body}</body></html>"
    )
    HTML(string=html).write_pdf(str(path), finisher=rtl_ligatures_finisher)
    return path


def image_only_pdf(path: Path) -> Path:
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(picture).rectangle((20, 20, 380, 180), outline="black", width=4)
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(400, 200)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(pdfium.PdfBitmap.from_pil(picture))
    image.set_matrix(pdfium.PdfMatrix().scale(400, 200))
    page.insert_obj(image)
    page.gen_content()
    pdf.save(str(path))
    pdf.close()
    return path


def test_pdf_pages_are_kept_and_evidence_names_its_page(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "report.pdf",
        ["Monthly bulletin of the Idlib monitors.", "Nothing to report on this page.", STRIKE],
    )
    code, report = ingest_and_extract(tmp_path / "m.db", pdf)
    assert code == 0 and report["stored"] == 1
    [(doc, claims)] = stored(tmp_path / "m.db")
    assert doc.media_type == "application/pdf" and doc.title == "Field report"
    starts = doc.extra["page_starts"]
    assert len(starts) == 3 and doc.extra["pages"] == 3
    assert doc.text[starts[2] :].startswith("An air strike hit the market")
    claim = next(c for c in claims if c["event_type"] == "air_strike")
    assert "air strike hit the market" in cited(doc.text, claim)
    assert page_of(starts, claim["evidence"]["start"]) == 3
    assert page_of(starts, 0) == 1
    code, again = cli("ingest", "--db", str(tmp_path / "m.db"), "--json", str(pdf))
    assert again["duplicates"] == 1  # the original's bytes are what custody hashes
    code, verified = cli("verify", "--db", str(tmp_path / "m.db"))
    assert code == 0, verified


def test_arabic_pdf_reads_in_logical_order(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "ar.pdf", [STRIKE_AR], rtl=True)
    [doc] = parsed(pdf)
    assert isinstance(doc, NewDocument), doc
    assert doc.language == "ar"
    assert " ".join(doc.text.split()) == STRIKE_AR  # marks, number, full stop in place
    code, _ = ingest_and_extract(tmp_path / "m.db", pdf)
    [(stored_doc, claims)] = stored(tmp_path / "m.db")
    assert code == 0 and claims, "the Arabic engine reads the strike"
    assert "غارة جوية" in cited(stored_doc.text, claims[0])


def test_bad_pdfs_are_named_and_the_batch_goes_on(tmp_path: Path) -> None:
    import pypdf

    good = make_pdf(tmp_path / "good.pdf", [STRIKE])
    raw = good.read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(raw[: len(raw) // 3])
    (tmp_path / "notpdf.pdf").write_bytes(b"this is not a PDF at all")
    writer = pypdf.PdfWriter(clone_from=str(good))
    writer.encrypt("secret", algorithm="RC4-128")
    with open(tmp_path / "locked.pdf", "wb") as handle:
        writer.write(handle)
    scan = image_only_pdf(tmp_path / "scan.pdf")
    env = {"PATH": str(tmp_path / "no-tools")}  # no OCR engine on this PATH
    code, report = cli_env(env, "ingest", "--db", str(tmp_path / "m.db"), "--json", str(tmp_path))
    assert code == 1 and report["stored"] == 1
    text = reasons(report)
    assert re.search(r"truncated\.pdf: not a readable PDF \(damaged or truncated", text)
    assert "notpdf.pdf: not a readable PDF" in text
    assert "locked.pdf: PDF is encrypted (password-protected)" in text
    assert f"{scan}: PDF has no text layer (a scan or images only); OCR it first" in text
    assert len(report["errors"]) == 4


def cli_env(env: dict[str, str], *args: str) -> tuple[int, Any]:
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return cli(*args)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_scanned_pdf_is_read_by_an_installed_ocr_engine(tmp_path: Path) -> None:
    """An OCR engine on PATH is used (here a stand-in that prints what it 'read')."""
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "tesseract"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then echo "List of available languages"; echo eng; '
        "exit 0; fi\n"
        "cat > /dev/null\n"
        f"echo '{STRIKE}'\n",
        encoding="utf-8",
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    scan = image_only_pdf(tmp_path / "scan.pdf")
    old = os.environ["PATH"]
    os.environ["PATH"] = f"{tools}{os.pathsep}{old}"
    try:
        [doc] = parsed(scan)
    finally:
        os.environ["PATH"] = old
    assert isinstance(doc, NewDocument), doc
    assert doc.text == STRIKE and doc.extra["ocr"] == str(fake)
    assert doc.extra["page_starts"] == [0]


# -- Word --------------------------------------------------------------------------------------


def make_docx(path: Path) -> Path:
    import docx

    word = docx.Document()
    word.core_properties.title = "Weekly incident summary"
    word.add_heading("Weekly incident summary", level=1)
    word.add_paragraph("Prepared by the documentation unit.")
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Town", "Event"
    table.cell(1, 0).text, table.cell(1, 1).text = "Ariha", "market struck"
    word.add_paragraph(STRIKE)
    word.save(str(path))
    return path


def test_docx_is_stored_extracted_and_cited(tmp_path: Path) -> None:
    make_docx(tmp_path / "summary.docx")
    (tmp_path / "junk.docx").write_bytes(_zip_of_junk())
    (tmp_path / "plain.docx").write_bytes(b"not a zip file")
    code, report = ingest_and_extract(tmp_path / "m.db", tmp_path)
    assert code == 1 and report["stored"] == 1
    assert "junk.docx: not a Word document: the archive has no word/document.xml" in reasons(report)
    assert "plain.docx: not a Word document: not a valid .docx (ZIP) archive" in reasons(report)
    [(doc, claims)] = stored(tmp_path / "m.db")
    assert doc.title == "Weekly incident summary"
    assert "Town\tEvent\nAriha\tmarket struck" in doc.text  # the table, row by row
    assert doc.text.index("documentation unit") < doc.text.index("Ariha\tmarket")
    assert any("killing five civilians" in cited(doc.text, c) for c in claims)


def _zip_of_junk() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("junk.bin", os.urandom(64))
    return buffer.getvalue()


# -- e-mail ------------------------------------------------------------------------------------


def make_mail() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Field Monitor <monitor@example.org>"
    mail["To"] = "desk@example.org"
    mail["Subject"] = "Strike on Ariha market"
    mail["Date"] = "Tue, 12 Mar 2024 16:20:00 +0300"
    mail.set_content(f"Dear desk,\n\n{STRIKE}\n\nMore soon.\n")
    mail.add_attachment(
        "Two shells hit a school in Kansafra on 11 March 2024, wounding three children.\n",
        subtype="plain",
        filename="school.txt",
    )
    mail.add_attachment(
        "<p>A drone struck a car near Atarib on 10 March 2024.</p>",
        subtype="html",
        filename="drone.html",
    )
    mail.add_attachment(b"\x89PNG fake image", maintype="image", subtype="png", filename="a.png")
    return mail


def test_eml_and_its_text_attachments_are_documents(tmp_path: Path) -> None:
    mail_path = tmp_path / "mail.eml"
    mail_path.write_bytes(make_mail().as_bytes())
    code, report = ingest_and_extract(tmp_path / "m.db", mail_path)
    assert code == 0 and report["stored"] == 3
    docs = {d.original_name: (d, c) for d, c in stored(tmp_path / "m.db")}
    mail, claims = docs[str(mail_path)]
    assert mail.title == "Strike on Ariha market"
    assert mail.source is not None and mail.source.name == "Field Monitor <monitor@example.org>"
    assert mail.published.isoformat() == "2024-03-12" and mail.sensitivity == "restricted"
    assert mail.media_type == "message/rfc822"
    listed = {a["name"]: a for a in mail.extra["attachments"]}
    assert set(listed) == {"school.txt", "drone.html", "a.png"}
    assert listed["a.png"]["content_type"] == "image/png"
    assert any("killing five civilians" in cited(mail.text, c) for c in claims)
    school, school_claims = docs[f"{mail_path}#school.txt"]
    assert school.extra["attached_to"] == mail.id and school.sensitivity == "restricted"
    assert school.media_type == "text/plain" and school.published.isoformat() == "2024-03-12"
    assert any("wounding three children" in cited(school.text, c) for c in school_claims)
    drone, _ = docs[f"{mail_path}#drone.html"]
    assert drone.text == "A drone struck a car near Atarib on 10 March 2024."
    assert drone.media_type == "text/html"


def test_broken_mail_is_named_and_its_good_attachment_still_goes_in(tmp_path: Path) -> None:
    broken = EmailMessage()
    broken["From"] = "someone@example.org"
    broken["Subject"] = "Broken"
    broken.set_content(STRIKE)
    raw = broken.as_bytes().replace(b'charset="utf-8"', b'charset="x-no-such-set"')
    (tmp_path / "charset.eml").write_bytes(raw)
    bad_bytes = (
        b"From: a@example.org\r\nSubject: Latin\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nCaf\xe9 bombed\r\n"
    )
    (tmp_path / "bytes.eml").write_bytes(bad_bytes)
    mixed = make_mail()
    for part in mixed.iter_attachments():
        if part.get_filename() == "school.txt":
            part.set_payload("bm90IGJhc2U2NA===!!", charset="utf-8")
            part.replace_header("Content-Transfer-Encoding", "base64")
    (tmp_path / "mixed.eml").write_bytes(mixed.as_bytes())
    (tmp_path / "empty.eml").write_bytes(b"just some words, no headers at all\n")
    code, report = ingest_and_extract(tmp_path / "m.db", tmp_path)
    text = reasons(report)
    assert code == 1
    assert "charset.eml: the body names an unknown character set 'x-no-such-set'" in text
    assert "bytes.eml: the body is not valid utf-8 (byte 0xe9 at offset 3)" in text
    assert f"{tmp_path / 'mixed.eml'}#school.txt: attachment 1 has broken base64" in text
    assert "empty.eml: not an e-mail: it has no From, Subject or Date header" in text
    names = {d.original_name for d, _ in stored(tmp_path / "m.db")}
    assert names == {str(tmp_path / "mixed.eml"), f"{tmp_path / 'mixed.eml'}#drone.html"}
