import datetime as dt

import pytest

from metrics.comparison import (
    ComparisonMode,
    comparison_label,
    comparison_range,
    day_pairs,
    enough_pairs,
    range_text,
    year_earlier,
)
from metrics.periods import DateRange

D = dt.date
PREVIOUS, LAST_YEAR, NONE = ComparisonMode.PREVIOUS, ComparisonMode.LAST_YEAR, ComparisonMode.NONE


@pytest.mark.parametrize(
    ("start", "end", "mode", "expected"),
    [
        # The same number of days just before.
        (D(2025, 11, 24), D(2025, 11, 30), PREVIOUS, (D(2025, 11, 17), D(2025, 11, 23))),
        (D(2025, 10, 30), D(2025, 11, 5), PREVIOUS, (D(2025, 10, 23), D(2025, 10, 29))),
        # Month to date: the same days of the previous month, clamped to its end.
        (D(2025, 11, 1), D(2025, 11, 29), PREVIOUS, (D(2025, 10, 1), D(2025, 10, 29))),
        (D(2024, 3, 1), D(2024, 3, 30), PREVIOUS, (D(2024, 2, 1), D(2024, 2, 29))),
        (D(2025, 3, 1), D(2025, 3, 30), PREVIOUS, (D(2025, 2, 1), D(2025, 2, 28))),
        (D(2025, 3, 1), D(2025, 3, 1), PREVIOUS, (D(2025, 2, 1), D(2025, 2, 1))),
        (D(2026, 1, 1), D(2026, 1, 12), PREVIOUS, (D(2025, 12, 1), D(2025, 12, 12))),
        # A whole month: the whole previous month.
        (D(2025, 4, 1), D(2025, 4, 30), PREVIOUS, (D(2025, 3, 1), D(2025, 3, 31))),
        (D(2025, 3, 1), D(2025, 3, 31), PREVIOUS, (D(2025, 2, 1), D(2025, 2, 28))),
        # From the 1st across a month end: not month to date.
        (D(2025, 3, 1), D(2025, 4, 2), PREVIOUS, (D(2025, 1, 27), D(2025, 2, 28))),
        # Same calendar dates a year earlier; Feb 29 -> Feb 28.
        (D(2025, 11, 1), D(2025, 11, 7), LAST_YEAR, (D(2024, 11, 1), D(2024, 11, 7))),
        (D(2024, 2, 23), D(2024, 2, 29), LAST_YEAR, (D(2023, 2, 23), D(2023, 2, 28))),
        (D(2024, 2, 29), D(2024, 3, 6), LAST_YEAR, (D(2023, 2, 28), D(2023, 3, 6))),
        (D(2025, 2, 22), D(2025, 2, 28), LAST_YEAR, (D(2024, 2, 22), D(2024, 2, 28))),
        (D(2025, 2, 28), D(2025, 3, 1), LAST_YEAR, (D(2024, 2, 28), D(2024, 3, 1))),
    ],
)
def test_comparison_range(start, end, mode, expected):
    assert comparison_range(DateRange(start, end), mode) == DateRange(*expected)


def test_none_compares_with_nothing():
    assert comparison_range(DateRange(D(2025, 11, 1), D(2025, 11, 7)), NONE) is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2024, 2, 29), D(2023, 2, 28)),
        (D(2024, 2, 28), D(2023, 2, 28)),
        (D(2025, 3, 1), D(2024, 3, 1)),
        (D(2025, 1, 1), D(2024, 1, 1)),
    ],
)
def test_year_earlier(day, expected):
    assert year_earlier(day) == expected


def test_days_pair_by_offset_up_to_the_shorter_range():
    month_to_date = DateRange(D(2025, 3, 1), D(2025, 3, 30))
    pairs = day_pairs(month_to_date, comparison_range(month_to_date, PREVIOUS))
    assert len(pairs) == 28
    assert pairs[0] == (D(2025, 3, 1), D(2025, 2, 1))
    assert pairs[-1] == (D(2025, 3, 28), D(2025, 2, 28))

    leap_week = DateRange(D(2024, 2, 23), D(2024, 2, 29))
    pairs = day_pairs(leap_week, comparison_range(leap_week, LAST_YEAR))
    # Feb 29 has no partner: 2023 has six days from Feb 23 to the end of February.
    assert pairs == [(D(2024, 2, day), D(2023, 2, day)) for day in range(23, 29)]


@pytest.mark.parametrize(
    ("paired", "days", "expected"),
    [(1, 7, False), (3, 7, False), (4, 7, True), (7, 7, True), (1, 2, True), (0, 1, False)],
)
def test_at_least_half_of_the_days_must_pair(paired, days, expected):
    assert enough_pairs(paired, days) is expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 10, 1), D(2025, 10, 29), "Oct 1\u201329"),
        (D(2025, 10, 28), D(2025, 11, 3), "Oct 28\u2013Nov 3"),
        (D(2024, 12, 28), D(2025, 1, 3), "Dec 28, 2024\u2013Jan 3, 2025"),
        (D(2025, 10, 7), D(2025, 10, 7), "Oct 7"),
    ],
)
def test_range_text(start, end, expected):
    assert range_text(DateRange(start, end)) == expected


@pytest.mark.parametrize(
    ("start", "end", "mode", "expected"),
    [
        (D(2025, 11, 24), D(2025, 11, 30), PREVIOUS, "the 7 days before"),
        (D(2025, 11, 24), D(2025, 11, 24), PREVIOUS, "the 1 day before"),
        (D(2025, 11, 1), D(2025, 11, 29), PREVIOUS, "the same days of October"),
        (D(2025, 11, 1), D(2025, 11, 30), PREVIOUS, "October"),
        (D(2025, 3, 1), D(2025, 3, 31), PREVIOUS, "February"),
        (D(2025, 11, 1), D(2025, 11, 7), LAST_YEAR, "the same dates a year earlier"),
        (D(2025, 11, 1), D(2025, 11, 7), NONE, ""),
    ],
)
def test_comparison_label(start, end, mode, expected):
    assert comparison_label(DateRange(start, end), mode) == expected
