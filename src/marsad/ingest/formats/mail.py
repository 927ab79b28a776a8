"""E-mails (.eml): the message as one document, its text attachments as documents of their own.

Subject is the title, From the source and Date the publication date. A sender can be a source
who must stay protected, so every document read from an e-mail is ``restricted`` (an attached
report's own front matter may only make it stricter). Every attachment is listed in the mail's
``extra["attachments"]``; text ones (plain, Markdown, HTML) are stored as
``mail.eml#attachment-name``, linked to the mail by ``extra["attached_to"]``.
"""

from __future__ import annotations

import email
import email.errors
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage, MIMEPart
from typing import Any

from marsad.ingest.formats.common import (
    IngestError,
    NewDocument,
    Rejected,
    document,
    sha256,
    stricter,
)
from marsad.ingest.html_text import html_to_text

TEXT_ATTACHMENTS = {"text/plain": ".txt", "text/markdown": ".md", "text/html": ".html"}
SENSITIVITY = "restricted"
_BASE64_DEFECTS = (
    email.errors.InvalidBase64CharactersDefect,
    email.errors.InvalidBase64PaddingDefect,
    email.errors.InvalidBase64LengthDefect,
)


def read_eml(
    name: str, raw: bytes, read_text: Callable[[str, str, bytes, str], NewDocument]
) -> Iterator[NewDocument | IngestError]:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)  # policy.default builds EmailMessage objects
    if not any(message[h] for h in ("From", "Subject", "Date")):
        raise Rejected("not an e-mail: it has no From, Subject or Date header")
    source = _header(message, "From")
    published = _date(message)
    mail_id = sha256(raw)
    attachments = list(message.iter_attachments())
    body = message.get_body(preferencelist=("plain", "html"))
    text = _part_text(body, "the body") if body is not None else ""
    if not text.strip():
        text = _header(message, "Subject") or ""
    if not text.strip():
        raise Rejected("e-mail has no text body and no subject")
    meta: dict[str, Any] = {
        "title": _header(message, "Subject"),
        "source": source,
        "published": published,
        "sensitivity": SENSITIVITY,
        "email_to": _header(message, "To"),
        "message_id": _header(message, "Message-ID"),
        "attachments": [_listing(part, n) for n, part in enumerate(attachments, 1)] or None,
    }
    yield document(name, raw, text, meta)
    for number, part in enumerate(attachments, start=1):
        if part.get_content_type() in TEXT_ATTACHMENTS:
            yield _attachment(name, part, number, mail_id, source, published, read_text)


def _header(message: EmailMessage, key: str) -> str | None:
    try:
        value = message[key]
    except (ValueError, IndexError, email.errors.HeaderParseError):
        return None
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _date(message: EmailMessage) -> str | None:
    try:
        header = message["Date"]
        when = getattr(header, "datetime", None)
    except (ValueError, TypeError, IndexError):
        return None
    return when.isoformat() if when is not None else None


def _attachment_name(part: MIMEPart, number: int) -> str:
    filename = part.get_filename() or ""
    clean = "".join(c for c in filename if c.isprintable() and c not in "/\\#").strip()
    return clean or f"attachment-{number}{TEXT_ATTACHMENTS.get(part.get_content_type(), '')}"


def _listing(part: MIMEPart, number: int) -> dict[str, Any]:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    return {
        "name": _attachment_name(part, number),
        "content_type": part.get_content_type(),
        "size": len(data),
        "sha256": sha256(data),
    }


def _part_bytes(part: MIMEPart, what: str) -> bytes:
    if any(isinstance(d, _BASE64_DEFECTS) for d in part.defects):
        raise Rejected(f"{what} has broken base64 encoding")
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise Rejected(f"{what} has no readable content")
    return payload


def _part_text(part: MIMEPart, what: str) -> str:
    """The part's text (HTML reduced to what it shows)."""
    text = _decoded(part, what)
    return html_to_text(text).text if part.get_content_type() == "text/html" else text


def _decoded(part: MIMEPart, what: str) -> str:
    data = _part_bytes(part, what)
    charset = part.get_content_charset() or "utf-8"
    try:
        text = data.decode(charset)
    except LookupError:
        raise Rejected(f"{what} names an unknown character set '{charset[:40]}'") from None
    except UnicodeDecodeError as exc:
        raise Rejected(
            f"{what} is not valid {charset} (byte 0x{data[exc.start]:02x} at offset {exc.start:,})"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _attachment(
    mail: str,
    part: MIMEPart,
    number: int,
    mail_id: str,
    source: str | None,
    published: str | None,
    read_text: Callable[[str, str, bytes, str], NewDocument],
) -> NewDocument | IngestError:
    name = f"{mail}#{_attachment_name(part, number)}"
    what = f"attachment {number}"
    try:
        data = _part_bytes(part, what)
        suffix = TEXT_ATTACHMENTS[part.get_content_type()]
        parsed = read_text(name, suffix, data, _decoded(part, what))
    except Rejected as rejected:
        return IngestError(name, rejected.reason)
    parsed.source = parsed.source or source
    parsed.published = parsed.published or published
    parsed.title = parsed.title or _attachment_name(part, number)
    parsed.sensitivity = stricter(parsed.sensitivity, SENSITIVITY)
    parsed.extra.update(attached_to=mail_id, container_file=mail, attachment=number)
    return parsed
