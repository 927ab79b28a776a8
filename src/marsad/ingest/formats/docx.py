"""Word reports (.docx): paragraphs and tables in the order they appear, by python-docx.

A .docx is a ZIP archive; its declared unpacked size is checked before anything is unpacked, so
a small file that inflates to gigabytes is refused rather than read.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

from marsad.ingest.formats.common import NewDocument, Rejected, document

MAX_UNPACKED_BYTES = 512 * 1024 * 1024
PARAGRAPH_BREAK = "\n\n"


def read_docx(name: str, raw: bytes) -> NewDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_archive(raw)
    try:
        word = docx.Document(BytesIO(raw))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        reason = f"not a readable Word document ({type(exc).__name__}: {exc})"
        raise Rejected(reason[:300]) from None
    except SyntaxError as exc:  # lxml's XMLSyntaxError: a damaged part inside the archive
        raise Rejected(f"Word document has damaged XML ({exc})"[:300]) from None
    blocks = [_block_text(block) for block in word.iter_inner_content()]
    text = PARAGRAPH_BREAK.join(b for b in blocks if b)
    if not text.strip():
        raise Rejected("Word document has no text")
    core = word.core_properties
    meta: dict[str, Any] = {
        "title": (core.title or "").strip() or None,
        "docx_created": core.created.isoformat() if core.created else None,
    }
    return document(name, raw, text, meta)


def _check_archive(raw: bytes) -> None:
    try:
        with zipfile.ZipFile(BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise Rejected("not a Word document: not a valid .docx (ZIP) archive") from None
    if "word/document.xml" not in names and "[Content_Types].xml" not in names:
        raise Rejected("not a Word document: the archive has no word/document.xml")
    if unpacked > MAX_UNPACKED_BYTES:
        raise Rejected(
            f"Word document unpacks to {unpacked:,} bytes, over the "
            f"{MAX_UNPACKED_BYTES:,}-byte limit"
        )


def _block_text(block: Any) -> str:
    from docx.table import Table

    if isinstance(block, Table):
        rows = []
        for row in block.rows:
            seen: set[int] = set()
            cells = []
            for cell in row.cells:
                if id(cell._tc) not in seen:  # a merged cell is listed once per column it spans
                    seen.add(id(cell._tc))
                    cells.append(" ".join(cell.text.split()))
            rows.append("\t".join(c for c in cells if c))
        return "\n".join(r for r in rows if r)
    return str(block.text).strip()
