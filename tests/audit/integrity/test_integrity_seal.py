"""The daily signed tree head: one per day, over every dossier's chain head, leaves written
only for the chains that moved, a signature anyone verifies with the public key alone; the
worker seals yesterday once after midnight; the key file; the history's triggers."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask
from integrity_support import dossier_id, events, insert_copy, new_dossier
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from motcua.audit.integrity import merkle
from motcua.audit.integrity.seal import chain_heads, seal, seal_yesterday
from motcua.audit.integrity.signing import (
    SigningKeyError,
    head_message,
    key_path,
    signing_key,
)
from motcua.audit.models import TreeHead, TreeLeaf
from motcua.db import db
from motcua.errors import Conflict, Invalid
from support.clock import FakeClock, local
from support.walk import Walker

MONDAY = date(2026, 3, 16)


def _leaves(tree_id: int) -> list[tuple[int, int, str]]:
    return [tuple(r) for r in db.session.execute(  # type: ignore[misc]
        select(TreeLeaf.dossier_id, TreeLeaf.size, TreeLeaf.head)
        .where(TreeLeaf.tree_id == tree_id).order_by(TreeLeaf.dossier_id))]


def test_a_seal_signs_every_chain_head_once_a_day(walker: Walker, clock: FakeClock) -> None:
    first, second = new_dossier(walker), new_dossier(walker, steps=1)
    db.session.commit()
    sealed = seal(MONDAY, clock())
    assert sealed.created and sealed.changed == 2
    head = sealed.head
    expected = sorted((dossier_id(code), len(events(code)), events(code)[-1].hash)
                      for code in (first, second))
    assert _leaves(head.id) == expected
    hashes = [merkle.leaf_hash(merkle.leaf_data(*leaf)) for leaf in expected]
    assert (head.size, head.root) == (2, merkle.root(hashes).hex())
    assert head.last_event_id == db.session.scalar(select(func.max(text("id"))).select_from(
        text("history_event")))
    assert sealed.summary() == (f"Đã ký đầu cây ngày 16/03/2026: 2 hồ sơ, 2 đầu chuỗi mới, "
                                f"gốc {head.root}.")
    # Verified offline: the public key as printed, the message rebuilt from the head's fields.
    public = serialization.load_pem_public_key(signing_key().public_pem.encode())
    assert isinstance(public, Ed25519PublicKey)
    public.verify(bytes.fromhex(head.signature), head_message(
        head.day, head.signed_at, head.size, head.root, head.last_event_id))
    assert head.key_id == signing_key().key_id

    again = seal(MONDAY, clock())
    assert not again.created and again.head.id == head.id
    assert again.summary() == "Ngày 16/03/2026 đã có đầu cây ký lúc 09:00 16/03/2026: không ký lại."
    assert db.session.scalar(select(func.count(TreeHead.id))) == 1


def test_the_next_day_writes_leaves_only_for_the_chains_that_moved(
        walker: Walker, clock: FakeClock) -> None:
    moving, still = new_dossier(walker, steps=1), new_dossier(walker)
    db.session.commit()
    monday = seal(MONDAY, clock()).head
    clock.advance(days=1)
    walker.complete("tp.hung", moving, None, assignee="cv.mai")
    fresh = new_dossier(walker, steps=0)
    db.session.commit()
    tuesday = seal(MONDAY + timedelta(days=1), clock())
    assert tuesday.changed == 2
    assert [leaf[0] for leaf in _leaves(tuesday.head.id)] == sorted(
        [dossier_id(moving), dossier_id(fresh)])
    # Its root still covers all three: the unchanged one by Monday's leaf.
    every = sorted((dossier_id(c), len(events(c)), events(c)[-1].hash)
                   for c in (moving, still, fresh))
    assert tuesday.head.size == 3
    assert tuesday.head.root == merkle.root(
        [merkle.leaf_hash(merkle.leaf_data(*leaf)) for leaf in every]).hex()
    assert monday.size == 2
    # A quiet day: a new head, no new leaf, the same root.
    clock.advance(days=1)
    wednesday = seal(MONDAY + timedelta(days=2), clock())
    assert (wednesday.changed, wednesday.head.root) == (0, tuesday.head.root)


def test_days_are_sealed_in_order_and_never_ahead(walker: Walker, clock: FakeClock) -> None:
    new_dossier(walker, steps=0)
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        seal(MONDAY + timedelta(days=1), clock())
    assert refused.value.details[0]["field"] == "day"
    seal(MONDAY, clock())
    with pytest.raises(Conflict):
        seal(MONDAY - timedelta(days=3), clock())


def test_an_empty_history_gets_the_empty_tree(app: Flask, clock: FakeClock) -> None:
    head = seal(MONDAY, clock()).head
    assert (head.size, head.root, head.last_event_id) == (0, merkle.EMPTY_ROOT.hex(), 0)


def test_the_head_of_a_chain_with_a_forged_duplicate_is_its_last_stored_event(
        walker: Walker) -> None:
    code = new_dossier(walker)
    db.session.commit()
    size = len(events(code))
    insert_copy(code, size, note="Bản sao", hash="cd" * 32)
    last = db.session.scalar(select(func.max(text("id"))).select_from(text("history_event")))
    heads = list(db.session.execute(chain_heads(int(last or 0))))
    assert [tuple(h) for h in heads] == [(dossier_id(code), size, "cd" * 32)]
    # The cut at an event id: what a seal saw, whatever was written after it.
    assert [tuple(h) for h in db.session.execute(chain_heads(int(last or 0) - 1))] == [
        (dossier_id(code), size, events(code)[size - 1].hash)]


def test_the_worker_seals_yesterday_once_after_midnight(app: Flask, walker: Walker,
                                                        clock: FakeClock) -> None:
    new_dossier(walker)
    db.session.commit()
    clock.set(local(2026, 3, 17, 0, 5))
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Đã ký đầu cây ngày 16/03/2026: 1 hồ sơ" in result.output
    clock.advance(hours=3)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert "đầu cây" not in result.output
    assert db.session.scalars(select(TreeHead.day)).all() == [MONDAY]
    assert seal_yesterday(clock()) is None
    clock.set(local(2026, 3, 18, 0, 1))
    assert seal_yesterday(clock()) is not None
    assert db.session.scalars(select(TreeHead.day).order_by(TreeHead.id)).all() == [
        MONDAY, MONDAY + timedelta(days=1)]


def test_the_seal_command(app: Flask, walker: Walker, clock: FakeClock) -> None:
    new_dossier(walker)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "seal", "--day", "2026-03-16"])
    assert result.exit_code == 0 and "Đã ký đầu cây ngày 16/03/2026" in result.output
    result = runner.invoke(args=["audit", "seal", "--day", "2026-03-16"])
    assert result.exit_code == 0 and "không ký lại" in result.output
    result = runner.invoke(args=["audit", "seal", "--day", "2026-03-20"])
    assert result.exit_code == 1 and "chưa qua" in result.output
    clock.advance(days=1)
    result = runner.invoke(args=["audit", "seal"])  # yesterday: Monday again
    assert "không ký lại" in result.output


def test_the_key_is_created_private_once_and_a_configured_one_must_exist(
        app: Flask, tmp_path: Path) -> None:
    path, may_create = key_path(app)
    assert may_create and path == Path(app.instance_path) / "audit-signing-key.pem"
    key = signing_key(app)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "BEGIN PUBLIC KEY" in key.public_pem and len(key.key_id) == 64
    app.extensions.pop("motcua_signing_key")
    assert signing_key(app).key_id == key.key_id  # read back, not made again
    try:
        app.config["AUDIT_SIGNING_KEY_FILE"] = str(tmp_path / "missing.pem")
        with pytest.raises(SigningKeyError, match=r"missing\.pem"):
            signing_key(app)
        (tmp_path / "bad.pem").write_text("not a key")
        app.config["AUDIT_SIGNING_KEY_FILE"] = str(tmp_path / "bad.pem")
        with pytest.raises(SigningKeyError, match=r"bad\.pem"):
            signing_key(app)
        app.config["AUDIT_SIGNING_KEY_FILE"] = str(path)
        assert signing_key(app).key_id == key.key_id
    finally:
        app.config.pop("AUDIT_SIGNING_KEY_FILE")
        app.extensions.pop("motcua_signing_key", None)


@pytest.mark.parametrize("statement", [
    "UPDATE history_event SET note = 'sửa'",
    "DELETE FROM history_event",
    "TRUNCATE history_event",
])
def test_the_history_refuses_changes_outside_a_maintenance_session(
        walker: Walker, statement: str) -> None:
    new_dossier(walker)
    db.session.commit()
    if statement.startswith("TRUNCATE") and db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE without WHERE is refused above)")
    before = db.session.scalar(select(func.count()).select_from(text("history_event")))
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(text(statement))
    assert db.session.scalar(select(func.count()).select_from(text("history_event"))) == before


def test_the_motcua_command_lists_the_audit_group(tmp_path: Path) -> None:
    """``motcua`` is Flask's CLI: the group ``register_audit`` adds is one of its commands."""
    env = {**os.environ, "MOTCUA_DEV": "1", "MOTCUA_INSTANCE": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "from motcua.cli import main; main()",
                             "audit", "--help"], capture_output=True, text=True, env=env,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "seal" in result.stdout and "verify" in result.stdout
