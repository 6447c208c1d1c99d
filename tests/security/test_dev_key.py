"""A development run without SECRET_KEY signs with a random key of its own, kept in the
instance folder for its owner only, never a fixed string anyone can read in the source."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

import motcua.config
from motcua.config import DEV_KEY_FILE, ConfigError, load_settings


def _key(instance: Path, **env: str) -> str:
    return load_settings({"INSTANCE_PATH": str(instance)}, env=env).secret_key


def test_the_development_key_is_random_and_kept(tmp_path: Path,
                                                database_url: str) -> None:
    first = _key(tmp_path / "a", MOTCUA_DEV="1", DATABASE_URL=database_url)
    kept = tmp_path / "a" / DEV_KEY_FILE
    assert kept.read_text().strip() == first and len(first) >= 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # The next start signs with the same key: sessions and device cookies survive it.
    assert _key(tmp_path / "a", MOTCUA_DEV="1") == first
    # Another instance has its own; the test settings too.
    assert _key(tmp_path / "b", MOTCUA_DEV="1") != first
    assert load_settings({"INSTANCE_PATH": str(tmp_path / "c"), "TESTING": True},
                         env={}).secret_key not in (first, "")
    assert not hasattr(motcua.config, "INSECURE_DEV_KEY")


def test_a_set_secret_key_wins_and_no_file_is_written(tmp_path: Path) -> None:
    assert _key(tmp_path, MOTCUA_DEV="1", SECRET_KEY="k" * 32) == "k" * 32
    assert not (tmp_path / DEV_KEY_FILE).exists()


def test_a_spoilt_key_file_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / DEV_KEY_FILE).write_text("short\n")
    with pytest.raises(ConfigError, match=DEV_KEY_FILE):
        _key(tmp_path, MOTCUA_DEV="1")
