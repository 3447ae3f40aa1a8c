"""The time the Vibe flow sees. Production uses the system clock; tests and the simulation pass
a clock they advance by hand, so hour-long budgets are exercised in milliseconds."""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol

from django.utils import timezone


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return timezone.now()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
