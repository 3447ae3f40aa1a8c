"""Formulas the other formula tests leave loose: margin, changes between mixed int and Decimal
values, and the ORM ratios against their Python twins."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from metrics import formulas
from metrics.models import DailyMetric
from metrics.pricing import with_spend
from metrics.tests.factories import DailyMetricFactory

D = Decimal


@pytest.mark.parametrize(
    ("billed", "cost", "margin", "rate"),
    [
        (D("100"), D("60"), D("40.000000"), D("40.000000")),
        (D("100"), D("0"), D("100.000000"), D("100.000000")),
        (D("60"), D("100"), D("-40.000000"), D("-66.666667")),
        (D("0"), D("5"), D("-5.000000"), D("0")),
        (D("3"), D("1"), D("2.000000"), D("66.666667")),
        (D("0.0000015"), D("0"), D("0.000002"), D("100.000000")),
    ],
)
def test_margin_and_margin_rate(billed, cost, margin, rate):
    assert formulas.margin(billed, cost) == margin
    assert str(formulas.margin(billed, cost)) == str(margin)
    assert formulas.margin_rate(billed, cost) == rate


@pytest.mark.parametrize(
    ("measure", "current", "previous", "absolute", "percent"),
    [
        ("impressions", 150, 100, 50, D("50.000000")),
        ("impressions", 100, 0, 100, None),
        ("spend", D("1"), D("0.0000004"), D("1.000000"), D("249999900.000000")),
        # An int and a Decimal: the difference is a Decimal at storage precision.
        ("spend", 1, D("0.0000004"), D("1.000000"), D("249999900.000000")),
        ("spend", D("0.0000004"), 1, D("-1.000000"), D("-99.999960")),
        ("ctr", D("0.25"), D("0.20"), D("0.050000"), None),
        ("roas", D("300"), D("200"), D("100.000000"), None),
        ("cpc", D("3"), D("2"), D("1.000000"), D("50.000000")),
    ],
)
def test_change(measure, current, previous, absolute, percent):
    result = formulas.change(measure, current, previous)
    assert result == formulas.Change(absolute=absolute, percent=percent)
    assert str(result.absolute) == str(absolute)
    assert type(result.absolute) is type(absolute)


@pytest.mark.django_db
def test_orm_ratios_equal_the_python_formulas_on_sums():
    first = DailyMetricFactory(
        impressions=3,
        clicks=1,
        conversions=3,
        conversion_revenue=D("2"),
        spend=D("0.045"),
    )
    DailyMetricFactory(
        creative=first.creative,
        date=first.date.replace(day=4),
        impressions=0,
        clicks=1,
        conversions=0,
        conversion_revenue=D("1"),
        spend=D("0"),
    )
    sums = with_spend(DailyMetric.objects.all()).aggregate(
        ctr=formulas.orm_ctr(Sum("clicks"), Sum("impressions")),
        cpc=formulas.orm_cpc(Sum("spend"), Sum("clicks")),
        cpa=formulas.orm_cpa(Sum("spend"), Sum("conversions")),
        roas=formulas.orm_roas(Sum("conversion_revenue"), Sum("spend")),
    )
    totals = formulas.Totals(
        impressions=3, clicks=2, conversions=3, conversion_revenue=D("3"), spend=D("0.045")
    )
    assert {name: formulas.to_storage(value) for name, value in sums.items()} == {
        "ctr": totals.ctr,  # 2 / 3 x 100 = 66.666667
        "cpc": totals.cpc,  # 0.045 / 2 = 0.0225
        "cpa": totals.cpa,  # 0.015
        "roas": totals.roas,  # 3 / 0.045 x 100 = 6666.666667
    }
    assert (totals.ctr, totals.cpc, totals.cpa, totals.roas) == (
        D("66.666667"),
        D("0.022500"),
        D("0.015000"),
        D("6666.666667"),
    )


@pytest.mark.django_db
def test_orm_ratios_are_zero_when_the_divisor_sums_to_zero():
    DailyMetricFactory(impressions=0, clicks=0, conversions=0, spend=D("0"))
    sums = with_spend(DailyMetric.objects.all()).aggregate(
        ctr=formulas.orm_ctr(Sum("clicks"), Sum("impressions")),
        cpc=formulas.orm_cpc(Sum("spend"), Sum("clicks")),
        cpa=formulas.orm_cpa(Sum("spend"), Sum("conversions")),
        roas=formulas.orm_roas(Sum("conversion_revenue"), Sum("spend")),
    )
    assert sums == {"ctr": D(0), "cpc": D(0), "cpa": D(0), "roas": D(0)}
    assert all(isinstance(value, Decimal) for value in sums.values())
