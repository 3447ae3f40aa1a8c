"""Throttling of failed logins, shared by the API, the login page and the admin login.

Failures are counted per username and per IP address in the shared (database) cache, so every
worker process sees the same counts. Once either count reaches ``LOGIN_FAILURE_LIMIT`` within
``LOGIN_FAILURE_WINDOW_SECONDS``, further attempts are refused without checking the password.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, ip_address: str | None) -> list[str]:
    keys = [f"login-failures:user:{username.strip().lower()}"]
    if ip_address:
        keys.append(f"login-failures:ip:{ip_address}")
    return keys


def seconds_until_allowed(username: str, ip_address: str | None) -> int:
    """0 when a login attempt may proceed, otherwise how long the caller must wait."""
    now = time.time()
    waits = []
    for key in _keys(username, ip_address):
        entry = cache.get(key)
        if entry and entry["count"] >= settings.LOGIN_FAILURE_LIMIT:
            waits.append(int(entry["expires"] - now) + 1)
    return max([wait for wait in waits if wait > 0], default=0)


def record_failure(username: str, ip_address: str | None) -> None:
    now = time.time()
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(username, ip_address):
        entry = cache.get(key)
        if not entry or entry["expires"] <= now:
            entry = {"count": 0, "expires": now + window}
        entry["count"] += 1
        cache.set(key, entry, timeout=int(entry["expires"] - now) + 1)


def record_success(username: str) -> None:
    cache.delete(_keys(username, None)[0])


def wait_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed login attempts. Try again in {minutes} {unit}."
