from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F, Value

from metrics import formulas
from metrics.formulas import Totals
from metrics.models import DailyMetric
from metrics.tests.factories import DailyMetricFactory


def test_spend_is_impressions_per_thousand_times_cpm():
    assert formulas.spend(10_000, Decimal("15.00")) == Decimal("150.000000")
    assert formulas.spend(865, Decimal("5.50")) == Decimal("4.757500")
    assert formulas.spend(1, Decimal("12.3456")) == Decimal("0.012346")  # rounded half up


def test_rates_are_percentages_and_costs_are_per_unit():
    assert formulas.ctr(20, 10_000) == Decimal("0.200000")
    assert formulas.cpc(Decimal("150"), 20) == Decimal("7.500000")
    assert formulas.cpa(Decimal("150"), 4) == Decimal("37.500000")
    assert formulas.roas(Decimal("300"), Decimal("150")) == Decimal("200.000000")
    assert formulas.ctr(1, 3) == Decimal("33.333333")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (formulas.ctr(5, 0), Decimal(0)),
        (formulas.cpc(Decimal("10"), 0), Decimal(0)),
        (formulas.cpa(Decimal("10"), 0), Decimal(0)),
        (formulas.roas(Decimal("10"), Decimal(0)), Decimal(0)),
    ],
)
def test_zero_divisors_give_zero(value, expected):
    assert value == expected


def test_totals_are_ratios_of_sums_not_averages_of_ratios():
    # Day 1: 1 click on 100 impressions (1 %); day 2: 0 clicks on 9,900 impressions (0 %).
    # The average of the ratios would be 0.5 %; the ratio of the sums is 0.01 %.
    totals = Totals(impressions=100 + 9_900, clicks=1 + 0, spend=Decimal("150"))
    assert totals.ctr == Decimal("0.010000")
    assert totals.cpc == Decimal("150.000000")


def test_display_rounding_is_half_up_to_cents():
    assert formulas.to_display(Decimal("2.345")) == Decimal("2.35")
    assert formulas.to_display(Decimal("0.004999")) == Decimal("0.00")


@pytest.mark.django_db
def test_sql_and_orm_forms_agree_with_python():
    DailyMetricFactory(impressions=3, clicks=1, conversions=0, conversion_revenue=Decimal("2"))
    # A spend of 7 (spend is derived, not a column of the detail rows).
    expressions = {
        "spend": formulas.sql_spend("impressions", "12.3456"),
        "ctr": formulas.sql_ctr("clicks", "impressions"),
        "cpc": formulas.sql_cpc("7", "clicks"),
        "cpa": formulas.sql_cpa("7", "conversions"),
        "roas": formulas.sql_roas("conversion_revenue", "7"),
    }
    select = ", ".join(expressions.values())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM metrics_dailymetric")
        spend, ctr, cpc, cpa, roas = cursor.fetchone()
    assert spend == formulas.spend(3, Decimal("12.3456"))
    assert ctr == formulas.ctr(1, 3)
    assert cpc == formulas.cpc(Decimal("7"), 1)
    assert cpa == formulas.cpa(Decimal("7"), 0) == 0
    assert roas == formulas.roas(Decimal("2"), Decimal("7"))

    orm = DailyMetric.objects.annotate(
        spend=Value(Decimal("7")),
        o_ctr=formulas.orm_ctr(F("clicks"), F("impressions")),
        o_cpc=formulas.orm_cpc(F("spend"), F("clicks")),
        o_cpa=formulas.orm_cpa(F("spend"), F("conversions")),
        o_roas=formulas.orm_roas(F("conversion_revenue"), F("spend")),
    ).get()
    assert formulas.to_storage(orm.o_ctr) == ctr
    assert formulas.to_storage(orm.o_cpc) == cpc
    assert orm.o_cpa == 0
    assert formulas.to_storage(orm.o_roas) == roas


def test_change_is_absolute_and_percent_of_the_previous_value():
    assert formulas.change("impressions", 12_000, 5_000) == formulas.Change(7_000, Decimal("140"))
    assert formulas.change("spend", Decimal("75"), Decimal("150")) == formulas.Change(
        Decimal("-75.000000"), Decimal("-50.000000")
    )
    assert formulas.change("cpc", Decimal("1"), Decimal("3")).percent == Decimal("-66.666667")


def test_change_from_zero_has_no_percent():
    assert formulas.change("clicks", 5, 0) == formulas.Change(5, None)


def test_rates_change_in_points():
    # 0.20 % -> 0.25 % is +0.05 points, not +25 %.
    current = Totals(impressions=10_000, clicks=25)
    previous = Totals(impressions=10_000, clicks=20)
    moved = formulas.changes(current, previous)
    assert moved["ctr"] == formulas.Change(Decimal("0.050000"), None)
    assert moved["clicks"] == formulas.Change(5, Decimal("25.000000"))
    assert set(moved) == set(formulas.ALL_MEASURES)


def test_click_rates_are_made_of_the_sources_that_report_clicks_only():
    # 10,000 Surfside impressions with 20 clicks and $150, plus 30,000 CTV impressions ($450).
    blended = Totals(
        impressions=40_000,
        clicks=20,
        spend=Decimal("600"),
        click_clicks=20,
        click_impressions=10_000,
        click_spend=Decimal("150"),
    )
    assert (blended.ctr, blended.cpc) == (Decimal("0.200000"), Decimal("7.500000"))
    assert blended.as_dict()["clicks"] == 20
    # Only CTV: clicks stays a number, the click rates have no meaning.
    ctv = Totals(impressions=30_000, spend=Decimal("450"), click_clicks=0, click_impressions=0)
    assert (ctv.as_dict()["clicks"], ctv.as_dict()["ctr"], ctv.as_dict()["cpc"]) == (0, None, None)
    moved = formulas.changes(ctv, blended)
    assert moved["ctr"] is None and moved["cpc"] is None
    # Nothing delivered: zeros, as before.
    assert Totals(click_impressions=0).as_dict()["ctr"] == Decimal(0)
