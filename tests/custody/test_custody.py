"""Custody outside the database: signed checkpoints, RFC 3161 time-stamps checked against a
local test authority, and evidence packets verified by Python's standard library alone.

Every person, outlet and place text here is invented for the tests."""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from rfc3161_client import _rust as rfc3161_internals
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from marsad.cli import app
from marsad.contract.document import NewDocument
from marsad.custody.checkpoint import (
    CheckpointError,
    Statement,
    make_checkpoint,
    verify_checkpoint,
)
from marsad.custody.packet import PacketError, PacketScope, write_packet
from marsad.custody.tsa import TimestampError, make_request, store_response
from marsad.jobs.resolve import resolve_store
from marsad.store import Store, ledger
from marsad.store.crypto import (
    KeyFileError,
    SigningKey,
    load_key_file,
    load_signing_key,
    write_key_file,
)
from marsad.store.models import Checkpoint, CheckpointTimestamp, LedgerEntry, LedgerHead
from resolve_claims import count, strike

runner = CliRunner()
ACTOR = "custody-tester"

# -- a local time-stamping authority ----------------------------------------------------------
#
# Its own root CA and TSA certificate, made with `cryptography`; the TimeStampResp is encoded
# here in DER by hand (tag, length, content), as RFC 3161 and RFC 5652 lay it out.


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _length(len(body)) + body


def der_seq(*parts: bytes) -> bytes:
    return tlv(0x30, b"".join(parts))


def der_set(*parts: bytes) -> bytes:
    return tlv(0x31, b"".join(sorted(parts)))  # DER orders a SET OF by encoding


def der_int(value: int) -> bytes:
    return tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def der_oid(dotted: str) -> bytes:
    first, second, *rest = (int(x) for x in dotted.split("."))
    body = bytearray([40 * first + second])
    for arc in rest:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(0x06, bytes(body))


def der_octets(data: bytes) -> bytes:
    return tlv(0x04, data)


def content_of(element: bytes) -> bytes:
    """The content of one DER element (what an IMPLICIT tag re-wraps)."""
    n = element[1]
    return element[2:] if n < 0x80 else element[2 + (n & 0x7F) :]


NULL = b"\x05\x00"
SHA256_OID = "2.16.840.1.101.3.4.2.1"
TST_INFO_OID = "1.2.840.113549.1.9.16.1.4"


def _certificate(
    subject: str, issuer: str, public: rsa.RSAPublicKey, signer: rsa.RSAPrivateKey, *, ca: bool
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
    )
    if not ca:  # RFC 3161 2.3: the TSA's certificate is for time-stamping only
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(signer, hashes.SHA256())


class LocalTsa:
    """Answers time-stamp queries as a real authority would, from a CA made for the test."""

    def __init__(self, name: str = "Invented Time Authority") -> None:
        self.ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        root = f"{name} Root"
        self.ca = _certificate(root, root, self.ca_key.public_key(), self.ca_key, ca=True)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.cert = _certificate(name, root, self.key.public_key(), self.ca_key, ca=False)
        self.serial = 100

    def ca_pem(self) -> bytes:
        return self.ca.public_bytes(Encoding.PEM)

    def respond(
        self,
        query: bytes,
        *,
        digest: bytes | None = None,
        nonce: int | None = None,
        status: int = 0,
    ) -> bytes:
        """A TimeStampResp for ``query``; ``digest``, ``nonce`` and ``status`` override what
        the query asked, to make answers that must be refused."""
        request = rfc3161_internals.parse_timestamp_request(query)
        digest = request.message_imprint.message if digest is None else digest
        nonce = request.nonce if nonce is None else nonce
        self.serial += 1
        tst_info = der_seq(
            der_int(1),
            der_oid("1.3.6.1.4.1.99999.7"),  # an invented policy
            der_seq(der_seq(der_oid(SHA256_OID), NULL), der_octets(digest)),
            der_int(self.serial),
            tlv(0x18, datetime.now(UTC).strftime("%Y%m%d%H%M%SZ").encode()),
            *([der_int(nonce)] if nonce is not None else []),
        )
        if status:
            return der_seq(der_seq(der_int(status)))
        return der_seq(der_seq(der_int(0)), self._token(tst_info))

    def _token(self, tst_info: bytes) -> bytes:
        cert_der = self.cert.public_bytes(Encoding.DER)
        attributes = der_set(
            der_seq(der_oid("1.2.840.113549.1.9.3"), der_set(der_oid(TST_INFO_OID))),
            der_seq(
                der_oid("1.2.840.113549.1.9.4"),
                der_set(der_octets(hashlib.sha256(tst_info).digest())),
            ),
            der_seq(  # signingCertificateV2: which certificate signed
                der_oid("1.2.840.113549.1.9.16.2.47"),
                der_set(der_seq(der_seq(der_seq(der_octets(hashlib.sha256(cert_der).digest()))))),
            ),
        )
        signature = self.key.sign(attributes, padding.PKCS1v15(), hashes.SHA256())
        signer_info = der_seq(
            der_int(1),
            der_seq(self.cert.issuer.public_bytes(), der_int(self.cert.serial_number)),
            der_seq(der_oid(SHA256_OID), NULL),
            tlv(0xA0, content_of(attributes)),
            der_seq(der_oid("1.2.840.113549.1.1.1"), NULL),
            der_octets(signature),
        )
        signed_data = der_seq(
            der_int(3),
            der_set(der_seq(der_oid(SHA256_OID), NULL)),
            der_seq(der_oid(TST_INFO_OID), tlv(0xA0, der_octets(tst_info))),
            tlv(0xA0, cert_der),
            der_set(signer_info),
        )
        return der_seq(der_oid("1.2.840.113549.1.7.2"), tlv(0xA0, signed_data))


@pytest.fixture(scope="module")
def tsa() -> LocalTsa:
    return LocalTsa()


# -- a store with incidents -------------------------------------------------------------------

REPORTS = [
    ("Qasr Monitor", "2023-10-06", 6, "Shelling struck the Ariha market; six civilians died."),
    ("Valley Voice", "2023-10-06", 7, "Seven people were killed in Ariha when a strike hit."),
    ("Orchard Post", "2023-11-02", 3, "A strike in Kafr Tall killed three farm workers."),
]


def fill(store: Store) -> None:
    for source, day, killed, body in REPORTS:
        where = "Kafr Tall" if "Kafr Tall" in body else "Ariha"
        doc = store.add_document(
            NewDocument(
                original=f"{source}\r\n{day}\r\n{body}\r\n".encode(),
                original_name=f"{source.lower().replace(' ', '-')}-{day}.txt",
                media_type="text/plain",
                text=body,
                title=body[:40],
                source=source,
                published=day,
                sensitivity="public",
            ),
            actor=ACTOR,
        )
        run = store.start_run(engine="test", engine_version="1", actor=ACTOR)
        claim = strike(where, day, killed=count("killed", killed, killed))
        store.replace_claims(doc.document_id, [claim], run_id=run, actor=ACTOR)
    resolve_store(store, actor=ACTOR)


@pytest.fixture
def filled(store: Store) -> Store:
    fill(store)
    return store


@pytest.fixture(scope="module")
def signing_key() -> SigningKey:
    return SigningKey.generate()


def raw(store: Store, sql: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


# -- the key file -----------------------------------------------------------------------------


def test_key_init_writes_an_encryption_and_a_signing_key(tmp_path: Path) -> None:
    path = tmp_path / "org.key"
    result = runner.invoke(app, ["key", "init", "--key-file", str(path)])
    assert result.exit_code == 0, result.output
    body = json.loads(path.read_text())
    assert set(body) == {"version", "aes_gcm_256", "ed25519"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    signing = load_signing_key(path)
    assert signing.fingerprint in result.output
    shown = runner.invoke(app, ["key", "show", "--key-file", str(path), "--json"])
    found = json.loads(shown.output)
    assert found["signing_fingerprint"] == signing.fingerprint
    assert found["encryption_fingerprint"] == load_key_file(path).fingerprint
    assert body["ed25519"] not in shown.output and body["aes_gcm_256"] not in shown.output


def test_add_signing_leaves_the_encryption_key_untouched(tmp_path: Path) -> None:
    from marsad.store.crypto import StoreKey

    path = tmp_path / "old.key"
    write_key_file(path, StoreKey.generate())  # a key file from before signing keys
    before = json.loads(path.read_text())
    with pytest.raises(KeyFileError, match="no signing key"):
        load_signing_key(path)
    added = runner.invoke(app, ["key", "add-signing", "--key-file", str(path)])
    assert added.exit_code == 0, added.output
    after = json.loads(path.read_text())
    assert after["aes_gcm_256"] == before["aes_gcm_256"] and "ed25519" in after
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_signing_key(path).fingerprint in added.output
    again = runner.invoke(app, ["key", "add-signing", "--key-file", str(path)])
    assert again.exit_code == 2 and "already holds a signing key" in again.output
    assert json.loads(path.read_text()) == after
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_a_signing_only_key_file_is_not_taken_for_an_encryption_key(tmp_path: Path) -> None:
    path = tmp_path / "sign.key"
    assert (
        runner.invoke(app, ["key", "init", "--signing-only", "--key-file", str(path)]).exit_code
        == 0
    )
    assert set(json.loads(path.read_text())) == {"version", "ed25519"}
    with pytest.raises(KeyFileError, match="only a signing key"):
        load_key_file(path)
    assert len(load_signing_key(path).public_raw) == 32


# -- checkpoints ------------------------------------------------------------------------------


def entry(store: Store, seq: int) -> LedgerEntry:
    with store.reading() as session:
        found = session.get(LedgerEntry, seq)
        assert found is not None
        return found


def test_checkpoint_signs_the_head_and_is_kept_and_logged(
    filled: Store, signing_key: SigningKey
) -> None:
    with filled.reading() as session:
        head_before = session.get(LedgerHead, 1)
    assert head_before is not None
    checkpoint_id, statement = make_checkpoint(filled, signing_key, actor=ACTOR)
    assert (statement.seq, statement.head) == (head_before.seq, head_before.entry_hash)
    assert statement.body["entries"] == head_before.seq
    assert statement.fingerprint == signing_key.fingerprint and statement.signature_valid()
    with filled.reading() as session:
        row = session.get(Checkpoint, checkpoint_id)
        assert row is not None and row.statement == statement.text()
    logged = entry(filled, statement.seq + 1)
    assert (logged.action, logged.subject_id) == ("checkpoint", str(checkpoint_id))
    assert (
        json.loads(logged.payload)["statement_sha256"]
        == hashlib.sha256(statement.file_bytes()).hexdigest()
    )
    parsed = Statement.parse(statement.file_bytes())
    check = verify_checkpoint(filled, parsed, own_key=signing_key)
    assert check.ok and check.key_is_yours, check.problems
    assert check.entries_checked == statement.seq
    assert filled.verify().ok


def test_an_empty_ledger_or_a_broken_one_is_not_signed(
    store: Store, signing_key: SigningKey
) -> None:
    with pytest.raises(CheckpointError, match="empty"):
        make_checkpoint(store, signing_key, actor=ACTOR)
    fill(store)
    raw(store, "UPDATE ledger SET payload = '{}' WHERE seq = 2")
    with pytest.raises(CheckpointError, match="does not verify"):
        make_checkpoint(store, signing_key, actor=ACTOR)


def rehash_from(store: Store, seq: int, payload: str) -> None:
    """Rewrite entry ``seq``'s payload and re-hash every entry after it, as someone holding
    the database (but not the signing key) would, so that the chain is consistent again."""
    with store.reading() as session:
        entries = list(session.execute(select(LedgerEntry).order_by(LedgerEntry.seq)).scalars())
    previous = ledger.GENESIS_HASH
    for e in entries:
        if e.seq == seq:
            e.payload, e.payload_hash = payload, ledger.sha256_hex(payload)
        if e.seq >= seq:
            e.prev_hash = previous
            e.entry_hash = ledger.entry_hash(
                prev_hash=previous,
                seq=e.seq,
                time=e.time,
                actor=e.actor,
                action=e.action,
                subject_type=e.subject_type,
                subject_id=e.subject_id,
                payload_hash=e.payload_hash,
            )
            raw(
                store,
                "UPDATE ledger SET payload = :p, payload_hash = :ph, prev_hash = :prev, "
                "entry_hash = :h WHERE seq = :s",
                p=e.payload,
                ph=e.payload_hash,
                prev=e.prev_hash,
                h=e.entry_hash,
                s=e.seq,
            )
        previous = e.entry_hash
    with store.transaction() as session:
        session.execute(update(LedgerHead).values(seq=entries[-1].seq, entry_hash=previous))


def remove_last_and_fix_head(store: Store, seq: int) -> None:
    before = entry(store, seq - 1)
    raw(store, "DELETE FROM ledger WHERE seq >= :s", s=seq)
    raw(
        store, "UPDATE ledger_head SET seq = :s, entry_hash = :h", s=before.seq, h=before.entry_hash
    )


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        ("edit", "entry 2 was altered"),
        ("remove_middle", "entries 3 to 3 were removed"),
        ("remove_last", "is no longer in the ledger"),
        ("rewrite", "no longer ends in the signed head hash"),
    ],
)
def test_verify_checkpoint_names_each_rewrite(
    filled: Store, signing_key: SigningKey, tamper: str, named: str
) -> None:
    _, statement = make_checkpoint(filled, signing_key, actor=ACTOR)
    if tamper == "edit":
        raw(filled, "UPDATE ledger SET actor = 'someone-else' WHERE seq = 2")
    elif tamper == "remove_middle":
        raw(filled, "DELETE FROM ledger WHERE seq = 3")
    elif tamper == "remove_last":
        remove_last_and_fix_head(filled, statement.seq)
    else:
        rehash_from(filled, 2, '{"sha256":"forged"}')
        assert filled.verify().ok  # the chain alone no longer shows it: the checkpoint does
    check = verify_checkpoint(filled, statement)
    assert not check.ok and check.signature_ok
    assert any(named in p for p in check.problems), check.problems


def test_a_forged_or_foreign_checkpoint_is_told_apart(
    filled: Store, signing_key: SigningKey
) -> None:
    _, statement = make_checkpoint(filled, signing_key, actor=ACTOR)
    forged = Statement({**statement.body, "seq": statement.seq - 1}, statement.signature)
    check = verify_checkpoint(filled, forged, own_key=signing_key)
    assert not check.signature_ok and not check.ok
    other = SigningKey.generate()
    _, foreign = make_checkpoint(filled, other, actor="another-org")
    found = verify_checkpoint(filled, foreign, own_key=signing_key)
    assert found.ok and found.key_is_yours is False
    assert found.fingerprint == other.fingerprint != signing_key.fingerprint


def test_checkpoint_and_verify_on_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    key = tmp_path / "sign.key"
    assert (
        runner.invoke(app, ["key", "init", "--signing-only", "--key-file", str(key)]).exit_code == 0
    )
    store = Store(f"sqlite:///{db}")
    fill(store)
    store.close()
    out = tmp_path / "cp.json"
    made = runner.invoke(app, ["checkpoint", "--db", db, "--signing-key", str(key), "-o", str(out)])
    assert made.exit_code == 0, made.output
    assert out.read_bytes() == Statement.parse(out.read_bytes()).file_bytes()
    env = {"MARSAD_SIGNING_KEY": str(key)}
    ok = runner.invoke(app, ["verify", "--db", db, "--checkpoint", str(out)], env=env)
    assert ok.exit_code == 0, ok.output
    assert load_signing_key(key).fingerprint in ok.output and "your key file" in ok.output
    store = Store(f"sqlite:///{db}")
    raw(store, "UPDATE ledger SET time = '2020-01-01T00:00:00+00:00' WHERE seq = 4")
    store.close()
    bad = runner.invoke(app, ["verify", "--db", db, "--checkpoint", str(out), "--json"], env=env)
    assert bad.exit_code == 1
    assert any("entry 4" in p for p in json.loads(bad.output)["checkpoint"]["problems"])
    nothing = runner.invoke(app, ["checkpoint", "--db", db])
    assert nothing.exit_code == 2 and "say what to do" in nothing.output


# -- trusted time -----------------------------------------------------------------------------


def test_a_timestamp_from_the_authority_is_checked_stored_and_logged(
    filled: Store, signing_key: SigningKey, tsa: LocalTsa
) -> None:
    checkpoint_id, statement = make_checkpoint(filled, signing_key, actor=ACTOR)
    asked_for, query = make_request(filled)
    assert asked_for == checkpoint_id
    parsed = rfc3161_internals.parse_timestamp_request(query)
    assert parsed.message_imprint.message == hashlib.sha256(statement.file_bytes()).digest()
    answer = tsa.respond(query)
    token = store_response(filled, answer, tsa.ca_pem(), actor=ACTOR)
    assert (token.checkpoint_id, token.checkpoint_seq) == (checkpoint_id, statement.seq)
    assert "Invented Time Authority" in token.tsa
    assert abs(datetime.fromisoformat(token.gen_time) - datetime.now(UTC)) < timedelta(minutes=5)
    with filled.reading() as session:
        row = session.execute(select(CheckpointTimestamp)).scalar_one()
        head = session.get(LedgerHead, 1)
    assert row.response == answer and row.request == query and row.verified_at
    assert head is not None
    logged = entry(filled, head.seq)
    assert logged.action == "timestamp"
    assert json.loads(logged.payload)["token_sha256"] == hashlib.sha256(answer).hexdigest()
    with pytest.raises(TimestampError, match="already stored"):
        store_response(filled, answer, tsa.ca_pem(), actor=ACTOR)


def _flip_last_signature_byte(answer: bytes) -> bytes:
    changed = bytearray(answer)
    changed[-3] ^= 0x01  # inside the RSA signature, the last element of the token
    return bytes(changed)


@pytest.mark.parametrize(
    ("answer_for", "refused"),
    [
        ("other_hash", "Mismatch between messages"),
        ("other_nonce", "answers no time-stamp query"),
        ("other_authority", "does not check"),
        ("altered_signature", "does not check"),
        ("rejection", "refused the query"),
        ("not_der", "not an RFC 3161"),
    ],
)
def test_a_timestamp_that_does_not_check_is_refused(
    filled: Store, signing_key: SigningKey, tsa: LocalTsa, answer_for: str, refused: str
) -> None:
    make_checkpoint(filled, signing_key, actor=ACTOR)
    _, query = make_request(filled)
    ca = tsa.ca_pem()
    if answer_for == "other_hash":
        answer = tsa.respond(query, digest=hashlib.sha256(b"another statement").digest())
    elif answer_for == "other_nonce":
        answer = tsa.respond(query, nonce=12345)
    elif answer_for == "other_authority":
        answer, ca = tsa.respond(query), LocalTsa("Unrelated Authority").ca_pem()
    elif answer_for == "altered_signature":
        answer = _flip_last_signature_byte(tsa.respond(query))
    elif answer_for == "rejection":
        answer = tsa.respond(query, status=2)
    else:
        answer = b"<html>proxy error</html>"
    with pytest.raises(TimestampError, match=refused):
        store_response(filled, answer, ca, actor=ACTOR)
    with filled.reading() as session:
        assert session.execute(select(CheckpointTimestamp.response)).scalar_one() is None


def test_timestamps_on_the_command_line(tmp_path: Path, tsa: LocalTsa) -> None:
    db = str(tmp_path / "cli.db")
    key = tmp_path / "sign.key"
    runner.invoke(app, ["key", "init", "--signing-only", "--key-file", str(key)])
    store = Store(f"sqlite:///{db}")
    fill(store)
    store.close()
    query, answer, ca = tmp_path / "q.tsq", tmp_path / "r.tsr", tmp_path / "ca.pem"
    made = runner.invoke(
        app,
        [
            "checkpoint",
            "--db",
            db,
            "--signing-key",
            str(key),
            "-o",
            str(tmp_path / "c.json"),
            "--tsa-request",
            str(query),
        ],
    )
    assert made.exit_code == 0, made.output
    answer.write_bytes(tsa.respond(query.read_bytes()))
    ca.write_bytes(tsa.ca_pem())
    stored = runner.invoke(
        app, ["checkpoint", "--db", db, "--tsa-response", str(answer), "--tsa-ca", str(ca)]
    )
    assert stored.exit_code == 0, stored.output
    assert "Time-stamp stored" in stored.output and "Invented Time Authority" in stored.output
    again = runner.invoke(
        app, ["checkpoint", "--db", db, "--tsa-response", str(answer), "--tsa-ca", str(ca)]
    )
    assert again.exit_code == 2 and "already stored" in again.output
    no_ca = runner.invoke(app, ["checkpoint", "--db", db, "--tsa-response", str(answer)])
    assert no_ca.exit_code == 2 and "--tsa-ca" in no_ca.output


# -- evidence packets -------------------------------------------------------------------------


def stamped_packet(store: Store, key: SigningKey, tsa: LocalTsa, out: Path) -> Path:
    """A packet of every incident, after a checkpoint that a time-stamp anchors."""
    make_checkpoint(store, key, actor=ACTOR)
    _, query = make_request(store)
    store_response(store, tsa.respond(query), tsa.ca_pem(), actor=ACTOR)
    with store.reading() as session:
        ids = [
            int(i) for i in session.execute(text("SELECT id FROM incidents ORDER BY id")).scalars()
        ]
    write_packet(store, PacketScope(incident_ids=ids), out, signing_key=key, actor=ACTOR)
    return out


def unzip(packet: Path, into: Path) -> Path:
    into.mkdir()
    with zipfile.ZipFile(packet) as archive:
        archive.extractall(into)
    return into


def run_verifier(folder: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    """verify_packet.py in an isolated interpreter: ``-I`` ignores the environment and the
    user's site, ``-S`` the site-packages (no Marsad, no third-party package is importable)."""
    return subprocess.run(
        [sys.executable, *flags, "verify_packet.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_packet_verifies_with_the_standard_library_alone(
    filled: Store, signing_key: SigningKey, tsa: LocalTsa, tmp_path: Path
) -> None:
    packet = stamped_packet(filled, signing_key, tsa, tmp_path / "packet.zip")
    assert stat.S_IMODE(packet.stat().st_mode) == 0o600
    folder = unzip(packet, tmp_path / "empty")
    bare = run_verifier(folder, "-I", "-S")
    assert bare.returncode == 0, bare.stdout + bare.stderr
    assert "PASSED" in bare.stdout and "FAIL" not in bare.stdout
    assert "signature is NOT checked" in bare.stdout and signing_key.fingerprint in bare.stdout
    assert "stamps checkpoints/" in bare.stdout  # the token's hash is its checkpoint's
    fresh = tmp_path / "fresh-venv"  # an interpreter with nothing installed at all
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    alone = subprocess.run(
        [str(fresh / "bin" / "python"), "-I", "verify_packet.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert alone.returncode == 0 and "PASSED" in alone.stdout, alone.stdout + alone.stderr
    with_crypto = run_verifier(folder, "-I")
    assert with_crypto.returncode == 0, with_crypto.stdout
    assert "signature valid" in with_crypto.stdout and "NOT checked" not in with_crypto.stdout
    for _, day, _, body in REPORTS:  # the originals, byte for byte
        original = next(
            p for p in (folder / "originals").iterdir() if body.encode() in p.read_bytes()
        )
        assert original.name == hashlib.sha256(original.read_bytes()).hexdigest()
        assert f"{day}\r\n".encode() in original.read_bytes()


def test_packet_is_recorded_in_the_ledger_and_covered_by_a_checkpoint(
    filled: Store, signing_key: SigningKey, tsa: LocalTsa, tmp_path: Path
) -> None:
    folder = unzip(stamped_packet(filled, signing_key, tsa, tmp_path / "p.zip"), tmp_path / "p")
    manifest_sha = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    with filled.reading() as session:
        logged = session.execute(
            select(LedgerEntry).where(LedgerEntry.action == "packet")
        ).scalar_one()
        latest = (
            session.execute(select(Checkpoint).order_by(Checkpoint.id.desc())).scalars().first()
        )
    assert json.loads(logged.payload)["manifest_sha256"] == manifest_sha
    assert latest is not None and latest.seq >= logged.seq
    assert (
        folder / "checkpoints" / f"{latest.seq}-{latest.id}.json"
    ).read_text() == latest.statement
    chain = [
        json.loads(line) for line in (folder / "ledger" / "chain.jsonl").read_text().splitlines()
    ]
    assert chain[-1]["seq"] == latest.seq
    assert [e["seq"] for e in chain] == list(range(chain[0]["seq"], latest.seq + 1))
    listed = {f["path"] for f in json.loads((folder / "manifest.json").read_text())["files"]}
    assert "verify_packet.py" in listed and any(p.startswith("timestamps/") for p in listed)
    assert "RESTRICTED" in (folder / "README.txt").read_text()


@pytest.fixture
def packet_folder(
    sqlite_store: Store, signing_key: SigningKey, tsa: LocalTsa, tmp_path: Path
) -> Path:
    fill(sqlite_store)
    return unzip(stamped_packet(sqlite_store, signing_key, tsa, tmp_path / "p.zip"), tmp_path / "u")


def _change_one_byte(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    at = data.index(old)
    assert len(old) == len(new) == 1
    path.write_bytes(data[:at] + new + data[at + 1 :])


def _ingest_line_actor(folder: Path) -> Path:
    chain = folder / "ledger" / "chain.jsonl"
    lines = chain.read_text().splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if '"action":"ingest"' in line)
    lines[n] = lines[n].replace(f'"actor":"{ACTOR}"', f'"actor":"{ACTOR[:-1]}X"')
    chain.write_text("".join(lines))
    return chain


@pytest.mark.parametrize(
    "what", ["original", "record", "document", "ledger", "checkpoint", "earlier_checkpoint"]
)
def test_packet_fails_naming_the_file_when_one_byte_changes(packet_folder: Path, what: str) -> None:
    if what == "original":
        target = next((packet_folder / "originals").iterdir())
        _change_one_byte(target, b"\r", b"\n")
        named = f"originals/{target.name}"
    elif what == "record":
        target = packet_folder / "records" / "incidents" / "1.json"
        _change_one_byte(target, b"7", b"8")
        named = "records/incidents/1.json"
    elif what == "document":
        target = next((packet_folder / "records" / "documents").iterdir())
        _change_one_byte(target, b"a", b"b")
        named = f"records/documents/{target.name}"
    elif what == "ledger":
        _ingest_line_actor(packet_folder)
        named = "ledger/chain.jsonl line"
    elif what == "earlier_checkpoint":  # not its hashes: a field only the signature covers
        target = min(
            (packet_folder / "checkpoints").iterdir(), key=lambda p: int(p.name.split("-")[0])
        )
        _change_one_byte(target, b"u", b"v")
        named = f"checkpoints/{target.name}"
    else:
        target = max(
            (packet_folder / "checkpoints").iterdir(), key=lambda p: int(p.name.split("-")[0])
        )
        data = target.read_bytes()
        at = data.index(b'"head":"') + len(b'"head":"')
        other = b"0" if data[at : at + 1] != b"0" else b"1"
        target.write_bytes(data[:at] + other + data[at + 1 :])
        named = f"checkpoints/{target.name}"
    result = run_verifier(packet_folder, "-I", "-S")
    assert result.returncode == 1, result.stdout
    assert "FAILED" in result.stdout
    assert any(named in line for line in result.stdout.splitlines() if line.startswith("FAIL ")), (
        result.stdout
    )


def test_packet_refuses_without_a_key_or_incidents(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "packets" / "p.zip"
    with pytest.raises(PacketError, match="signing key"):
        write_packet(filled, PacketScope(incident_ids=[1]), out, signing_key=None, actor=ACTOR)
    key = SigningKey.generate()
    with pytest.raises(PacketError, match="no incident 999"):
        write_packet(filled, PacketScope(incident_ids=[999]), out, signing_key=key, actor=ACTOR)
    raw(filled, "UPDATE ledger SET actor = 'someone-else' WHERE seq = 2")
    with pytest.raises(PacketError, match="does not verify"):
        write_packet(filled, PacketScope(incident_ids=[1]), out, signing_key=key, actor=ACTOR)
    assert not out.exists() and not list(out.parent.glob("*"))
    with filled.reading() as session:  # nothing was logged for a packet never written
        assert not session.execute(select(LedgerEntry).where(LedgerEntry.action == "packet")).all()


def test_packet_by_period_on_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    key = tmp_path / "sign.key"
    runner.invoke(app, ["key", "init", "--signing-only", "--key-file", str(key)])
    store = Store(f"sqlite:///{db}")
    fill(store)
    store.close()
    out = tmp_path / "november.zip"
    made = runner.invoke(
        app,
        ["packet", "--db", db, "--from", "2023-11", "--to", "2023-11", "-o", str(out), "--json"],
        env={"MARSAD_SIGNING_KEY": str(key)},
    )
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["incidents"] == 1
    folder = unzip(out, tmp_path / "n")
    records = [json.loads(p.read_text()) for p in (folder / "records" / "incidents").iterdir()]
    assert [r["view"]["place_name"] for r in records] == ["Kafr Tall"]
    assert run_verifier(folder, "-I", "-S").returncode == 0
    empty = runner.invoke(app, ["packet", "--db", db, "-o", str(out)])
    assert empty.exit_code == 2 and "--incident" in empty.output


def test_packet_of_an_encrypted_store_holds_the_plain_originals(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    from marsad.store.crypto import StoreKey

    encrypted = Store(f"sqlite:///{tmp_path / 'sealed.db'}", key=StoreKey.generate())
    try:
        fill(encrypted)
        out = tmp_path / "sealed.zip"
        write_packet(
            encrypted, PacketScope(incident_ids=[1]), out, signing_key=signing_key, actor=ACTOR
        )
    finally:
        encrypted.close()
    folder = unzip(out, tmp_path / "sealed")
    result = run_verifier(folder, "-I", "-S")
    assert result.returncode == 0, result.stdout
    texts = b"".join(p.read_bytes() for p in (folder / "originals").iterdir())
    assert REPORTS[0][3].encode() in texts or REPORTS[1][3].encode() in texts
