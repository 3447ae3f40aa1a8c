"""Five-field cron expressions (minute hour day-of-month month day-of-week), evaluated in a time
zone by cronsim (the healthchecks project's maintained evaluator).

The scheduling layer needs more than "the next run" (every intended run time missed within a
window), so this module wraps cronsim's iterator: ``*``, numbers, ranges, steps, lists, month and
weekday names, ``L`` (last day), ``W`` and ``#`` as cronsim reads them. As in cron, when both
day-of-month and day-of-week are restricted, a day matching either one fires. Across
daylight-saving changes cronsim follows Debian cron: a time the spring-forward skips fires right
after the change, a repeated time fires once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

# Any moment works to check an expression; cronsim validates when it is constructed.
_CHECK_FROM = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class CronError(ValueError):
    """An expression cronsim cannot read, with what is wrong in it."""


@dataclass(frozen=True)
class Cron:
    """A checked expression."""

    expression: str

    def fire_times(
        self, *, after: dt.datetime, until: dt.datetime, tz: ZoneInfo
    ) -> Iterator[dt.datetime]:
        """Every time the expression fires in (``after``, ``until``], oldest first, as aware
        datetimes in ``tz``."""
        for moment in CronSim(self.expression, after.astimezone(tz)):
            if moment > until:
                return
            yield moment


def parse(expression: str) -> Cron:
    """``expression`` checked, or ``CronError`` saying what is wrong."""
    try:
        CronSim(expression, _CHECK_FROM)
    except CronSimError as error:
        raise CronError(f"{expression!r} is not a valid cron expression: {error}.") from None
    return Cron(expression=expression)
