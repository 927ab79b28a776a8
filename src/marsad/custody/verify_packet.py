#!/usr/bin/env python3
"""Check a Marsad evidence packet with Python's standard library alone.

Unzip the packet into an empty folder and run ``python3 -I verify_packet.py`` there (or give
the folder as an argument). It checks:

1. every file against ``manifest.json`` (SHA-256 and size), and that no file was added;
2. ``ledger/chain.jsonl``: each entry's hash recomputed from its fields, each link to the one
   before, each payload carried against its hash;
3. that the ledger recorded this very manifest (the ``packet`` entry), so the chain covers it;
4. each original against its SHA-256 and against the ledger entry that recorded its ingest;
5. each checkpoint's head against the chain, and its Ed25519 signature when the
   ``cryptography`` package can be imported (said plainly when it cannot);
6. each RFC 3161 time-stamp token's hash against the checkpoint it stamps (the authority's
   own signature on it is left to ``openssl ts -verify``, named in README.txt).

It prints each problem with the file it is in and exits 1 if there is any, 0 otherwise.
This file is written by Marsad into every packet and imports nothing outside the standard
library, so that a recipient can read it and run it without installing anything.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
SEPARATOR = "\x1f"  # between the hashed fields of a ledger entry
SHA256_OID = bytes.fromhex("0609608648016503040201")


class Findings:
    """Problems (the packet fails) and notes (what was checked, or could not be)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(message)
        print(f"FAIL  {message}")

    @staticmethod
    def note(message: str) -> None:
        print(f"ok    {message}")

    @staticmethod
    def warn(message: str) -> None:
        print(f"note  {message}")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_json(path: Path, name: str, findings: Findings) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        findings.fail(f"{name}: cannot be read as JSON ({exc})")
        return None


# -- 1. the manifest -----------------------------------------------------------------------


def check_manifest(root: Path, findings: Findings) -> dict[str, Any] | None:
    manifest = read_json(root / "manifest.json", "manifest.json", findings)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        findings.fail("manifest.json: not a packet manifest")
        return None
    listed: set[str] = set()
    for item in manifest["files"]:
        name = str(item.get("path", ""))
        if name.startswith("/") or ".." in Path(name).parts:
            findings.fail(f"manifest.json: refuses the path {name!r}")
            continue
        listed.add(name)
        path = root / name
        if not path.is_file():
            findings.fail(f"{name}: listed in manifest.json but missing")
        elif path.stat().st_size != item.get("size") or file_sha256(path) != item.get("sha256"):
            findings.fail(f"{name}: its content does not match its SHA-256 in manifest.json")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if name in listed or name == "manifest.json" or self_checked(name):
            continue
        if "__pycache__" not in name:
            findings.fail(f"{name}: not part of the packet (not in manifest.json)")
    findings.note(f"manifest.json: {len(listed)} files listed")
    return manifest


def self_checked(name: str) -> bool:
    """Files left out of the manifest because they are checked by their own hashes and
    signatures (and hold the manifest's hash, so they are written after it)."""
    if name == "ledger/chain.jsonl":
        return True
    folder, _, rest = name.partition("/")
    return folder == "checkpoints" and rest.endswith(".json") and "/" not in rest


# -- 2. the ledger chain -------------------------------------------------------------------


def entry_hash(entry: dict[str, Any], prev_hash: str) -> str:
    fields = [
        prev_hash,
        str(entry["seq"]),
        entry["time"],
        entry["actor"],
        entry["action"],
        entry["subject_type"],
        entry["subject_id"],
        entry["payload_hash"],
    ]
    return sha256_hex(SEPARATOR.join(fields))


def load_chain(root: Path, findings: Findings) -> list[dict[str, Any]]:
    name = "ledger/chain.jsonl"
    try:
        lines = (root / name).read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError) as exc:
        findings.fail(f"{name}: cannot be read ({exc})")
        return []
    chain: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
            check_entry(entry, chain[-1] if chain else None)
        except (ValueError, KeyError, TypeError) as exc:
            findings.fail(f"{name} line {number}: {exc}")
            return chain
        chain.append(entry)
    if not chain:
        findings.fail(f"{name}: no entries")
    else:
        first, last = chain[0]["seq"], chain[-1]["seq"]
        findings.note(f"{name}: entries {first} to {last} recomputed, every link holds")
    return chain


def check_entry(entry: dict[str, Any], before: dict[str, Any] | None) -> None:
    """Raises ValueError naming what is wrong with one entry of the chain."""
    seq = entry["seq"]
    if before is not None:
        if seq != before["seq"] + 1:
            raise ValueError(f"entry {seq} follows entry {before['seq']}: entries are missing")
        if entry["prev_hash"] != before["entry_hash"]:
            raise ValueError(f"entry {seq} does not link to the entry before it")
    if entry_hash(entry, entry["prev_hash"]) != entry["entry_hash"]:
        raise ValueError(f"entry {seq} was altered: its hash does not match its fields")
    if "payload" in entry and sha256_hex(entry["payload"]) != entry["payload_hash"]:
        raise ValueError(f"entry {seq} was altered: its payload does not match its hash")


def payload(entry: dict[str, Any]) -> dict[str, Any]:
    try:
        found = json.loads(entry.get("payload") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


# -- 3. the packet entry, 4. originals and records -----------------------------------------


def check_packet_entry(root: Path, chain: list[dict[str, Any]], findings: Findings) -> None:
    digest = file_sha256(root / "manifest.json")
    for entry in chain:
        if entry["action"] == "packet" and payload(entry).get("manifest_sha256") == digest:
            findings.note(f"manifest.json: recorded in ledger entry {entry['seq']}")
            return
    findings.fail("manifest.json: no ledger entry in the packet records this manifest")


def check_originals(root: Path, chain: list[dict[str, Any]], findings: Findings) -> None:
    ingested = {
        e["subject_id"]: payload(e)
        for e in chain
        if e["action"] == "ingest" and e["subject_type"] == "document"
    }
    documents = sorted((root / "records" / "documents").glob("*.json"))
    for record_path in documents:
        record = read_json(record_path, record_path.relative_to(root).as_posix(), findings)
        if not isinstance(record, dict):
            continue
        doc_id = str(record.get("id"))
        name = f"originals/{doc_id}"
        original = root / name
        if not original.is_file():
            findings.fail(f"{name}: the original of a document in the packet is missing")
            continue
        if file_sha256(original) != doc_id:
            findings.fail(f"{name}: its bytes do not match its SHA-256 (the document's id)")
        recorded = ingested.get(doc_id)
        if recorded is None or recorded.get("sha256") != doc_id:
            findings.fail(f"{name}: no ledger entry in the packet records its ingest")
        elif recorded.get("size") != original.stat().st_size:
            findings.fail(f"{name}: its size is not the size the ledger recorded")
    findings.note(f"originals/: {len(documents)} originals checked against the ledger")


def check_incidents(root: Path, chain: list[dict[str, Any]], findings: Findings) -> None:
    ledgered: dict[str, str] = {}
    for entry in chain:  # in order: the last entry that hashed a record wins
        recorded = payload(entry).get("record_sha256")
        if recorded and entry["subject_type"] == "incident":
            ledgered[entry["subject_id"]] = recorded
    for path in sorted((root / "records" / "incidents").glob("*.json")):
        name = path.relative_to(root).as_posix()
        record = read_json(path, name, findings)
        if not isinstance(record, dict):
            continue
        digest = sha256_hex(canonical(record.get("data")))
        if digest != record.get("record_sha256"):
            findings.fail(f"{name}: its data does not match its own record_sha256")
        elif ledgered.get(str(record.get("id"))) == digest:
            findings.note(f"{name}: the record the ledger last hashed")
        else:
            findings.warn(f"{name}: differs from the record resolution last ledgered (later edits)")


# -- 5. checkpoints ------------------------------------------------------------------------


def signature_checker() -> Any:
    """``cryptography``'s Ed25519 public-key loader, or None when it cannot be imported."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None
    return Ed25519PublicKey


def check_checkpoints(
    root: Path, chain: list[dict[str, Any]], expect_key: str | None, findings: Findings
) -> dict[str, str]:
    """Checks every checkpoint; returns each checkpoint file's SHA-256 -> its name."""
    by_seq = {e["seq"]: e for e in chain}
    # each checkpoint is logged by the entry after its head; the latest one is not yet
    logged_statements = {
        payload(e).get("seq"): payload(e).get("statement_sha256")
        for e in chain
        if e["action"] == "checkpoint"
    }
    files: dict[str, str] = {}
    covered = False
    for path in sorted((root / "checkpoints").glob("*.json")):
        name = path.relative_to(root).as_posix()
        statement = read_json(path, name, findings)
        if not isinstance(statement, dict) or "signature" not in statement:
            findings.fail(f"{name}: not a checkpoint")
            continue
        files_sha = file_sha256(path)
        files[files_sha] = name
        body = {k: v for k, v in statement.items() if k != "signature"}
        entry = by_seq.get(body.get("seq"))
        if entry is None or entry["entry_hash"] != body.get("head"):
            findings.fail(f"{name}: its head is not the chain's entry {body.get('seq')}")
            continue
        covered = covered or entry is chain[-1]
        logged = logged_statements.get(body.get("seq"))
        if logged is not None and logged != files_sha:
            findings.fail(f"{name}: not the checkpoint the ledger recorded for entry {body['seq']}")
            continue
        check_signature(name, body, str(statement["signature"]), expect_key, findings)
    if chain and not covered:
        last = chain[-1]["seq"]
        findings.fail(f"checkpoints/: no checkpoint signs the end of the chain (entry {last})")
    return files


def check_signature(
    name: str, body: dict[str, Any], signature: str, expect_key: str | None, findings: Findings
) -> None:
    try:
        public = base64.b64decode(str(body.get("public_key")), validate=True)
        signed = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error):
        findings.fail(f"{name}: its key or signature is not base64")
        return
    fingerprint = hashlib.sha256(public).hexdigest()[:32]
    if fingerprint != body.get("key_fingerprint"):
        findings.fail(f"{name}: its key_fingerprint is not its key's")
        return
    if expect_key and fingerprint != expect_key.replace(":", "").lower():
        findings.fail(f"{name}: signed by key {fingerprint}, not the expected {expect_key}")
    who = f"key {fingerprint} ({body.get('actor')}, {body.get('time')})"
    loader = signature_checker()
    if loader is None:
        findings.warn(
            f"{name}: head {body.get('seq')} matches the chain; its Ed25519 signature is NOT "
            f"checked, because the 'cryptography' package is not installed. Signed by {who}: "
            "compare that fingerprint with the one the organisation publishes."
        )
        return
    try:
        loader.from_public_bytes(public).verify(signed, canonical(body).encode("utf-8"))
    except Exception:  # cryptography's InvalidSignature, or a malformed key
        findings.fail(f"{name}: the Ed25519 signature does not match (claims {who})")
        return
    findings.note(f"{name}: head {body.get('seq')} matches the chain; signature valid, {who}")


# -- 6. time-stamp tokens ------------------------------------------------------------------


def der_children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """The (tag, content start, content end) of each DER element between start and end."""
    found = []
    while start < end:
        tag, length = data[start], data[start + 1]
        start += 2
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 4:
                raise ValueError("unsupported DER length")
            length = int.from_bytes(data[start : start + count], "big")
            start += count
        if start + length > end:
            raise ValueError("truncated DER")
        found.append((tag, start, start + length))
        start += length
    return found


def read_token(data: bytes) -> tuple[bytes, str]:
    """The hashed message (SHA-256) and the time of an RFC 3161 TimeStampResp."""
    (_, s, e), *_ = der_children(data, 0, len(data))
    status, token = der_children(data, s, e)[:2]
    granted = der_children(data, status[1], status[2])[0]
    if data[granted[1] : granted[2]] not in (b"\x00", b"\x01"):
        raise ValueError("the authority did not grant it")
    signed = der_children(data, *der_children(data, token[1], token[2])[1][1:])[0]
    encap = der_children(data, signed[1], signed[2])[2]
    wrapped = der_children(data, encap[1], encap[2])[1]
    octets = der_children(data, wrapped[1], wrapped[2])[0]
    tst = der_children(data, octets[1], octets[2])[0]
    fields = der_children(data, tst[1], tst[2])
    imprint = der_children(data, fields[2][1], fields[2][2])
    algorithm = der_children(data, imprint[0][1], imprint[0][2])[0]
    if data[algorithm[1] - 2 : algorithm[2]] != SHA256_OID:
        raise ValueError("not a SHA-256 imprint")
    gen_time = data[fields[4][1] : fields[4][2]].decode("ascii")
    return data[imprint[1][1] : imprint[1][2]], gen_time


def check_timestamps(root: Path, checkpoints: dict[str, str], findings: Findings) -> None:
    for path in sorted((root / "timestamps").glob("*.tsr")):
        name = path.relative_to(root).as_posix()
        try:
            digest, gen_time = read_token(path.read_bytes())
        except (ValueError, IndexError, UnicodeDecodeError) as exc:
            findings.fail(f"{name}: cannot be read as a time-stamp response ({exc})")
            continue
        stamped = checkpoints.get(digest.hex())
        if stamped is None:
            findings.fail(f"{name}: stamps no checkpoint in this packet")
            continue
        findings.note(
            f"{name}: stamps {stamped} at {gen_time} (the authority's signature is not "
            "checked here: see README.txt for openssl ts -verify)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a Marsad evidence packet.")
    parser.add_argument("folder", nargs="?", help="the unzipped packet (default: beside me)")
    parser.add_argument("--expect-key", help="the signing key fingerprint to require")
    args = parser.parse_args(argv)
    root = Path(args.folder or Path(__file__).resolve().parent)
    findings = Findings()
    manifest = check_manifest(root, findings)
    chain = load_chain(root, findings)
    if manifest is not None:
        check_packet_entry(root, chain, findings)
    check_originals(root, chain, findings)
    check_incidents(root, chain, findings)
    stamped = check_checkpoints(root, chain, args.expect_key, findings)
    check_timestamps(root, stamped, findings)
    if findings.problems:
        print(f"FAILED: {len(findings.problems)} problem(s) in {root}")
        return 1
    print(f"PASSED: {root} is intact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
