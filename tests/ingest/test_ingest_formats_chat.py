"""Telegram and WhatsApp chat exports through `marsad ingest` and `marsad process`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from test_ingest_formats import cited, cli, ingest_and_extract, parsed, reasons, stored

from marsad.config import database_url
from marsad.contract.document import NewDocument
from marsad.ingest.formats.telegram import is_export
from marsad.ingest.parse import parse_file
from marsad.store import Store

STRIKE = "An air strike hit the market in Ariha on 12 March 2024, killing five civilians."


def telegram_export(messages: list[Any], kind: str = "public_channel") -> dict[str, Any]:
    return {"name": "Idlib Monitors", "type": kind, "id": 1234567, "messages": messages}


def message(number: int, text: Any, **more: Any) -> dict[str, Any]:
    return {
        "id": number,
        "type": "message",
        "date": "2024-03-12T14:05:33",
        "date_unixtime": "1710245133",
        "from": "Idlib Monitors",
        "from_id": "channel1234567",
        "text": text,
        **more,
    }


def test_telegram_export_messages_are_documents_with_their_own_bytes(tmp_path: Path) -> None:
    export = telegram_export(
        [
            {"id": 1, "type": "service", "date": "2024-03-12T10:00:00", "action": "create_channel"},
            message(
                2,
                [
                    {"type": "bold", "text": "Urgent:"},
                    " An air strike hit the market in Ariha on 12 March 2024, killing ",
                    {"type": "text_link", "text": "five civilians", "href": "https://x.example"},
                    ".",
                ],
                forwarded_from="Ariha Civil Defence",
                reply_to_message_id=1,
            ),
            message(3, "", photo="photos/photo_3.jpg"),  # a photo without a caption
            message(4, "Shelling hit Kansafra.", photo="photos/photo_4.jpg", edited="2024-03-12"),
            {"id": 5, "type": "message", "text": "no date here"},
            message(6, {"not": "text"}),
        ]
    )
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")
    raw = path.read_bytes()
    code, report = ingest_and_extract(tmp_path / "m.db", path)
    assert code == 1 and report["stored"] == 2
    assert 'message 5: has no "date"' in reasons(report)
    assert 'message 6: "text" must be a string or a list' in reasons(report)
    docs = {d.extra["message_id"]: (d, c) for d, c in stored(tmp_path / "m.db")}
    doc, claims = docs[2]
    assert doc.text == "Urgent: " + STRIKE
    assert doc.source is not None and doc.source.name == "Idlib Monitors"
    assert doc.published.isoformat() == "2024-03-12" and doc.sensitivity == "internal"
    assert doc.extra["forwarded_from"] == "Ariha Civil Defence"
    assert doc.extra["reply_to_message_id"] == 1
    link = next(e for e in doc.extra["entities"] if e["type"] == "text_link")
    assert doc.text[link["offset"] : link["offset"] + link["length"]] == "five civilians"
    assert link["href"] == "https://x.example"
    # custody: the original is exactly the message's bytes in the export, found where it says
    offset, length = doc.extra["container_offset"], doc.extra["container_length"]
    original = raw[offset : offset + length]
    assert hashlib.sha256(original).hexdigest() == doc.id
    assert json.loads(original)["id"] == 2
    assert doc.extra["container_sha256"] == hashlib.sha256(raw).hexdigest()
    assert any("killing five civilians" in cited(doc.text, c) for c in claims)
    assert docs[4][0].extra["media"] == {"photo": "photos/photo_4.jpg"}
    assert docs[4][0].extra["edited"] == "2024-03-12"


def test_a_group_export_protects_its_senders(tmp_path: Path) -> None:
    export = telegram_export(
        [message(7, STRIKE, **{"from": "Hadi Qassem", "from_id": "user77"})],
        kind="private_supergroup",
    )
    path = tmp_path / "group.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    code, _ = ingest_and_extract(tmp_path / "m.db", path)
    assert code == 0
    [(doc, _claims)] = stored(tmp_path / "m.db")
    assert doc.sensitivity == "restricted" and doc.source.name == "Idlib Monitors"
    store = Store(database_url(str(tmp_path / "m.db")))
    try:
        shown = store.disclosure("public").show("Reported by Hadi Qassem today.")
    finally:
        store.close()
    assert "Hadi Qassem" not in shown


def test_telegram_is_known_by_content_and_a_bad_stream_keeps_what_came_before(
    tmp_path: Path,
) -> None:
    other = tmp_path / "report.json"
    other.write_text(json.dumps({"text": STRIKE, "type": "report"}), encoding="utf-8")
    assert not is_export(str(other), False)
    [doc] = parsed(other)
    assert isinstance(doc, NewDocument) and doc.text == STRIKE  # an ordinary JSON document
    named = tmp_path / "channel-backup.json"  # not called result.json
    text = json.dumps(telegram_export([message(1, STRIKE), message(2, "Second message.")]))
    named.write_text(text[: text.index('{"id": 2')] + '{"id": 2, "type": "mess', "utf-8")
    assert is_export(str(named), False)
    items = parsed(named)
    assert isinstance(items[0], NewDocument) and items[0].text == STRIKE
    assert "Telegram export: " in str(items[1]) and len(items) == 2


def test_fifty_thousand_messages_stream_out_each_with_its_own_bytes(tmp_path: Path) -> None:
    """The whole export is read as a stream: every message comes out, each original exactly
    its bytes in the file, though the file is far over the per-message limit. (Storing them
    all takes minutes on a small machine, one transaction each: the benchmark does that.)"""
    path = tmp_path / "result.json"
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n "name": "Big Channel",\n "type": "public_channel",\n "id": 9,\n')
        out.write(' "messages": [')
        for number in range(1, 50_001):
            item = message(number, f"Bulletin {number}: shelling reported near Sarmin.")
            if number % 100 == 0:
                item = {"id": number, "type": "service", "date": "2024-03-12T10:00:00"}
            out.write(("\n  " if number == 1 else ",\n  ") + json.dumps(item, ensure_ascii=False))
        out.write("\n ]\n}\n")
    raw = path.read_bytes()
    assert len(raw) > 100 * 4096
    ids = set()
    for item in parse_file(path, max_bytes=4096):
        assert isinstance(item, NewDocument), item
        offset, length = item.extra["container_offset"], item.extra["container_length"]
        assert raw[offset : offset + length] == item.original
        ids.add(item.extra["message_id"])
    assert ids == {n for n in range(1, 50_001) if n % 100}


def test_a_telegram_export_is_stored_whole_by_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    messages = [message(n, f"Bulletin {n}: shelling reported near Sarmin.") for n in range(1, 301)]
    path.write_text(json.dumps(telegram_export(messages), indent=1), encoding="utf-8")
    code, report = cli("ingest", "--db", str(tmp_path / "m.db"), "--json", str(path))
    assert code == 0 and report["stored"] == 300 and not report["errors"]
    ids = {d.extra["message_id"] for d, _ in stored(tmp_path / "m.db")}
    assert ids == set(range(1, 301))
    code, _ = cli("verify", "--db", str(tmp_path / "m.db"))
    assert code == 0


# -- WhatsApp ----------------------------------------------------------------------------------

ANDROID = (
    "12/03/2024, 13:58 - Messages and calls are end-to-end encrypted. No one outside of this "
    "chat can read them.\n"
    "12/03/2024, 14:05 - Samir Haddad: An air strike hit the market in Ariha on 12 March 2024,\n"
    "killing five civilians.\n"
    "12/03/2024, 14:06 - Samir Haddad: <Media omitted>\n"
    "13/03/2024, 09:15 - Layla Darwish: Shelling hit Kansafra this morning, wounding three.\n"
    "31/02/2024, 09:20 - Layla Darwish: a message with an impossible date\n"
    "13/03/2024, 09:30 - Layla Darwish added Omar\n"
)
IOS = (
    "\u200e[12/03/2024, 14:05:33] Samir Haddad: \u200eimage omitted\n"
    "[12/03/2024, 14:07:10] Samir Haddad: Two children were injured in Sarmada.\n"
    "\u200e<attached: 00000012-PHOTO-2024-03-12.jpg>\n"
)


def test_whatsapp_export_messages_are_restricted_and_senders_masked(tmp_path: Path) -> None:
    (tmp_path / "WhatsApp Chat with Ariha monitors.txt").write_text(ANDROID, encoding="utf-8")
    (tmp_path / "ios.txt").write_text(IOS, encoding="utf-8")
    (tmp_path / "report.txt").write_text(  # a report that opens with a time stamp
        "12/03/2024, 14:05 - Ariha: the market was struck.\n"
        "Witnesses said five civilians were killed and the fire spread.\n"
        "Civil defence teams worked through the night.\n",
        encoding="utf-8",
    )
    code, report = ingest_and_extract(tmp_path / "m.db", tmp_path)
    assert code == 1
    assert "line 6: the time stamp is not a real date and time" in reasons(report)
    docs = {d.original_name.rsplit("/", 1)[-1]: (d, c) for d, c in stored(tmp_path / "m.db")}
    assert set(docs) == {
        "WhatsApp Chat with Ariha monitors.txt#2",
        "WhatsApp Chat with Ariha monitors.txt#5",
        "ios.txt#2",
        "report.txt",
    }
    doc, claims = docs["WhatsApp Chat with Ariha monitors.txt#2"]
    assert doc.text == STRIKE.replace("2024, ", "2024,\n")
    assert doc.sensitivity == "restricted" and doc.published.isoformat() == "2024-03-12"
    assert doc.source.name == "WhatsApp: Ariha monitors"  # the chat, never the sender
    assert doc.extra["sender"] == "Samir Haddad" and doc.extra["date_order"] == "day-first"
    assert doc.media_type == "text/plain"
    assert any("killing five civilians" in cited(doc.text, c) for c in claims)
    assert docs["ios.txt#2"][0].extra["media"] == ["00000012-PHOTO-2024-03-12.jpg"]
    assert docs["ios.txt#2"][0].text == "Two children were injured in Sarmada."
    assert docs["report.txt"][0].sensitivity == "internal"  # read as the report it is
    store = Store(database_url(str(tmp_path / "m.db")))
    try:
        shown = store.disclosure("public").show("Samir Haddad and Layla Darwish wrote.")
    finally:
        store.close()
    assert "Samir Haddad" not in shown and "Layla Darwish" not in shown


def test_whatsapp_odd_lines_are_named_and_the_messages_go_in(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("a line someone typed above the chat\n" + ANDROID, "utf-8")
    items = parsed(chat)
    errors = [str(i) for i in items if not isinstance(i, NewDocument)]
    assert errors == [
        f"{chat}: line 1: not a chat line (no time stamp, no message above)",
        f"{chat}: line 7: the time stamp is not a real date and time (day is out of range "
        "for month)",
    ]
    texts = [i.text for i in items if isinstance(i, NewDocument)]
    assert texts == [
        STRIKE.replace("2024, ", "2024,\n"),
        "Shelling hit Kansafra this morning, wounding three.",
    ]
