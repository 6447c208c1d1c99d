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
