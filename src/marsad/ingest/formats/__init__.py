"""Readers for the formats that are not plain text: PDF, Word, e-mail, and chat exports.

``parse.parse_file`` hands a file here by its suffix (PDF, Word, e-mail) or by its content (a
Telegram export among ``.json`` files, a WhatsApp chat among ``.txt`` files); each reader yields
documents, or errors naming the file and the reason, as the text formats do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from marsad.ingest.formats.common import IngestError, NewDocument, Rejected

# (name, suffix, bytes, decoded text) -> the document, as parse.parse_text reads a text file
TextReader = Callable[[str, str, bytes, str], NewDocument]

# read from their bytes by their own reader, never decoded as text first
BINARY_SUFFIXES = (".pdf", ".docx", ".eml")


def read_binary(
    name: str, suffix: str, raw: bytes, *, read_text: TextReader
) -> Iterator[NewDocument | IngestError]:
    """The documents of a PDF, Word or e-mail file, or the error that names what is wrong.
    ``read_text`` reads a text part (an e-mail's text attachment) as a text file is read."""
    try:
        if suffix == ".pdf":
            from marsad.ingest.formats.pdf import read_pdf

            yield read_pdf(name, raw)
        elif suffix == ".docx":
            from marsad.ingest.formats.docx import read_docx

            yield read_docx(name, raw)
        else:
            from marsad.ingest.formats.mail import read_eml

            yield from read_eml(name, raw, read_text)
    except Rejected as rejected:
        yield IngestError(name, rejected.reason)
