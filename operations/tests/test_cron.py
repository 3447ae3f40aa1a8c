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
    # Thursday 2025-01-01 to Thursday 2025-01-16: 1,15 OR Monday-Friday, 09:00, 13:00 and 17:00.
    times = fires("*/30 9-17/4 1,15 jan-mar MON-FRI", at(2025, 1, 1), at(2025, 1, 1, 23))
    assert [moment.strftime("%H:%M") for moment in times] == [
        "09:00", "09:30", "13:00", "13:30", "17:00", "17:30"
    ]  # fmt: skip
    assert fires("0 5 * APR *", at(2025, 1, 1), at(2025, 4, 2, 5)) == [
        at(2025, 4, 1, 5),
        at(2025, 4, 2, 5),
    ]
    sundays = fires("0 0 * * 7", at(2025, 11, 1), at(2025, 11, 17))  # Sunday is 0 and 7
    assert sundays == [at(2025, 11, 2), at(2025, 11, 9), at(2025, 11, 16)]


def test_the_last_day_of_the_month():
    times = fires("0 5 L * *", at(2025, 1, 1), at(2025, 3, 31, 23))
    assert times == [at(2025, 1, 31, 5), at(2025, 2, 28, 5), at(2025, 3, 31, 5)]


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
    # 02:30 does not exist on the spring-forward day: it fires right after the change, once
    # (Debian cron's rule, which cronsim follows).
    skipped = fires("30 2 * * *", at(2025, 3, 9), at(2025, 3, 9, 23))
    assert [moment.astimezone(NEW_YORK).strftime("%H:%M") for moment in skipped] == ["03:00"]
    # 01:30 happens twice on the fall-back day: it fires once.
    assert len(fires("30 1 * * *", at(2025, 11, 2), at(2025, 11, 2, 23))) == 1


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 5 * *", "Wrong number of fields"),
        ("60 5 * * *", "Bad minute"),
        ("0 5 0 * *", "Bad day-of-month"),
        ("0 5 30 2 *", "Bad day-of-month"),
        ("0 5 * * funday", "Bad day-of-week"),
        ("*/0 5 * * *", "Bad minute"),
        ("5-1 * * * *", "Bad minute"),
    ],
)
def test_bad_expressions_say_what_is_wrong(expression, message):
    with pytest.raises(CronError) as error:
        parse(expression)
    assert str(error.value) == f"{expression!r} is not a valid cron expression: {message}."
