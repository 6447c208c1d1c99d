"""The installation's Ed25519 key that signs the daily tree heads.

The private key is a PEM file: ``AUDIT_SIGNING_KEY_FILE`` when set (it must exist: a key
that silently appeared somewhere else would make every earlier head look forged), else
``audit-signing-key.pem`` in the instance folder, created with mode 0600 on first use. The
public key is printed on the integrity page and in every daily report, so that an auditor can
verify a head offline with nothing but the report."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import Flask, current_app

DEFAULT_FILE = "audit-signing-key.pem"
_CACHE = "motcua_signing_key"


class SigningKeyError(RuntimeError):
    """The configured key file is missing or is not an Ed25519 private key."""


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    path: Path

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    @property
    def public_pem(self) -> str:
        return self.public.public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def sign(self, message: bytes) -> str:
        return self.private.sign(message).hex()


def key_id(public: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, in hex."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def key_path(app: Flask) -> tuple[Path, bool]:
    """The key file, and whether it may be created (only the instance folder's default)."""
    configured = app.config.get("AUDIT_SIGNING_KEY_FILE")
    if configured:
        return Path(configured), False
    return Path(app.instance_path) / DEFAULT_FILE, True


def signing_key(app: Flask | None = None) -> SigningKey:
    """The installation's key, read once per process."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    path, may_create = key_path(app)
    cached: SigningKey | None = app.extensions.get(_CACHE)
    if cached is not None and cached.path == path:
        return cached
    key = SigningKey(_load(path, may_create), path)
    app.extensions[_CACHE] = key
    return key


def _load(path: Path, may_create: bool) -> Ed25519PrivateKey:
    if not path.exists():
        if not may_create:
            raise SigningKeyError(f"Không có tệp khóa ký {path} (AUDIT_SIGNING_KEY_FILE)")
        return _create(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyError(f"Không đọc được khóa ký {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"Tệp {path} không phải khóa bí mật Ed25519")
    return key


def _create(path: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two workers starting at once must not each write a key of their own.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _load(path, may_create=False)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


def head_message(day: date, signed_at: datetime, size: int, root: str,
                 last_event_id: int) -> bytes:
    """What a tree head's signature covers: RFC 8785 canonical JSON of its day, signing time
    (UTC, to the microsecond), size, root and last event id."""
    return rfc8785.dumps({
        "day": day.isoformat(),
        "signed_at": signed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "size": size, "root": root, "last_event_id": last_event_id,
    })


def verify_signature(public: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        public.verify(bytes.fromhex(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True
