"""What every format reader shares: the document builder, the refusal and small helpers.

Readers build documents through ``ingest.document.checked_document`` so that a PDF page, an
e-mail or a chat message is checked exactly as a text report is (sensitivity, ISO dates, NUL
characters, source length, language), and refuse with ``ingest.document.Rejected`` so the reason
reaches the user the same way.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from typing import Any

from marsad.contract.claim import SENSITIVITY_LEVELS
from marsad.contract.document import NewDocument
from marsad.ingest.document import IngestError, Rejected, checked_document

__all__ = ["IngestError", "NewDocument", "Rejected", "document", "open_regular", "sha256"]


def document(name: str, original: bytes, text: str, meta: dict[str, Any]) -> NewDocument:
    """A checked document; ``meta`` holds the metadata fields and anything for ``extra``."""
    return checked_document(name, original, text, {k: v for k, v in meta.items() if v is not None})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stricter(a: str, b: str) -> str:
    """The more restricted of two sensitivities."""
    return max(a, b, key=SENSITIVITY_LEVELS.index)


def open_regular(name: str, follow_symlinks: bool) -> io.BufferedReader[io.FileIO]:
    """The file opened for reading, refused unless it is a regular file (and, without
    ``follow_symlinks``, not a link), checked on the descriptor as ``parse`` does."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    handle = io.BufferedReader(io.FileIO(os.open(name, flags), "rb"))
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise Rejected("not a regular file")
    return handle


def file_sha256(name: str, follow_symlinks: bool) -> str:
    with open_regular(name, follow_symlinks) as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
