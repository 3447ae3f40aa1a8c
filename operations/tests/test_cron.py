import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from operations.cron import CronError, parse

NEW_YORK = ZoneInfo("America/New_York")


def fires(expression, after, until):
    return list(parse(expression).fire_times(after=after, until=until, tz=NEW_YORK))


def at(*args):
    return dt.datetime(*args, tzinfo=NEW_YORK)


def test_fields_ranges_steps_lists_and_names():
    cron = parse("*/15 9-17/4 1,15 jan-mar MON-FRI")
    assert cron.minutes == {0, 15, 30, 45}
    assert cron.hours == {9, 13, 17}
    assert cron.days == {1, 15}
    assert cron.months == {1, 2, 3}
    assert cron.weekdays == {1, 2, 3, 4, 5}
    assert parse("0 0 * * 7").weekdays == {0}  # Sunday is 0 and 7


def test_fire_times_are_exclusive_after_and_inclusive_until():
    times = fires("0 5 * * *", at(2025, 11, 3, 5), at(2025, 11, 5, 5))
    assert times == [at(2025, 11, 4, 5), at(2025, 11, 5, 5)]


def test_day_of_month_or_day_of_week_when_both_are_restricted():
    # Cron fires on the 1st OR on Mondays when both fields are set.
    times = fires("0 5 1 * 1", at(2025, 11, 30), at(2025, 12, 16))
    assert [moment.date().day for moment in times] == [1, 8, 15]


def test_new_york_local_time_across_daylight_saving_changes():
    # 05:00 local is 10:00 UTC in winter and 09:00 UTC in summer.
    times = fires("0 5 * * *", at(2025, 3, 8), at(2025, 3, 10, 6))
    assert [moment.astimezone(dt.UTC).hour for moment in times] == [10, 9, 9]
    # 02:30 does not exist on the spring-forward day: it fires at 03:30 instead, once.
    skipped = fires("30 2 * * *", at(2025, 3, 9), at(2025, 3, 9, 23))
    assert [moment.astimezone(NEW_YORK).strftime("%H:%M") for moment in skipped] == ["03:30"]
    # 01:30 happens twice on the fall-back day: it fires once.
    assert len(fires("30 1 * * *", at(2025, 11, 2), at(2025, 11, 2, 23))) == 1


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 5 * *", "has 4 fields"),
        ("60 5 * * *", "minute field '60' must stay within 0-59"),
        ("0 5 0 * *", "day-of-month field '0'"),
        ("0 5 * * funday", "'funday' is not a valid day-of-week"),
        ("*/0 5 * * *", "step in '\\*/0' must be at least 1"),
        ("5-1 * * * *", "must stay within"),
    ],
)
def test_bad_expressions_say_what_is_wrong(expression, message):
    with pytest.raises(CronError, match=message):
        parse(expression)
