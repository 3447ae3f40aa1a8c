"""Throttling of failed logins, shared by the API, the login page and the admin login.

Every attempt is counted per username and per client address *before* the password is checked,
in one atomic PostgreSQL statement (``INSERT ... ON CONFLICT DO UPDATE SET count = count + 1
RETURNING count``). An attempt whose count is above ``LOGIN_FAILURE_LIMIT`` within
``LOGIN_FAILURE_WINDOW_SECONDS`` is refused without checking the password. Counting first is
what makes the limit hold for parallel attempts: of 40 simultaneous wrong passwords, exactly the
first ``LOGIN_FAILURE_LIMIT`` reach the password check, and the count ends at 40.

A successful login clears the username's count and gives its attempt back to the address.
(django-axes checks the limit before the password and records the failure after it, so parallel
attempts all pass its check: see the README's dependency notes.)
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import LoginAttemptCount


def _keys(username: str, ip_address: str | None) -> list[str]:
    keys = [f"user:{username.strip().lower()[:200]}"]
    if ip_address:
        keys.append(f"ip:{ip_address}")
    return keys


def begin_attempt(username: str, ip_address: str | None) -> int:
    """Count a login attempt; 0 when it may check the password, else seconds to wait."""
    table = LoginAttemptCount._meta.db_table
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    waits: list[int] = []
    # One transaction, the username's row first: its lock orders parallel attempts on one user,
    # so they meet the address's row in the same order and the first LOGIN_FAILURE_LIMIT by
    # both counts are the same attempts. Always user before address: no lock cycle.
    with transaction.atomic(), connection.cursor() as cursor:
        for key in _keys(username, ip_address):
            cursor.execute(
                f"""
                INSERT INTO {table} AS attempt (key, count, window_ends)
                VALUES (%s, 1, now() + make_interval(secs => %s))
                ON CONFLICT (key) DO UPDATE SET
                    count = CASE WHEN attempt.window_ends <= now() THEN 1
                                 ELSE attempt.count + 1 END,
                    window_ends = CASE WHEN attempt.window_ends <= now() THEN EXCLUDED.window_ends
                                       ELSE attempt.window_ends END
                RETURNING count, ceil(extract(epoch FROM window_ends - now()))::int
                """,
                [key, window],
            )
            count, seconds_left = cursor.fetchone()
            if count > settings.LOGIN_FAILURE_LIMIT:
                waits.append(max(1, seconds_left))
    return max(waits, default=0)


def record_success(username: str, ip_address: str | None) -> None:
    """The attempt was no failure: clear the username's count, give the address its attempt."""
    user_key, *address_keys = _keys(username, ip_address)
    LoginAttemptCount.objects.filter(key=user_key).delete()
    table = LoginAttemptCount._meta.db_table
    with connection.cursor() as cursor:
        for key in address_keys:
            cursor.execute(
                f"UPDATE {table} SET count = GREATEST(count - 1, 0) WHERE key = %s",
                [key],
            )


def attempts_counted(username: str) -> int:
    """The attempts counted for ``username`` in the current window (for the admin and tests)."""
    row = LoginAttemptCount.objects.filter(
        key=_keys(username, None)[0], window_ends__gt=timezone.now()
    ).first()
    return row.count if row else 0


def wait_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed login attempts. Try again in {minutes} {unit}."
