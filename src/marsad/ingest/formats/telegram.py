"""Telegram Desktop chat exports ("Export chat history", JSON): one document per message.

An export is known by its content, a JSON object with a ``type`` and a ``messages`` array, and
is read as a stream (:mod:`json_stream`), so its size is not bounded by ``--max-bytes``: that
limit applies to each message. Each message's ``original`` is its own bytes in the export, and
its ``extra`` names the export's SHA-256 and the message's byte offset, so anyone holding the
export can check that the stored message is exactly what it contained.

A channel's messages come from the channel: its name is the source and they are ``internal``.
In a chat between persons (a group or a private chat) every sender is a person: the messages are
``restricted``, the senders (and a private chat's name, which is the other person's) are
protected persons, masked in every output, and the source is the chat, never a sender.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from marsad.ingest import limits
from marsad.ingest.formats.common import (
    IngestError,
    NewDocument,
    Rejected,
    document,
    file_sha256,
    open_regular,
)
from marsad.ingest.formats.json_stream import Element, ObjectStream, StreamError

HEAD_BYTES = 64 * 1024
MEDIA_KEYS = ("photo", "file", "thumbnail", "media_type", "mime_type", "file_name", "sticker_emoji")
COPIED_KEYS = ("date_unixtime", "edited", "reply_to_message_id", "forwarded_from", "via_bot")
_HEADER_KEYS = ("name", "type", "id")


def is_export(name: str, follow_symlinks: bool) -> bool:
    """Whether the file opens as a Telegram export: a ``type`` before a ``messages`` array."""
    with open_regular(name, follow_symlinks) as handle:
        head = handle.read(HEAD_BYTES)
    stream = ObjectStream(io.BytesIO(head), HEAD_BYTES)
    seen: dict[str, Any] = {}
    try:
        for key, value in stream.members("messages"):
            if key == "messages" and value is None:
                return isinstance(seen.get("type"), str)
            seen[key] = value
    except (StreamError, RecursionError):  # not an export: the JSON reader names the problem
        return False
    return False


def read_export(
    name: str, max_bytes: int, follow_symlinks: bool
) -> Iterator[NewDocument | IngestError]:
    container = {"container_file": name, "container_sha256": file_sha256(name, follow_symlinks)}
    header: dict[str, Any] = {}
    counts = {"messages": 0, "read": 0}
    with open_regular(name, follow_symlinks) as handle:
        stream = ObjectStream(handle, max_bytes)
        try:
            for key, value in stream.members("messages"):
                if key != "messages" or value is not None:
                    header[key] = value
                    continue
                chat = _chat(header)
                for element in stream.elements():
                    counts["messages"] += 1
                    item = _message(name, chat, element, container)
                    if item is not None:
                        counts["read"] += 1
                        yield item
        except StreamError as exc:
            yield IngestError(name, f"Telegram export: {exc}")
            return
    if not counts["read"]:
        yield IngestError(
            name, f"Telegram export holds no text messages ({counts['messages']} read)"
        )


def _chat(header: dict[str, Any]) -> dict[str, Any]:
    kind = header.get("type")
    chat_name = header.get("name") if isinstance(header.get("name"), str) else None
    channel = isinstance(kind, str) and kind.endswith("_channel")
    return {
        "name": chat_name,
        "type": kind if isinstance(kind, str) else None,
        "id": header.get("id") if isinstance(header.get("id"), int | str) else None,
        "channel": channel,
        "protected": () if channel or kind != "personal_chat" or not chat_name else (chat_name,),
    }


def _message(
    name: str, chat: dict[str, Any], element: Element, container: dict[str, Any]
) -> NewDocument | IngestError | None:
    """The message as a document; None for what is not a report (service messages, media
    without a caption); an error naming the message for what is wrong with it."""
    message = element.value
    where = f"message at byte {element.offset:,}"
    if not isinstance(message, dict):
        return IngestError(name, f"{where}: expected a JSON object")
    number = message.get("id")
    if isinstance(number, int) and not isinstance(number, bool):
        where = f"message {number}"
    try:
        limits.check_values(message)
        if message.get("type") != "message":
            return None
        if where.startswith("message at"):
            raise Rejected('has no numeric "id"')
        text, entities = _flatten(message.get("text", ""))
        if not text.strip():
            return None
        parsed = document(f"{name}#{number}", element.raw, text, _meta(chat, message, entities))
    except (Rejected, limits.LimitError) as exc:
        return IngestError(name, f"{where}: {getattr(exc, 'reason', exc)}")
    parsed.extra.update(container)
    parsed.extra.update(container_offset=element.offset, container_length=len(element.raw))
    parsed.protected_names = _persons(chat, message)
    return parsed


def _meta(chat: dict[str, Any], message: dict[str, Any], entities: list[Any]) -> dict[str, Any]:
    date = message.get("date")
    if not isinstance(date, str) or not date:
        raise Rejected('has no "date"')
    sender = message.get("from")
    meta: dict[str, Any] = {
        "source": chat["name"],
        "published": date,
        "sensitivity": "internal" if chat["channel"] else "restricted",
        "chat_type": chat["type"],
        "chat_id": chat["id"],
        "message_id": message["id"],
        "sender": sender if isinstance(sender, str) else None,
        "sender_id": message.get("from_id"),
        "entities": entities or None,
    }
    meta.update({key: message[key] for key in COPIED_KEYS if message.get(key) is not None})
    media = {key: message[key] for key in MEDIA_KEYS if message.get(key) is not None}
    meta["media"] = media or None
    return meta


def _persons(chat: dict[str, Any], message: dict[str, Any]) -> tuple[str, ...]:
    if chat["channel"]:
        return ()
    found = [*chat["protected"], message.get("from"), message.get("forwarded_from")]
    return tuple(dict.fromkeys(p for p in found if isinstance(p, str) and p.strip()))


def _flatten(text: Any) -> tuple[str, list[dict[str, Any]]]:
    """Formatted text as plain text, and where each formatted part (bold, link, mention...)
    sits in it."""
    if isinstance(text, str):
        return text.strip(), []
    if not isinstance(text, list):
        raise Rejected('"text" must be a string or a list of strings and entities')
    parts: list[str] = []
    entities: list[dict[str, Any]] = []
    offset = 0
    for piece in text:
        if isinstance(piece, str):
            part, kind = piece, "plain"
        elif isinstance(piece, dict) and isinstance(piece.get("text"), str):
            part, kind = piece["text"], str(piece.get("type", "plain"))
        else:
            raise Rejected('"text" holds a part that is neither a string nor an entity')
        if kind != "plain":
            entity: dict[str, Any] = {"type": kind, "offset": offset, "length": len(part)}
            if isinstance(piece, dict) and isinstance(piece.get("href"), str):
                entity["href"] = piece["href"]
            entities.append(entity)
        parts.append(part)
        offset += len(part)
    joined = "".join(parts)
    lead = len(joined) - len(joined.lstrip())
    for entity in entities:
        entity["offset"] -= lead
    return joined.strip(), [e for e in entities if e["offset"] >= 0]
