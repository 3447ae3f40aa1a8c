import datetime as dt

import pytest

from metrics.periods import DateRange, Granularity, default_end, default_start, periods

D = dt.date


def test_previous_period_is_as_long_and_ends_the_day_before():
    assert DateRange(D(2025, 3, 1), D(2025, 3, 31)).previous() == DateRange(
        D(2025, 1, 29), D(2025, 2, 28)
    )
    assert DateRange(D(2025, 3, 1), D(2025, 3, 1)).previous() == DateRange(
        D(2025, 2, 28), D(2025, 2, 28)
    )


def test_a_range_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="cannot start"):
        DateRange(D(2025, 3, 2), D(2025, 3, 1))


def test_defaults_are_the_30_days_that_end_yesterday():
    end = default_end(D(2025, 3, 1))
    assert (default_start(end), end) == (D(2025, 1, 30), D(2025, 2, 28))
    assert DateRange(default_start(end), end).days == 30


def test_weeks_run_monday_to_sunday_and_are_clipped():
    # 2025-03-05 is a Wednesday; 2025-03-18 a Tuesday.
    assert periods(DateRange(D(2025, 3, 5), D(2025, 3, 18)), Granularity.WEEK) == [
        DateRange(D(2025, 3, 5), D(2025, 3, 9)),
        DateRange(D(2025, 3, 10), D(2025, 3, 16)),
        DateRange(D(2025, 3, 17), D(2025, 3, 18)),
    ]


def test_months_cross_the_year_and_leap_days():
    assert periods(DateRange(D(2023, 12, 15), D(2024, 2, 29)), Granularity.MONTH) == [
        DateRange(D(2023, 12, 15), D(2023, 12, 31)),
        DateRange(D(2024, 1, 1), D(2024, 1, 31)),
        DateRange(D(2024, 2, 1), D(2024, 2, 29)),
    ]


def test_days_are_every_day():
    date_range = DateRange(D(2024, 2, 28), D(2024, 3, 1))
    assert [period.start for period in periods(date_range, Granularity.DAY)] == list(
        date_range.each_day()
    )
    assert date_range.days == 3
