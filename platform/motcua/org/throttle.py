"""Failed-login throttling with the ``limits`` library: moving windows per (address,
account) and per address, counting failures only. Storage is ``LOGIN_LIMITS_STORAGE``
(``memory://`` per process by default; ``redis://...`` when several processes serve)."""

from __future__ import annotations

import math
import time

from flask import Flask, current_app
from limits import RateLimitItem, parse_many, storage, strategies


class LoginThrottle:
    def __init__(self, uri: str, per_account: str, per_address: str) -> None:
        self._window = strategies.MovingWindowRateLimiter(storage.storage_from_string(uri))
        self._per_account = parse_many(per_account)
        self._per_address = parse_many(per_address)

    def _checks(self, address: str, username: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        account = username.strip().lower()[:64]
        return ([(limit, ("login", address, account)) for limit in self._per_account]
                + [(limit, ("login", address)) for limit in self._per_address])

    def wait_seconds(self, address: str, username: str) -> int:
        """0 when a try is allowed, else how long until the oldest failure leaves its window."""
        waits = [
            self._window.get_window_stats(limit, *keys).reset_time - time.time()
            for limit, keys in self._checks(address, username)
            if not self._window.test(limit, *keys)
        ]
        return max(1, math.ceil(max(waits))) if waits else 0

    def failed(self, address: str, username: str) -> None:
        for limit, keys in self._checks(address, username):
            self._window.hit(limit, *keys)


def login_throttle(app: Flask | None = None) -> LoginThrottle:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    throttle = app.extensions.get("motcua_login_throttle")
    if throttle is None:
        throttle = LoginThrottle(app.config["LOGIN_LIMITS_STORAGE"],
                                 app.config["LOGIN_LIMITS_PER_ACCOUNT"],
                                 app.config["LOGIN_LIMITS_PER_ADDRESS"])
        app.extensions["motcua_login_throttle"] = throttle
    return throttle
