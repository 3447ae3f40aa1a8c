import datetime as dt

import pytest

from metrics.periods import (
    DateRange,
    Granularity,
    RangeError,
    default_end,
    default_start,
    periods,
    requested_range,
)

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


# --- The one range rule of the pages and the API ------------------------------------------------

TODAY = dt.date(2025, 12, 15)


def test_a_range_with_no_ends_is_the_30_days_that_end_yesterday():
    assert requested_range(None, None, today=TODAY) == DateRange(
        dt.date(2025, 11, 15), dt.date(2025, 12, 14)
    )


def test_a_range_longer_than_a_year_is_served_from_the_rollups():
    """No length cap: rollups and summaries are kept forever (SPEC 5)."""
    start, end = dt.date(2020, 1, 1), dt.date(2025, 12, 14)
    assert requested_range(start, end, today=TODAY) == DateRange(start, end)


@pytest.mark.django_db
def test_a_detail_range_is_refused_only_before_the_archived_months(django_assert_num_queries):
    from metrics.models import ArchivedMonth

    start, end = dt.date(2024, 9, 30), dt.date(2025, 12, 14)
    # Nothing archived yet: 15 months of detail are still stored, and served.
    assert requested_range(start, end, today=TODAY, detail=True) == DateRange(start, end)
    ArchivedMonth.objects.create(month=dt.date(2024, 8, 1))
    ArchivedMonth.objects.create(month=dt.date(2024, 9, 1))

    with pytest.raises(RangeError) as refused:
        requested_range(start, end, today=TODAY, detail=True)
    assert str(refused.value) == (
        "Detail before Oct 2024 is archived; totals and campaigns come from the daily rollups. "
        "Choose a start on or after Oct 1, 2024 for this view."
    )
    # From the first month kept on, 13 months and more of detail are served...
    october = dt.date(2024, 10, 1)
    assert requested_range(october, end, today=TODAY, detail=True) == DateRange(october, end)
    # ...and outputs that read the rollups serve the archived days too.
    assert requested_range(start, end, today=TODAY) == DateRange(start, end)
    # Inside the 13-month window (from Nov 1, 2024) nothing can be archived: no query.
    november = dt.date(2024, 11, 1)
    with django_assert_num_queries(0):
        assert requested_range(november, end, today=TODAY, detail=True).start == november


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            dt.date(2025, 3, 2),
            dt.date(2025, 3, 1),
            "The range starts on Mar 2, 2025, after it ends on Mar 1, 2025: choose a start on or "
            "before the end.",
        ),
        (
            dt.date(2025, 12, 20),
            None,
            "The range starts on Dec 20, 2025, after it ends on Dec 14, 2025 (yesterday, the "
            "default end): choose a start on or before the end.",
        ),
    ],
)
def test_a_range_no_report_serves_is_refused_with_what_to_change(start, end, message):
    with pytest.raises(RangeError) as refused:
        requested_range(start, end, today=TODAY)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, dt.date(1, 1, 1)), (dt.date(1, 1, 1), dt.date(1, 1, 2)), (dt.date(1999, 12, 31), None)],
)
def test_a_date_outside_the_products_window_is_refused_not_a_crash(start, end):
    """Year 1 would overflow when the default start or the previous period is worked out."""
    with pytest.raises(RangeError, match=r"^Use a date between 2000-01-01 and "):
        requested_range(start, end, today=TODAY)
