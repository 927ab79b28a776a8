"""PDF reports: the text layer of every page, with where each page starts.

One PDF is one document. ``extra["page_starts"]`` lists the character offset at which each page
begins in the text, so an evidence span names its page (:func:`page_of`). A PDF without a text
layer (a scan) is refused with the reason, unless an OCR engine (``tesseract``) is installed on
the machine: OCR is never required.
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
from collections.abc import Sequence
from io import BytesIO
from typing import Any

from marsad.ingest.formats.common import NewDocument, Rejected, document
from marsad.ingest.formats.pdf_order import page_text

PAGE_BREAK = "\n\n"
OCR_TIMEOUT_S = 120
# the OCR engine reads both languages of the reports when its data for them is installed
OCR_LANGUAGES = ("ara", "eng")


def page_of(page_starts: Sequence[int], offset: int) -> int:
    """The page (1-based) holding the character at ``offset``."""
    return bisect.bisect_right(page_starts, offset)


def read_pdf(name: str, raw: bytes) -> NewDocument:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        raise Rejected(_open_reason(str(exc))) from None
    try:
        pages = [_page_text(pdf[i]) for i in range(len(pdf))]
        meta: dict[str, Any] = {"title": (pdf.get_metadata_dict().get("Title") or "").strip()}
        ocr = None
        if not any(pages):
            pages, ocr = _ocr(pdf), _ocr_engine()
    finally:
        pdf.close()
    if not pages:
        raise Rejected("PDF has no pages")
    text, starts = _join(pages)
    meta.update(
        page_starts=starts,
        pages=len(pages),
        pages_without_text=[n for n, t in enumerate(pages, start=1) if not t] or None,
        ocr=ocr,
        title=meta["title"] or None,
    )
    return document(name, raw, text, meta)


def _open_reason(message: str) -> str:
    if "password" in message.lower():
        return "PDF is encrypted (password-protected); save an unprotected copy first"
    return f"not a readable PDF (damaged or truncated: {message})"


def _page_text(page: Any) -> str:
    textpage = page.get_textpage()
    try:
        text = page_text(textpage)
    finally:
        textpage.close()
        page.close()
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _join(pages: list[str]) -> tuple[str, list[int]]:
    starts: list[int] = []
    parts: list[str] = []
    offset = 0
    for text in pages:
        starts.append(offset)
        parts.append(text)
        offset += len(text) + (len(PAGE_BREAK) if text else 0)
    return PAGE_BREAK.join(t for t in parts if t), starts


def _ocr_engine() -> str | None:
    return shutil.which("tesseract")


def _ocr(pdf: Any) -> list[str]:
    """Each page read by the OCR engine, or a refusal saying there is no text to read."""
    engine = _ocr_engine()
    if engine is None:
        raise Rejected(
            "PDF has no text layer (a scan or images only); OCR it first (e.g. ocrmypdf), or "
            "install tesseract so that marsad reads it"
        )
    languages = _installed_languages(engine)
    pages = []
    for index in range(len(pdf)):
        image = pdf[index].render(scale=300 / 72).to_pil()
        png = BytesIO()
        image.save(png, format="PNG")
        command = [engine, "stdin", "stdout", *(["-l", languages] if languages else [])]
        done = subprocess.run(
            command, input=png.getvalue(), capture_output=True, timeout=OCR_TIMEOUT_S
        )
        if done.returncode != 0:
            problem = done.stderr.decode(errors="replace").strip()[:200]
            raise Rejected(f"OCR of page {index + 1} failed: {problem}")
        pages.append(done.stdout.decode("utf-8", errors="replace").strip())
    if not any(pages):
        raise Rejected("PDF has no text layer, and OCR found no text in it")
    return pages


def _installed_languages(engine: str) -> str:
    done = subprocess.run([engine, "--list-langs"], capture_output=True, timeout=30)
    have = set(done.stdout.decode(errors="replace").split())
    return "+".join(code for code in OCR_LANGUAGES if code in have)
