import datetime as dt
from decimal import Decimal

import pytest

from metrics.formatting import (
    change_text,
    count,
    day_spans,
    measure_in,
    measure_value,
    money,
    percent,
)
from metrics.formulas import Change
from metrics.periods import DateRange
from portal.ranges import presets


@pytest.mark.parametrize(
    ("value", "expected"),
    [(541210, "541,210"), (0, "0"), (None, "0"), (Decimal("1234567"), "1,234,567")],
)
def test_counts_have_thousands_separators(value, expected):
    assert count(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("8118.150000"), "$8,118.15"),
        (Decimal("0.005"), "$0.01"),  # half up, like metrics.formulas.to_display
        (Decimal("-12"), "-$12.00"),
        (Decimal("1234567.891"), "$1,234,567.89"),
    ],
)
def test_money_has_a_dollar_sign_and_two_decimals(value, expected):
    assert money(value) == expected


def test_rates_are_percentages_with_two_decimals():
    assert percent(Decimal("0.210824")) == "0.21%"
    assert percent(Decimal("1131.4")) == "1,131.40%"
    assert measure_value("roas", Decimal("51.5")) == "51.50%"
    assert measure_value("cpa", Decimal("76.654")) == "$76.65"
    assert measure_value("clicks", 3373) == "3,373"


def test_changes_read_in_percent_or_points_with_their_tone():
    up = change_text("impressions", Change(absolute=341210, percent=Decimal("170.605")))
    assert (up.text, up.trend, up.tone) == ("+170.61%", "up", "good")
    cheaper = change_text("cpa", Change(absolute=Decimal("-3"), percent=Decimal("-6.68")))
    assert (cheaper.text, cheaper.tone) == ("-6.68%", "good")
    rate = change_text("ctr", Change(absolute=Decimal("-0.041"), percent=None))
    assert (rate.text, rate.tone) == ("-0.04 pts", "bad")
    spend = change_text("spend", Change(absolute=Decimal("10"), percent=Decimal("5")))
    assert spend.tone == "neutral"
    new = change_text("conversions", Change(absolute=4, percent=None))
    assert new.text == "new"
    flat = change_text("clicks", Change(absolute=0, percent=None))
    assert (flat.text, flat.trend, flat.tone) == ("no change", "flat", "neutral")


def test_missing_days_are_written_as_spans():
    days = [dt.date(2026, 11, d) for d in (1, 2, 3, 7)] + [dt.date(2026, 11, 30)]
    days += [dt.date(2026, 12, 1), dt.date(2026, 12, 2)]
    assert day_spans(days) == ["Nov 1\u20133", "Nov 7", "Nov 30\u2013Dec 2"]
    assert day_spans([]) == []


def test_presets_end_yesterday():
    ranges = {preset.key: preset.date_range for preset in presets(dt.date(2026, 11, 24))}
    assert ranges["last_7"] == DateRange(dt.date(2026, 11, 17), dt.date(2026, 11, 23))
    assert ranges["last_30"] == DateRange(dt.date(2026, 10, 25), dt.date(2026, 11, 23))
    assert ranges["last_90"].days == 90
    assert ranges["month_to_date"] == DateRange(dt.date(2026, 11, 1), dt.date(2026, 11, 23))
    assert ranges["last_month"] == DateRange(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def test_presets_on_the_first_of_the_month_and_in_january():
    ranges = {preset.key: preset.date_range for preset in presets(dt.date(2026, 1, 1))}
    assert ranges["month_to_date"] == DateRange(dt.date(2026, 1, 1), dt.date(2026, 1, 1))
    assert ranges["last_month"] == DateRange(dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_a_cost_over_nothing_is_a_dash_not_zero():
    ctv = {"impressions": 1000, "clicks": 0, "conversions": 3, "cpc": 0, "cpa": Decimal("5")}
    assert measure_in("cpc", ctv) == "\u2013"
    assert measure_in("cpa", ctv) == "$5.00"
    assert measure_in("impressions", ctv) == "1,000"
