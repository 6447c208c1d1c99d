"""Settings read from the environment, in one place; bad settings fail at start-up."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the application refuses to start."""


# Where a development run keeps its random SECRET_KEY, in the instance folder.
DEV_KEY_FILE = "dev-secret-key"
# Where `make run` serves the demo.
DEV_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass
class Settings:
    database_url: str
    secret_key: str
    instance_path: Path
    # The address the public reaches the site at: printed and encoded in QR codes.
    public_url: str
    token_ttl_hours: int = 12
    # OWASP's Argon2id setting (19 MiB, 2 passes): each login holds that much memory.
    argon2_time_cost: int = 2
    argon2_memory_cost: int = 19456
    testing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def flask_config(self) -> dict[str, Any]:
        return {
            "SECRET_KEY": self.secret_key,
            "PUBLIC_URL": self.public_url,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self.database_url),
            "TESTING": self.testing,
            "TOKEN_TTL_HOURS": self.token_ttl_hours,
            "ARGON2_TIME_COST": self.argon2_time_cost,
            "ARGON2_MEMORY_COST": self.argon2_memory_cost,
            "API_TITLE": "motcua",
            "API_VERSION": "v1",
            "OPENAPI_VERSION": "3.0.3",
            "OPENAPI_URL_PREFIX": "/api/v1",
            "OPENAPI_JSON_PATH": "openapi.json",
            "API_SPEC_OPTIONS": {"security": [{"bearer": []}]},
            "JSON_SORT_KEYS": False,
            "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "WTF_CSRF_TIME_LIMIT": None,
            # Failed logins allowed before the login form and the token endpoint refuse.
            "LOGIN_LIMITS_STORAGE": "memory://",
            "LOGIN_LIMITS_PER_ACCOUNT": "5/minute;20/hour",
            "LOGIN_LIMITS_PER_ADDRESS": "30/minute;200/hour",
            # Failed logins of a trusted device (one with a device cookie for the account),
            # and a busy address's one failed try per account (see motcua.org.throttle).
            "LOGIN_LIMITS_PER_DEVICE": "5/minute;20/hour",
            "LOGIN_LIMITS_BUSY_ADDRESS": "1/hour",
            # Reverse proxies in front whose X-Forwarded-For/-Proto/-Host are believed.
            "TRUSTED_PROXIES": 0,
            # Officers' browser sessions end after this long idle, and this long at most.
            "SESSION_IDLE_MINUTES": 30,
            "SESSION_MAX_HOURS": 12,
            "SESSION_COOKIE_SECURE": False,
            # Public lookups per client address (API and page together).
            "LOOKUP_LIMITS_PER_ADDRESS": "30/minute;300/hour",
            # Scanned attachments: size per file, and files per upload.
            "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
            "ATTACHMENT_MAX_FILES": 20,
            # An application's or a step's data, as canonical JSON in UTF-8 bytes.
            "DATA_MAX_BYTES": 256 * 1024,
            # A stored file without its row is swept by the worker once this old: long past
            # any transaction that could still commit its row.
            "ATTACHMENT_ORPHAN_GRACE_SECONDS": 3600,
            **self.extra,
        }


def engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Several threads (waitress) share one file: wait for the write lock
        # instead of failing at once with "database is locked".
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}


def _int(env: dict[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def dev_secret_key(instance: Path) -> str:
    """A development run's SECRET_KEY: random, made once and kept in the instance folder,
    readable by its owner only; never a fixed string anyone could read in the source."""
    path = instance / DEV_KEY_FILE
    instance.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written whole under a temporary name (mode 0600), then linked in: processes that
        # start together on a new instance (serve and worker) never read a half-made file,
        # and the first link wins for all of them.
        fd, temporary = tempfile.mkstemp(dir=instance, prefix=f".{DEV_KEY_FILE}.")
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if len(key) >= 32:
        return key
    raise ConfigError(f"{path} holds no usable key: delete it to make a new one")


def _public_url(raw: str) -> str:
    """An absolute http(s) address, kept without its trailing slash. Links are built on it,
    never on the request's Host header, which whoever sends the request chooses."""
    url = raw.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        valid = (parts.scheme in ("http", "https") and bool(parts.hostname)
                 and "@" not in parts.netloc and "?" not in url and "#" not in url
                 and not any(ch.isspace() for ch in url)
                 and parts.port != 0)  # .port raises on a port that is not a number
    except ValueError:
        valid = False
    if not valid:
        raise ConfigError("MOTCUA_PUBLIC_URL must be an absolute http(s) URL without "
                          f"credentials, query or fragment, got {raw!r}")
    return url


def load_settings(
    overrides: dict[str, Any] | None = None, env: dict[str, str] | None = None
) -> Settings:
    """Read settings from the environment (MOTCUA_* and DATABASE_URL, SECRET_KEY)."""
    env = dict(os.environ if env is None else env)
    overrides = dict(overrides or {})
    instance = Path(
        overrides.pop("INSTANCE_PATH", None) or env.get("MOTCUA_INSTANCE", "instance")
    ).resolve()
    testing = bool(overrides.pop("TESTING", False))
    database_url = overrides.pop("DATABASE_URL", None) or env.get("DATABASE_URL") or (
        f"sqlite:///{instance / 'motcua.sqlite3'}"
    )
    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise ConfigError(f"DATABASE_URL is not a database URL: {exc}") from None
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError(
            f"DATABASE_URL backend {url.get_backend_name()!r} is not supported "
            "(use sqlite or postgresql)"
        )
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would look for psycopg2.
        database_url = url.set(drivername="postgresql+psycopg").render_as_string(
            hide_password=False
        )
    secret_key = overrides.pop("SECRET_KEY", None) or env.get("SECRET_KEY", "")
    if not secret_key:
        if testing or env.get("MOTCUA_DEV") == "1":
            secret_key = dev_secret_key(instance)
        else:
            raise ConfigError(
                "SECRET_KEY is not set (set MOTCUA_DEV=1 for a local demo with a development key)"
            )
    if len(secret_key) < 16:
        raise ConfigError("SECRET_KEY must be at least 16 characters")
    public_url = overrides.pop("PUBLIC_URL", None) or env.get("MOTCUA_PUBLIC_URL", "")
    if not public_url:
        if testing or env.get("MOTCUA_DEV") == "1":
            public_url = DEV_PUBLIC_URL
        else:
            raise ConfigError(
                "MOTCUA_PUBLIC_URL is not set: the address the public reaches this site at, "
                "printed on receipts and in their QR codes (e.g. https://motcua.example.gov.vn)"
            )
    settings = Settings(
        database_url=database_url,
        secret_key=secret_key,
        instance_path=instance,
        public_url=_public_url(public_url),
        token_ttl_hours=_int(env, "MOTCUA_TOKEN_TTL_HOURS", 12),
        argon2_time_cost=_int(env, "MOTCUA_ARGON2_TIME_COST", 1 if testing else 2),
        argon2_memory_cost=_int(env, "MOTCUA_ARGON2_MEMORY_COST", 1024 if testing else 19456),
        testing=testing,
    )
    for key in ("LOGIN_LIMITS_STORAGE", "LOGIN_LIMITS_PER_ACCOUNT", "LOGIN_LIMITS_PER_ADDRESS",
                "LOGIN_LIMITS_PER_DEVICE", "LOGIN_LIMITS_BUSY_ADDRESS",
                "LOOKUP_LIMITS_PER_ADDRESS",
                "ATTACHMENT_DIR", "AUDIT_SIGNING_KEY_FILE"):
        if env.get(f"MOTCUA_{key}"):
            settings.extra[key] = env[f"MOTCUA_{key}"]
    if env.get("MOTCUA_ATTACHMENT_ORPHAN_GRACE_SECONDS"):
        settings.extra["ATTACHMENT_ORPHAN_GRACE_SECONDS"] = _int(
            env, "MOTCUA_ATTACHMENT_ORPHAN_GRACE_SECONDS", 3600)
    if env.get("MOTCUA_TRUSTED_PROXIES"):
        settings.extra["TRUSTED_PROXIES"] = _int(env, "MOTCUA_TRUSTED_PROXIES", 0, minimum=0)
    for key in ("SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS"):
        if env.get(f"MOTCUA_{key}"):
            settings.extra[key] = _int(env, f"MOTCUA_{key}", 1)
    if env.get("MOTCUA_SECURE_COOKIES"):
        settings.extra["SESSION_COOKIE_SECURE"] = env["MOTCUA_SECURE_COOKIES"] == "1"
    if env.get("MOTCUA_ATTACHMENT_MAX_MB"):
        settings.extra["ATTACHMENT_MAX_BYTES"] = _int(env, "MOTCUA_ATTACHMENT_MAX_MB", 10) << 20
    if env.get("MOTCUA_DATA_MAX_KB"):
        settings.extra["DATA_MAX_BYTES"] = _int(env, "MOTCUA_DATA_MAX_KB", 256) << 10
    settings.extra.update(overrides)
    _check_limits(settings.extra)
    return settings


def _check_limits(extra: dict[str, Any]) -> None:
    from limits import parse_many

    for key in ("LOGIN_LIMITS_PER_ACCOUNT", "LOGIN_LIMITS_PER_ADDRESS",
                "LOGIN_LIMITS_PER_DEVICE", "LOGIN_LIMITS_BUSY_ADDRESS",
                "LOOKUP_LIMITS_PER_ADDRESS"):
        if key in extra:
            try:
                parse_many(str(extra[key]))
            except ValueError:
                raise ConfigError(f"MOTCUA_{key} is not a rate limit like '5/minute;20/hour': "
                                  f"{extra[key]!r}") from None
