"""Five-field cron expressions (minute hour day-of-month month day-of-week), evaluated in a time
zone.

django-q2 evaluates cron schedules with croniter, which is not among the project's dependencies;
the scheduling layer needs more than "the next run" anyway (every intended run time missed within
a window), so this small evaluator covers the standard syntax: ``*``, numbers, ranges ``a-b``,
steps ``*/n`` and ``a-b/n``, lists ``a,b``, and month and weekday names. As in cron, when both
day-of-month and day-of-week are restricted, a day matching either one fires.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_WEEKDAYS = {
    name: number for number, name in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])
}


class CronError(ValueError):
    """An expression this module cannot read, with what is wrong in it."""


@dataclass(frozen=True)
class Cron:
    """A parsed expression: the values each field allows."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday, as in cron
    days_restricted: bool
    weekdays_restricted: bool

    def matches_day(self, day: dt.date) -> bool:
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = (day.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_days or in_weekdays
        return in_days and in_weekdays

    def fire_times(
        self, *, after: dt.datetime, until: dt.datetime, tz: ZoneInfo
    ) -> Iterator[dt.datetime]:
        """Every time the expression fires in (``after``, ``until``], oldest first, as aware
        datetimes in ``tz``. A time that a daylight-saving change skips fires at the moment it
        would have been; a repeated hour fires once."""
        day = after.astimezone(tz).date()
        last_day = until.astimezone(tz).date()
        while day <= last_day:
            if self.matches_day(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
                        # Normalise through UTC: a skipped local time becomes a real instant.
                        moment = local.astimezone(dt.UTC).astimezone(tz)
                        if after < moment <= until:
                            yield moment
            day += dt.timedelta(days=1)


def parse(expression: str) -> Cron:
    """``expression`` parsed, or ``CronError`` saying which field is wrong."""
    fields = expression.split()
    if len(fields) != 5:
        raise CronError(
            f"{expression!r} has {len(fields)} fields; a cron expression has five: "
            "minute hour day-of-month month day-of-week"
        )
    minute, hour, day, month, weekday = fields
    weekdays = _field(weekday, 0, 7, "day-of-week", _WEEKDAYS)
    return Cron(
        expression=expression,
        minutes=_field(minute, 0, 59, "minute"),
        hours=_field(hour, 0, 23, "hour"),
        days=_field(day, 1, 31, "day-of-month"),
        months=_field(month, 1, 12, "month", _MONTHS),
        # 7 is Sunday too.
        weekdays=frozenset(value % 7 for value in weekdays),
        days_restricted=day != "*",
        weekdays_restricted=weekday != "*",
    )


def _field(
    text: str, low: int, high: int, name: str, names: dict[str, int] | None = None
) -> frozenset[int]:
    values: set[int] = set()
    for part in text.lower().split(","):
        span, _, step_text = part.partition("/")
        step = _number(step_text, name, names=None) if step_text else 1
        if step < 1:
            raise CronError(f"the {name} step in {text!r} must be at least 1")
        if span == "*":
            first, last = low, high
        elif "-" in span:
            first_text, _, last_text = span.partition("-")
            first, last = _number(first_text, name, names), _number(last_text, name, names)
        else:
            first = _number(span, name, names)
            last = high if step_text else first
        if not low <= first <= last <= high:
            raise CronError(f"the {name} field {text!r} must stay within {low}-{high}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _number(text: str, name: str, names: dict[str, int] | None) -> int:
    if names and text in names:
        return names[text]
    if not text.isdigit():
        raise CronError(f"{text!r} is not a valid {name}")
    return int(text)
