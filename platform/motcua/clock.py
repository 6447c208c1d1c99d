"""The platform clock: wall time in production, injectable in tests and benchmarks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app

from motcua.db import utcnow

Clock = Callable[[], datetime]


def set_clock(app: Flask, clock: Clock | None) -> None:
    app.extensions["motcua_clock"] = clock or utcnow


def now() -> datetime:
    clock: Clock = current_app.extensions.get("motcua_clock", utcnow)
    return clock()


def set_wall_clock(app: Flask, clock: Clock | None) -> None:
    app.extensions["motcua_wall_clock"] = clock or utcnow


def wall_now() -> datetime:
    """Wall time, for what expires in real time (officers' sessions). Never the platform
    clock above: tests, benchmarks and demos move that one days ahead to age dossiers, and
    that must not sign the officer doing it out."""
    clock: Clock = current_app.extensions.get("motcua_wall_clock", utcnow)
    return clock()
