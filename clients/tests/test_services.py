import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clients.tests.factories import ClientFactory
from metrics.models import CampaignDayRollup, DailyMetric
from metrics.pricing import MonthImpact, spend_impact, with_row_measures
from metrics.rollups import rollups_refresh
from metrics.tests.factories import DailyMetricFactory
from metrics.tests.queued import cpm_rate_add, cpm_rate_change, cpm_rate_delete

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced_days():
    """10,000 impressions on each of Jan 30 - Feb 2, priced at 10.00 from 2025-01-01."""
    client = ClientFactory(cpm="10.00", cpm__effective_date=dt.date(2025, 1, 1))
    first = DailyMetricFactory(
        creative__placement__strategy__campaign__client=client,
        date=dt.date(2025, 1, 30),
        impressions=10_000,
        clicks=40,
        conversions=4,
        conversion_revenue=Decimal("500"),
        spend=Decimal("100"),
    )
    for day in (31, 32, 33):
        DailyMetricFactory(
            creative=first.creative,
            date=dt.date(2025, 1, 1) + dt.timedelta(day - 1),
            impressions=10_000,
            clicks=40,
            conversions=4,
            conversion_revenue=Decimal("500"),
            spend=Decimal("100"),
        )
    rollups_refresh(client_id=client.pk, date_from=dt.date(2025, 1, 1), date_to=None)
    return client


def spend_by_day(client):
    # Spend is derived: the day's rollup holds it (one campaign here).
    return {r.date.day: r.spend for r in CampaignDayRollup.objects.filter(client=client)}


def test_a_new_rate_reprices_exactly_the_days_it_governs(priced_days, admin_user):
    cpm_rate_add(
        client=priced_days, cpm=Decimal("20.00"), effective_date=dt.date(2025, 2, 1), by=admin_user
    )
    assert spend_by_day(priced_days) == {
        30: Decimal("100"),
        31: Decimal("100"),
        1: Decimal("200"),
        2: Decimal("200"),
    }
    repriced = with_row_measures(DailyMetric.objects.filter(client=priced_days)).get(
        date=dt.date(2025, 2, 1)
    )
    assert repriced.cpc == Decimal("5")  # 200 / 40
    assert repriced.cpa == Decimal("50")  # 200 / 4
    assert repriced.roas == Decimal("250")  # 500 / 200 x 100
    rollup_spend = sum(r.spend for r in CampaignDayRollup.objects.filter(client=priced_days))
    assert rollup_spend == Decimal("600")


def test_a_rate_between_two_rates_stops_at_the_next_one(priced_days, admin_user):
    cpm_rate_add(
        client=priced_days, cpm=Decimal("30"), effective_date=dt.date(2025, 2, 2), by=admin_user
    )
    cpm_rate_add(
        client=priced_days, cpm=Decimal("20"), effective_date=dt.date(2025, 1, 31), by=admin_user
    )
    assert spend_by_day(priced_days) == {
        30: Decimal("100"),
        31: Decimal("200"),
        1: Decimal("200"),
        2: Decimal("300"),
    }


def test_changing_a_rate_date_reprices_old_and_new_periods(priced_days, admin_user):
    rate = cpm_rate_add(
        client=priced_days, cpm=Decimal("20"), effective_date=dt.date(2025, 2, 2), by=admin_user
    )
    cpm_rate_change(rate=rate, effective_date=dt.date(2025, 1, 31), by=admin_user)
    assert spend_by_day(priced_days)[31] == Decimal("200")
    cpm_rate_change(rate=rate, effective_date=dt.date(2025, 2, 2), by=admin_user)
    assert spend_by_day(priced_days) == {
        30: Decimal("100"),
        31: Decimal("100"),
        1: Decimal("100"),
        2: Decimal("200"),
    }


def test_deleting_a_rate_falls_back_to_the_previous_one(priced_days, admin_user):
    rate = cpm_rate_add(
        client=priced_days, cpm=Decimal("20"), effective_date=dt.date(2025, 2, 1), by=admin_user
    )
    cpm_rate_delete(rate=rate, by=admin_user)
    assert set(spend_by_day(priced_days).values()) == {Decimal("100")}


def test_a_change_that_leaves_data_unpriced_is_refused(priced_days, admin_user):
    only_rate = priced_days.cpm_rates.get()
    with pytest.raises(ValidationError, match="would have no CPM in effect"):
        cpm_rate_change(rate=only_rate, effective_date=dt.date(2025, 2, 1), by=admin_user)
    only_rate.refresh_from_db()
    assert only_rate.effective_date == dt.date(2025, 1, 1)
    assert set(spend_by_day(priced_days).values()) == {Decimal("100")}


def test_spend_impact_previews_per_month_without_changing_anything(priced_days):
    impact = spend_impact(
        client_id=priced_days.pk,
        rates=[(dt.date(2025, 1, 1), Decimal("10")), (dt.date(2025, 2, 1), Decimal("12.5"))],
    )
    assert impact == [MonthImpact(dt.date(2025, 2, 1), Decimal("200"), Decimal("250"), 0)]
    assert impact[0].difference == Decimal("50")
    assert set(spend_by_day(priced_days).values()) == {Decimal("100")}
