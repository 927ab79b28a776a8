"""Encryption at rest for restricted content: the key file, AES-GCM, and the column types.

A store opened with a key encrypts, value by value, the fields that can name people (document
text and titles, file names, person names, the JSON records that quote them). Each value gets
its own random nonce, and its table and column as associated data, so a value copied into
another column does not decrypt. Encrypted values start with a versioned prefix
(:data:`TEXT_PREFIX`, :data:`BYTES_PREFIX`), so they are told apart from plain ones.

The cipher travels on the engine's dialect object (each engine has its own), where the column
types below find it: with no cipher there, values pass through untouched, exactly as before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import (
    JSON,
    Connection,
    Dialect,
    Engine,
    LargeBinary,
    Text,
    event,
    func,
    inspect,
    select,
    table,
)
from sqlalchemy import column as sql_column
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.types import TypeDecorator

from marsad.protect.names import canonical_name
from marsad.store.db import READ_ONLY

KEY_FILE_VERSION = 1
KEY_FIELD = "aes_gcm_256"
SIGNING_FIELD = "ed25519"
TEXT_PREFIX = "marsad:enc1:"
BYTES_PREFIX = TEXT_PREFIX.encode("ascii")
SCHEME = "aes-256-gcm/v1"
_NONCE_BYTES = 12
_DIALECT_ATTRIBUTE = "marsad_cipher"

# Top-level keys of ledger payloads whose values can carry names (file names, titles, an
# analyst's free text and corrected values); everything else in a payload stays readable.
LEDGER_PROTECTED_KEYS = frozenset(
    {"original_name", "file_name", "title", "machine", "value", "reason", "note"}
)


class KeyRequiredError(RuntimeError):
    """The store's restricted content is encrypted and this process has no key for it."""

    def __init__(self) -> None:
        super().__init__(
            "this store's restricted content is encrypted: give the key with --key-file or "
            "MARSAD_KEY_FILE"
        )


class WrongKeyError(ValueError):
    """The key given is not the one the store was encrypted with."""


class KeyFileError(ValueError):
    """A key file that cannot be read or is not a Marsad key file."""


# -- the key -----------------------------------------------------------------------------------


def _derive(secret: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"marsad/{purpose}".encode()
    ).derive(secret)


@dataclass(frozen=True, repr=False)
class StoreKey:
    """The 256-bit secret of a key file. Separate keys are derived from it for encryption,
    for name lookups and for the fingerprint, so none of them reveals another."""

    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) != 32:
            raise KeyFileError("the AES-GCM key must be 32 bytes")

    @classmethod
    def generate(cls) -> StoreKey:
        return cls(AESGCM.generate_key(bit_length=256))

    @property
    def fingerprint(self) -> str:
        """Names the key without revealing it: recorded in the store, compared at open."""
        return _derive(self.secret, "fingerprint/v1")[:16].hex()

    def __repr__(self) -> str:  # never print the secret
        return f"StoreKey(fingerprint={self.fingerprint})"


def public_key_fingerprint(public_raw: bytes) -> str:
    """How a signing key is named: the first 16 bytes of the SHA-256 of its raw 32-byte
    public key, in hex. An organisation publishes it so a reader can tell whose key signed."""
    return hashlib.sha256(public_raw).hexdigest()[:32]


@dataclass(frozen=True, repr=False)
class SigningKey:
    """The organisation's Ed25519 key that signs ledger checkpoints (``marsad checkpoint``)."""

    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, raw: bytes) -> SigningKey:
        if len(raw) != 32:
            raise KeyFileError("the Ed25519 key must be 32 bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def private_b64(self) -> str:
        raw = self.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return base64.b64encode(raw).decode("ascii")

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def fingerprint(self) -> str:
        return public_key_fingerprint(self.public_raw)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def __repr__(self) -> str:  # never print the secret
        return f"SigningKey(fingerprint={self.fingerprint})"


def write_key_file(path: Path, key: StoreKey | None, signing_key: SigningKey | None = None) -> None:
    """Create ``path`` readable by its owner only; an existing file is never overwritten.

    JSON with a version: the AES key (``aes_gcm_256``) and the Ed25519 signing key
    (``ed25519``) of checkpoints, either or both."""
    body: dict[str, Any] = {"version": KEY_FILE_VERSION}
    if key is not None:
        body[KEY_FIELD] = base64.b64encode(key.secret).decode()
    if signing_key is not None:
        body[SIGNING_FIELD] = signing_key.private_b64()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)  # whatever the umask allowed
        out.write(json.dumps(body, indent=2) + "\n")


def _read_key_body(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc}") from exc
    if not isinstance(body, dict) or body.get("version") != KEY_FILE_VERSION:
        raise KeyFileError(f"{path} is not a version {KEY_FILE_VERSION} Marsad key file")
    return body


def _decode_field(path: Path, body: dict[str, Any], field: str) -> bytes:
    try:
        return base64.b64decode(str(body[field]), validate=True)
    except (KeyError, ValueError) as exc:
        raise KeyFileError(f"{path} has no valid {field!r} key") from exc


def load_key_file(path: Path) -> StoreKey:
    body = _read_key_body(path)
    if KEY_FIELD not in body and SIGNING_FIELD in body:
        raise KeyFileError(
            f"{path} holds only a signing key, not a store's encryption key: give it as "
            "--signing-key or MARSAD_SIGNING_KEY, not as --key-file"
        )
    return StoreKey(_decode_field(path, body, KEY_FIELD))


def load_signing_key(path: Path) -> SigningKey:
    """The Ed25519 signing key of a key file; :class:`KeyFileError` if it has none."""
    body = _read_key_body(path)
    if SIGNING_FIELD not in body:
        raise KeyFileError(
            f"{path} has no signing key: add one with `marsad key add-signing --key-file {path}`"
        )
    return SigningKey.from_private_bytes(_decode_field(path, body, SIGNING_FIELD))


def add_signing_key(path: Path, signing_key: SigningKey) -> None:
    """Add ``signing_key`` to an existing key file, leaving every other value exactly as it
    was. The file is replaced atomically (a new 0600 file renamed over it), so a crash leaves
    either the old file or the new one, never a half-written key."""
    body = _read_key_body(path)
    if SIGNING_FIELD in body:
        raise FileExistsError(f"{path} already holds a signing key")
    body[SIGNING_FIELD] = signing_key.private_b64()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(json.dumps(body, indent=2) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# -- the cipher --------------------------------------------------------------------------------


class FieldCipher:
    """Encrypts and decrypts single values of one encrypted store.

    Built without a key when an encrypted store is opened without one: then every value that
    needs the key raises :class:`KeyRequiredError`, so nothing plain is ever written into it."""

    def __init__(self, key: StoreKey | None) -> None:
        self.key = key
        self._aead = AESGCM(_derive(key.secret, "aes-gcm-256/v1")) if key else None
        self._names = _derive(key.secret, "name-key/v1") if key else None

    @property
    def has_key(self) -> bool:
        return self._aead is not None

    def _need(self) -> AESGCM:
        if self._aead is None:
            raise KeyRequiredError()
        return self._aead

    def seal(self, data: bytes, where: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return BYTES_PREFIX + nonce + self._need().encrypt(nonce, data, _aad(where))

    def open(self, blob: bytes, where: str) -> bytes:
        """The plaintext; raises ``cryptography.exceptions.InvalidTag`` if it was altered."""
        body = blob[len(BYTES_PREFIX) :]
        nonce, sealed = body[:_NONCE_BYTES], body[_NONCE_BYTES:]
        return self._need().decrypt(nonce, sealed, _aad(where))

    def seal_text(self, value: str, where: str) -> str:
        sealed = self.seal(value.encode("utf-8"), where)[len(BYTES_PREFIX) :]
        return TEXT_PREFIX + base64.b64encode(sealed).decode("ascii")

    def open_text(self, value: str, where: str) -> str:
        blob = BYTES_PREFIX + base64.b64decode(value[len(TEXT_PREFIX) :])
        return self.open(blob, where).decode("utf-8")

    def name_key(self, name: str) -> str:
        if self._names is None:
            raise KeyRequiredError()
        digest = hmac.new(self._names, canonical_name(name).encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()


def _aad(where: str) -> bytes:
    return f"marsad:{where}".encode()


def is_sealed(value: object) -> bool:
    if isinstance(value, str):
        return value.startswith(TEXT_PREFIX)
    return isinstance(value, bytes) and value.startswith(BYTES_PREFIX)


def cipher_of(dialect: Dialect) -> FieldCipher | None:
    """The cipher of an encrypted store's engine; None for a plain store."""
    return getattr(dialect, _DIALECT_ATTRIBUTE, None)


def name_key(dialect: Dialect, name: str) -> str:
    """What ``persons.name_key`` holds for ``name``: an HMAC of its canonical form in an
    encrypted store, the canonical form itself (cut to the column's 64 characters) otherwise."""
    cipher = cipher_of(dialect)
    return cipher.name_key(name) if cipher else canonical_name(name)[:64]


def protect_payload(dialect: Dialect, payload: dict[str, Any]) -> dict[str, Any]:
    """A ledger payload with its name-bearing values encrypted (unchanged in a plain store).

    The ledger hashes the payload as stored, so its chain verifies without the key."""
    cipher = cipher_of(dialect)
    if cipher is None or not LEDGER_PROTECTED_KEYS & payload.keys():
        return payload
    return {
        k: cipher.seal_text(json.dumps(v, ensure_ascii=False), f"ledger.{k}")
        if k in LEDGER_PROTECTED_KEYS and v is not None
        else v
        for k, v in payload.items()
    }


def reveal_payload(dialect: Dialect, payload: dict[str, Any]) -> dict[str, Any]:
    """A stored ledger payload with the values :func:`protect_payload` sealed decrypted, when
    the key is at hand; without it they are left sealed."""
    cipher = cipher_of(dialect)
    if cipher is None or not cipher.has_key:
        return payload
    return {
        k: json.loads(cipher.open_text(v, f"ledger.{k}")) if is_sealed(v) else v
        for k, v in payload.items()
    }


# -- column types ------------------------------------------------------------------------------
#
# Each type hands SQLAlchemy its own processors only when the engine carries a cipher: a plain
# store gets the underlying type's processors untouched, and pays nothing per value. (The
# cipher is attached in Store.__init__ before the first query, and SQLAlchemy asks for the
# processors once per engine.)


def _loads(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN and integers orjson refuses: the standard library's
        return json.loads(text)


def _dumps(value: Any) -> str:
    # the standard library, not orjson: it writes every value the JSON columns accept exactly
    # as the plain store does (NaN, integer keys)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Sealed(TypeDecorator[Any]):
    # SQLAlchemy reads ``cache_ok`` from each class itself, so every subclass repeats it

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where  # "table.column": the associated data that binds a value to its place


class EncryptedText(_Sealed):
    """A text column stored sealed in an encrypted store (as prefixed base64 text)."""

    impl = Text
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        cipher, where = cipher_of(dialect), self.where
        if cipher is None:
            return super().bind_processor(dialect)
        return lambda value: None if value is None else cipher.seal_text(value, where)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        cipher, where = cipher_of(dialect), self.where
        if cipher is None:
            return super().result_processor(dialect, coltype)

        def process(value: str | None) -> str | None:
            if value is None or not value.startswith(TEXT_PREFIX):
                return value
            return cipher.open_text(value, where)

        return process


class EncryptedBytes(_Sealed):
    """A binary column stored sealed in an encrypted store."""

    impl = LargeBinary
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        cipher, where = cipher_of(dialect), self.where
        binary = super().bind_processor(dialect)
        if cipher is None:
            return binary

        def process(value: bytes | None) -> Any:
            sealed = None if value is None else cipher.seal(bytes(value), where)
            return binary(sealed) if binary else sealed

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        cipher, where = cipher_of(dialect), self.where
        binary = super().result_processor(dialect, coltype)
        if cipher is None:
            return binary

        def process(value: Any) -> bytes | None:
            value = binary(value) if binary else value
            if value is None or not is_sealed(bytes(value)):
                return value
            return cipher.open(bytes(value), where)

        return process


class EncryptedJSON(_Sealed):
    """A JSON column whose whole value is stored, in an encrypted store, as one sealed JSON
    string (so the column still holds valid JSON on every backend)."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        cipher, where = cipher_of(dialect), self.where
        serialize = super().bind_processor(dialect)
        if cipher is None:
            return serialize

        def process(value: Any) -> Any:
            if value is None:  # as the JSON type stores it (JSON null)
                return serialize(value) if serialize else value
            # base64 and the prefix need no escaping: this is the JSON string, ready
            return '"' + cipher.seal_text(_dumps(value), where) + '"'

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        cipher, where = cipher_of(dialect), self.where
        parse = super().result_processor(dialect, coltype)
        if cipher is None:
            return parse

        def process(value: Any) -> Any:
            if isinstance(value, str) and value.startswith('"' + TEXT_PREFIX):
                return _loads(cipher.open_text(value[1:-1], where))
            value = parse(value) if parse else value  # a driver may have parsed it already
            if isinstance(value, str) and value.startswith(TEXT_PREFIX):
                return _loads(cipher.open_text(value, where))
            return value

        return process


class JSONText(_Sealed):
    """Reads a JSON column as its JSON text, for fast paths that parse it themselves
    (``type_coerce(Claim.data, JSONText("claims.data"))``); in an encrypted store the text
    is decrypted first. In a plain store it adds nothing: no result processor at all."""

    impl = Text
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        cipher, where = cipher_of(dialect), self.where
        if cipher is None:
            return super().result_processor(dialect, coltype)

        def process(value: Any) -> Any:
            # SQLite hands back the stored JSON text ('"marsad:enc1:..."'); psycopg may
            # hand back the JSON already parsed (the sealed string itself)
            if isinstance(value, str) and value.startswith('"' + TEXT_PREFIX):
                value = value[1:-1]
            if isinstance(value, str) and value.startswith(TEXT_PREFIX):
                return cipher.open_text(value, where)
            return value

        return process


# -- which stores are encrypted ----------------------------------------------------------------

SETTINGS = table("store_settings", sql_column("name"), sql_column("value"))
ENCRYPTION_SETTING = "encryption"
FINGERPRINT_SETTING = "key_fingerprint"

# the tables that hold encrypted columns: a store with rows in any of them has plain content
CONTENT_TABLES = (
    "originals",
    "documents",
    "claims",
    "incidents",
    "persons",
    "corrections",
    "decisions",
    "approved_texts",
)


def attach(engine: Engine, key: StoreKey | None) -> bool:
    """Give ``engine`` the cipher its store needs; returns whether the store is encrypted.

    A store that records a key fingerprint is encrypted: it opens with the matching key, or
    with none (then restricted fields raise :class:`KeyRequiredError`), never with another.
    An empty store opened with a key becomes encrypted before its first write."""
    with engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        recorded = _recorded_fingerprint(conn)
    if recorded is None and key is None:
        return False
    if recorded is None:
        assert key is not None
        recorded = _mark_encrypted(engine, key)
    if key is not None and key.fingerprint != recorded:
        raise WrongKeyError(
            f"this key (fingerprint {key.fingerprint}) is not the key this store was "
            f"encrypted with (fingerprint {recorded})"
        )
    setattr(engine.dialect, _DIALECT_ATTRIBUTE, FieldCipher(key))
    event.listen(engine, "handle_error", _unwrap_key_errors)
    return True


def _recorded_fingerprint(conn: Connection) -> str | None:
    if not inspect(conn).has_table(SETTINGS.name):  # a schema older than migration 0006
        return None
    found = conn.execute(
        select(SETTINGS.c.value).where(SETTINGS.c.name == FINGERPRINT_SETTING)
    ).scalar()
    return None if found is None else str(found)


def _mark_encrypted(engine: Engine, key: StoreKey) -> str:
    """Record that the store is encrypted, unless it already holds plain content (or another
    process marked it first: then its fingerprint is the one to match)."""
    with engine.begin() as conn:
        if not inspect(conn).has_table(SETTINGS.name):
            raise ValueError("this store's schema predates encryption: open it once to upgrade")
        recorded = _recorded_fingerprint(conn)
        if recorded is not None:
            return recorded
        for name in CONTENT_TABLES:
            if conn.execute(select(func.count()).select_from(table(name))).scalar_one():
                raise ValueError(
                    "this store already holds content that is not encrypted; a key can only "
                    "be given to a new store (encrypting an existing store is not offered)"
                )
        conn.execute(
            SETTINGS.insert(),
            [
                {"name": ENCRYPTION_SETTING, "value": SCHEME},
                {"name": FINGERPRINT_SETTING, "value": key.fingerprint},
            ],
        )
    return key.fingerprint


def _unwrap_key_errors(context: ExceptionContext) -> BaseException | None:
    # SQLAlchemy wraps errors raised while binding parameters in a StatementError; the caller
    # (and the CLI's one-line message) should see the KeyRequiredError itself.
    if isinstance(context.original_exception, KeyRequiredError):
        return context.original_exception
    return None


__all__ = [
    "EncryptedBytes",
    "EncryptedJSON",
    "EncryptedText",
    "FieldCipher",
    "InvalidTag",
    "JSONText",
    "KeyFileError",
    "KeyRequiredError",
    "SigningKey",
    "StoreKey",
    "WrongKeyError",
    "add_signing_key",
    "attach",
    "cipher_of",
    "load_key_file",
    "load_signing_key",
    "name_key",
    "protect_payload",
    "public_key_fingerprint",
    "reveal_payload",
    "write_key_file",
]
