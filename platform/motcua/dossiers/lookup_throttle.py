"""The public lookup's rate limit per client address, with the ``limits`` library: codes are
sequential, so without it anyone could walk a province's dossiers one number after another.
Every lookup counts, found or not; the API and the page share one budget per address.
Storage is ``LOGIN_LIMITS_STORAGE`` (``memory://`` per process; ``redis://...`` when several
processes serve), the limits ``LOOKUP_LIMITS_PER_ADDRESS``."""

from __future__ import annotations

from flask import Flask, Response, request
from limits import parse_many, storage, strategies

from motcua.errors import TooManyRequests
from motcua.http_errors import error_reply
from motcua.org.throttle import Checks, client_key, made_once, seconds_until_allowed

EXTENSION = "motcua_lookup_throttle"


class LookupThrottle:
    def __init__(self, uri: str, per_address: str) -> None:
        self._window = strategies.MovingWindowRateLimiter(storage.storage_from_string(uri))
        self._limits = parse_many(per_address)

    def wait_seconds(self, address: str) -> int:
        """Count one lookup from ``address`` and answer 0; or, over a limit, count nothing and
        answer how long until the oldest lookup leaves its window."""
        checks: Checks = [(limit, ("lookup", address)) for limit in self._limits]
        wait = seconds_until_allowed(self._window, checks)
        if not wait:
            for limit, keys in checks:
                self._window.hit(limit, *keys)
        return wait


def lookup_throttle(app: Flask | None = None) -> LookupThrottle:
    return made_once(EXTENSION, lambda app: LookupThrottle(
        app.config["LOGIN_LIMITS_STORAGE"], app.config["LOOKUP_LIMITS_PER_ADDRESS"]), app)


def refuse_if_throttled() -> Response | None:
    """The 429 answer (the API's JSON error or the page, with ``Retry-After``) when this
    request's address is over its lookup limit; None when the lookup may go on."""
    wait = lookup_throttle().wait_seconds(client_key(request.remote_addr))
    if not wait:
        return None
    message = f"Tra cứu quá nhiều lần. Vui lòng thử lại sau {wait} giây."
    response = error_reply(TooManyRequests(message), page_message=message)
    response.headers["Retry-After"] = str(wait)
    return response
