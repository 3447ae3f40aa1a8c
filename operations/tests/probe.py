"""A scheduled job for tests: records each call, and fails for the days it is told to."""

import threading

CALLS: list[str | None] = []
FAIL_ON: set[str] = set()
_lock = threading.Lock()


def record(day: str | None = None) -> str | None:
    if day in FAIL_ON:
        raise RuntimeError(f"no data for {day}")
    with _lock:
        CALLS.append(day)
    return day


def record_without_day() -> None:
    with _lock:
        CALLS.append(None)
