"""create_app fails fast on missing or wrong settings."""

from __future__ import annotations

import pytest

from motcua.app import create_app
from motcua.config import DEV_PUBLIC_URL, ConfigError, load_settings

PRODUCTION = {"SECRET_KEY": "x" * 32, "MOTCUA_PUBLIC_URL": "https://motcua.example.gov.vn"}


def test_secret_key_is_required_outside_development() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings(env={})


def test_short_secret_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="16"):
        load_settings(env={"SECRET_KEY": "short"})


@pytest.mark.parametrize("url", ["mysql://x@localhost/db", "not a url at all"])
def test_unsupported_database_url_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_settings(env={"SECRET_KEY": "x" * 32, "DATABASE_URL": url})


def test_bad_integer_setting_is_refused() -> None:
    with pytest.raises(ConfigError, match="MOTCUA_TOKEN_TTL_HOURS"):
        load_settings(env={**PRODUCTION, "MOTCUA_TOKEN_TTL_HOURS": "soon"})


def test_plain_postgresql_url_uses_psycopg3() -> None:
    settings = load_settings(env={**PRODUCTION,
                                  "DATABASE_URL": "postgresql://postgres@127.0.0.1/db"})
    assert settings.database_url.startswith("postgresql+psycopg://")


def test_create_app_raises_on_bad_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("MOTCUA_DEV", raising=False)
    with pytest.raises(ConfigError):
        create_app({"DATABASE_URL": "sqlite://"})


def test_login_limits_and_attachment_settings_from_the_environment() -> None:
    settings = load_settings(env={"MOTCUA_DEV": "1", "MOTCUA_LOGIN_LIMITS_PER_ACCOUNT": "3/minute",
                                  "MOTCUA_ATTACHMENT_MAX_MB": "5"})
    assert settings.flask_config()["LOGIN_LIMITS_PER_ACCOUNT"] == "3/minute"
    assert settings.flask_config()["ATTACHMENT_MAX_BYTES"] == 5 * 1024 * 1024
    with pytest.raises(ConfigError, match="MOTCUA_LOGIN_LIMITS_PER_ADDRESS is not a rate limit"):
        load_settings(env={"MOTCUA_DEV": "1", "MOTCUA_LOGIN_LIMITS_PER_ADDRESS": "many"})


def test_public_url_is_required_outside_development() -> None:
    with pytest.raises(ConfigError, match="MOTCUA_PUBLIC_URL is not set"):
        load_settings(env={"SECRET_KEY": "x" * 32})
    assert load_settings(env={"MOTCUA_DEV": "1"}).public_url == DEV_PUBLIC_URL
    assert load_settings({"TESTING": True}, env={}).public_url == DEV_PUBLIC_URL


@pytest.mark.parametrize(("raw", "kept"), [
    ("https://motcua.example.gov.vn", "https://motcua.example.gov.vn"),
    ("https://motcua.example.gov.vn/", "https://motcua.example.gov.vn"),
    (" http://10.0.0.5:8080/motcua/ ", "http://10.0.0.5:8080/motcua"),
])
def test_public_url_is_kept_without_its_trailing_slash(raw: str, kept: str) -> None:
    settings = load_settings(env={**PRODUCTION, "MOTCUA_PUBLIC_URL": raw})
    assert settings.public_url == kept
    assert settings.flask_config()["PUBLIC_URL"] == kept


@pytest.mark.parametrize("raw", [
    "motcua.example.gov.vn", "/lookup", "ftp://motcua.example.gov.vn", "https://",
    "javascript:alert(1)", "https://motcua.example.gov.vn/?next=x",
    "https://motcua.example.gov.vn/#top", "https://user:secret@motcua.example.gov.vn",
    "https://motcua.example.gov.vn:port", "https://motcua.example.gov.vn:0",
    "https://motcua example.gov.vn",
])
def test_bad_public_url_is_refused(raw: str) -> None:
    with pytest.raises(ConfigError, match="MOTCUA_PUBLIC_URL must be an absolute"):
        load_settings(env={**PRODUCTION, "MOTCUA_PUBLIC_URL": raw})
    with pytest.raises(ConfigError, match="MOTCUA_PUBLIC_URL"):
        create_app({"DATABASE_URL": "sqlite://", "TESTING": True, "PUBLIC_URL": raw})
