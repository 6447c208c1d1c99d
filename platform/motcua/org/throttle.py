"""Failed-login throttling that cannot be turned against officers, after OWASP's "Slow Down
Online Guessing Attacks with Device Cookies".

A successful login (the login form or the token endpoint) gives the client a *device cookie*:
the account's name and a random nonce, signed with SECRET_KEY (itsdangerous); it holds the
last few accounts signed in from that browser. A login that presents a valid device cookie
for the account it tries is a **trusted client**: its failures count under that device's own
limit (``LOGIN_LIMITS_PER_DEVICE``) and nothing else refuses it. Every other login is
**untrusted**, and limited twice, counting failures only:

- per account (``LOGIN_LIMITS_PER_ACCOUNT``, over every address): past it the account is
  locked for untrusted clients only; its officers still sign in from a device they used before.
- per address (``LOGIN_LIMITS_PER_ADDRESS``): past it the address is *busy*, but it is not
  refused, since a commune's NAT puts all its officers behind one address and refusing it
  would be a switch anyone could flip to lock them out. A busy address instead allows each
  account one failed untrusted try per ``LOGIN_LIMITS_BUSY_ADDRESS`` window (default one an
  hour): guessing spread over many accounts from there drops from the account limit (20 an
  hour each) to one guess per account per hour, while an officer whose account has not
  failed from there signs in at the first try.

What is guaranteed: a correct password is refused only if its device is locked (trusted), or
(untrusted) if the account itself is locked, or it already failed from this busy address in
the window. Other accounts' failures, from any address, never refuse it. We chose this over a
delay on busy addresses because a delay must hold a server thread on every try, correct or
not (else timing tells a wrong password), and is no slower for an attacker who runs tries in
parallel. API clients send the device cookie to the token endpoint and receive it as browsers do.

Storage is ``LOGIN_LIMITS_STORAGE`` (``memory://`` per process by default; ``redis://...``
when several processes serve)."""

from __future__ import annotations

import ipaddress
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, Response, after_this_request, current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer
from limits import RateLimitItem, parse_many, storage, strategies

DEVICE_COOKIE = "motcua_device"
DEVICE_DAYS = 180
# Accounts remembered per browser: a desk computer that a few officers share.
DEVICE_ACCOUNTS = 5

Checks = list[tuple[RateLimitItem, tuple[str, ...]]]
# Tries of one account run one at a time (see LoginThrottle.one_at_a_time); accounts share
# a fixed number of locks, so names an attacker makes up cannot grow them.
_LOCKS = tuple(threading.Lock() for _ in range(64))
_MAKING = threading.Lock()
Throttle = TypeVar("Throttle")


def _account(username: str) -> str:
    return username.strip().lower()[:64]


@dataclass(frozen=True)
class Attempt:
    """One login try: from where, for which account, and the device nonce it presents for
    that account (None: an untrusted client)."""

    address: str
    account: str
    device: str | None


class LoginThrottle:
    def __init__(self, uri: str, per_account: str, per_address: str, per_device: str,
                 busy_address: str) -> None:
        self._window = strategies.MovingWindowRateLimiter(storage.storage_from_string(uri))
        self._per_account = parse_many(per_account)
        self._per_address = parse_many(per_address)
        self._per_device = parse_many(per_device)
        self._busy_address = parse_many(busy_address)

    @staticmethod
    def one_at_a_time(attempt: Attempt) -> threading.Lock:
        """The lock to hold from ``wait_seconds`` to ``failed``: a try is checked only once
        the failures of the tries before it are counted. Per process: several processes
        on one shared storage still let through at most one try each."""
        return _LOCKS[hash(attempt.account) % len(_LOCKS)]

    def busy(self, address: str) -> bool:
        """Whether untrusted failures from ``address`` are past the per-address limit."""
        return any(not self._window.test(limit, "login-address", address)
                   for limit in self._per_address)

    def _checks(self, attempt: Attempt) -> Checks:
        if attempt.device is not None:
            return [(limit, ("login-device", attempt.device)) for limit in self._per_device]
        checks: Checks = [(limit, ("login-account", attempt.account))
                          for limit in self._per_account]
        if self.busy(attempt.address):
            checks += [(limit, ("login-busy", attempt.address, attempt.account))
                       for limit in self._busy_address]
        return checks

    def wait_seconds(self, attempt: Attempt) -> int:
        """0 when a try is allowed, else how long until the oldest failure leaves its window."""
        return seconds_until_allowed(self._window, self._checks(attempt))

    def failed(self, attempt: Attempt) -> None:
        checks = self._checks(attempt)
        if attempt.device is None:
            checks += [(limit, ("login-address", attempt.address)) for limit in self._per_address]
        for limit, keys in checks:
            self._window.hit(limit, *keys)


def seconds_until_allowed(window: strategies.RateLimiter, checks: Checks) -> int:
    """0 when every limit of ``checks`` allows one more hit, else how long until the oldest
    hit of the fullest leaves its window (at least 1 s)."""
    waits = [window.get_window_stats(limit, *keys).reset_time - time.time()
             for limit, keys in checks if not window.test(limit, *keys)]
    return max(1, math.ceil(max(waits))) if waits else 0


def made_once(name: str, make: Callable[[Flask], Throttle], app: Flask | None = None
              ) -> Throttle:
    """The application's throttle ``name``, made by ``make`` on first use, once: requests
    that come first together must not each count in a throttle of their own."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    throttle: Throttle | None = app.extensions.get(name)
    if throttle is not None:
        return throttle
    with _MAKING:
        throttle = app.extensions.get(name)
        if throttle is None:
            throttle = app.extensions[name] = make(app)
    return throttle


def login_throttle(app: Flask | None = None) -> LoginThrottle:
    return made_once("motcua_login_throttle", lambda app: LoginThrottle(
        app.config["LOGIN_LIMITS_STORAGE"], app.config["LOGIN_LIMITS_PER_ACCOUNT"],
        app.config["LOGIN_LIMITS_PER_ADDRESS"], app.config["LOGIN_LIMITS_PER_DEVICE"],
        app.config["LOGIN_LIMITS_BUSY_ADDRESS"]), app)


# ------------------------------------------------------------------------ device cookies

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="motcua.device")


def read_devices(cookie: str | None) -> dict[str, str]:
    """Account -> nonce of a device cookie; empty when it is missing, forged or too old."""
    if not cookie:
        return {}
    try:
        entries = _serializer().loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadData:
        return {}
    if not isinstance(entries, list):
        return {}
    return {e[0]: e[1] for e in entries
            if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)}


def client_key(address: str | None) -> str:
    """What limits per address count under: the IPv4 address, or an IPv6 address's /64 (the
    least a single subscriber is given, so any of its 2**64 addresses could be chosen per
    try); an IPv4-mapped IPv6 address is its IPv4 address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def attempt_from_request(username: str) -> Attempt:
    """The try the current request makes; its address is ``request.remote_addr``, which
    trusts forwarded headers only as far as ``MOTCUA_TRUSTED_PROXIES`` says (app.py)."""
    account = _account(username)
    device = read_devices(request.cookies.get(DEVICE_COOKIE)).get(account)
    return Attempt(client_key(request.remote_addr), account, device)


def remember_device(username: str) -> None:
    """After a successful login: a new nonce for this account in the response's device
    cookie (the previous one for it is spent), keeping the browser's other accounts."""
    account = _account(username)
    known = read_devices(request.cookies.get(DEVICE_COOKIE))
    entries = [[account, secrets.token_urlsafe(16)]]
    entries += [[a, n] for a, n in known.items() if a != account][:DEVICE_ACCOUNTS - 1]
    value = _serializer().dumps(entries)

    @after_this_request
    def set_cookie(response: Response) -> Response:
        if response.status_code < 400:
            response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 86400,
                                httponly=True, samesite="Lax",
                                secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response
