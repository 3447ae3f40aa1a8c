"""Pricing with two tenants that share names and days at different rates (tests/two_tenants.py):
the impact preview, re-pricing and the refusal of unpriced days see only the client's own rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditLog
from clients.models import CpmRate
from metrics.models import CampaignDayRollup, Repricing
from metrics.pricing import MonthImpact, spend_impact, unpriceable_range
from metrics.rollups import rollups_refresh
from metrics.tests.queued import cpm_rate_add, cpm_rate_change, cpm_rate_delete

pytestmark = pytest.mark.django_db

NOV = dt.date(2025, 11, 1)


def spend_by_day(client):
    # Spend is derived: the day's rollup holds it (one campaign a day in these files).
    rollups = CampaignDayRollup.objects.filter(client=client).order_by("date")
    return {r.date: r.spend for r in rollups}


def reprice_days(*, client_id, date_from, date_to):
    return rollups_refresh(
        client_id=client_id, date_from=date_from, date_to=date_to, spend_only=True
    )


def rate(client, day):
    return CpmRate.objects.get(client=client, effective_date=day)


def test_the_impact_preview_sums_only_the_clients_own_rows(two_tenants):
    a = two_tenants.client_a
    impact = spend_impact(
        client_id=a.pk,
        rates=[(dt.date(2020, 1, 1), Decimal("15")), (dt.date(2025, 11, 2), Decimal("25"))],
    )
    # Acme: 15 + 40 + 60 = 115 today; 15 + 2,000 x 25 / 1000 + 3,000 x 25 / 1000 = 140.
    assert impact == [MonthImpact(NOV, Decimal("115"), Decimal("140"), 0)]
    assert impact[0].difference == Decimal("25")
    b = two_tenants.client_b
    impact_b = spend_impact(
        client_id=b.pk,
        rates=[(dt.date(2025, 1, 1), Decimal("40"))],
    )
    # Borealis: 160 + 250 + 300 = 710 today; all three days at 40 would be 600.
    assert impact_b == [MonthImpact(NOV, Decimal("710"), Decimal("600"), 0)]


def test_the_impact_preview_counts_the_rows_a_history_would_leave_unpriced(two_tenants):
    impact = spend_impact(
        client_id=two_tenants.client_a.pk, rates=[(dt.date(2025, 11, 2), Decimal("20"))]
    )
    assert impact == [MonthImpact(NOV, Decimal("115"), Decimal("100"), 1)]


def test_a_month_that_would_lose_its_cpm_is_previewed_even_at_the_same_total(two_tenants):
    # 23.00 from 11-02: 2,000 x 23 / 1000 + 3,000 x 23 / 1000 = 115, today's total, but
    # 11-01 would have no rate.
    impact = spend_impact(
        client_id=two_tenants.client_a.pk, rates=[(dt.date(2025, 11, 2), Decimal("23"))]
    )
    assert impact == [MonthImpact(NOV, Decimal("115"), Decimal("115"), 1)]


def test_an_unchanged_history_previews_no_month(two_tenants):
    rates = [(dt.date(2020, 1, 1), Decimal("15")), (dt.date(2025, 11, 2), Decimal("20"))]
    assert spend_impact(client_id=two_tenants.client_a.pk, rates=rates) == []


def test_a_rate_starting_on_the_first_stored_day_is_valid(two_tenants, admin_user):
    a = two_tenants.client_a
    first = rate(a, dt.date(2020, 1, 1))
    cpm_rate_change(rate=first, effective_date=dt.date(2025, 11, 1), by=admin_user)
    assert unpriceable_range(client_id=a.pk) is None
    assert spend_by_day(a) == two_tenants.expected_a.spend_by_day
    with pytest.raises(ValidationError) as refused:
        cpm_rate_change(rate=first, effective_date=dt.date(2025, 11, 3), by=admin_user)
    assert refused.value.message_dict == {
        "effective_date": [
            "Stored data from 2025-11-01 to 2025-11-01 would have no CPM in effect. Keep an "
            "earlier rate or choose an earlier date."
        ]
    }


def test_the_refusal_names_the_first_and_last_unpriced_day(two_tenants, admin_user):
    a, b = two_tenants.client_a, two_tenants.client_b
    later = rate(a, dt.date(2025, 11, 2))
    cpm_rate_change(rate=later, effective_date=dt.date(2025, 11, 4), by=admin_user)
    assert unpriceable_range(client_id=a.pk) is None
    with pytest.raises(ValidationError) as refused:
        cpm_rate_change(
            rate=rate(a, dt.date(2020, 1, 1)), effective_date=dt.date(2025, 11, 3), by=admin_user
        )
    assert refused.value.message_dict["effective_date"] == [
        "Stored data from 2025-11-01 to 2025-11-02 would have no CPM in effect. Keep an "
        "earlier rate or choose an earlier date."
    ]
    # Nothing changed, for either client; Borealis' rates never covered Acme's days.
    assert rate(a, dt.date(2020, 1, 1)).cpm == Decimal("15")
    assert spend_by_day(a) == {
        dt.date(2025, 11, 1): Decimal("15"),
        dt.date(2025, 11, 2): Decimal("30"),  # back at 15 since the 20.00 rate moved
        dt.date(2025, 11, 3): Decimal("45"),
    }
    assert spend_by_day(b) == two_tenants.expected_b.spend_by_day
    assert unpriceable_range(client_id=b.pk) is None


def test_deleting_the_only_covering_rate_is_refused_with_its_days(two_tenants, admin_user):
    b = two_tenants.client_b
    cpm_rate_delete(rate=rate(b, dt.date(2020, 1, 1)), by=admin_user)
    with pytest.raises(ValidationError) as refused:
        cpm_rate_delete(rate=rate(b, dt.date(2025, 1, 1)), by=admin_user)
    assert refused.value.message_dict["effective_date"] == [
        "Stored data from 2025-11-02 to 2025-11-02 would have no CPM in effect. Keep an "
        "earlier rate or choose an earlier date."
    ]
    assert spend_by_day(b) == two_tenants.expected_b.spend_by_day


def test_the_repriced_count_counts_changed_campaign_days_only(two_tenants, admin_user):
    a, b = two_tenants.client_a, two_tenants.client_b
    # A rate at the price already in effect changes no day.
    same = cpm_rate_add(client=a, cpm=Decimal("20"), effective_date=dt.date(2025, 11, 3), by=None)
    assert AuditLog.objects.get(entity_id=str(same.pk)).new_values["days_repriced"] == (
        "2025-11-03.."
    )
    assert Repricing.objects.get().message == "0 campaign-days re-priced."
    assert reprice_days(client_id=a.pk, date_from=dt.date(2025, 11, 1), date_to=None) == 0
    cpm_rate_change(rate=same, cpm=Decimal("30"), by=admin_user)
    assert Repricing.objects.order_by("-id").first().message == "1 campaign-days re-priced."
    assert spend_by_day(a) == {
        dt.date(2025, 11, 1): Decimal("15"),
        dt.date(2025, 11, 2): Decimal("40"),
        dt.date(2025, 11, 3): Decimal("90"),  # 3,000 x 30 / 1000
    }
    assert spend_by_day(b) == two_tenants.expected_b.spend_by_day
    rollups = {r.date: r.spend for r in CampaignDayRollup.objects.filter(client=a)}
    assert rollups[dt.date(2025, 11, 3)] == Decimal("90")


def test_a_new_rate_reprices_its_own_client_only(two_tenants, admin_user):
    a, b = two_tenants.client_a, two_tenants.client_b
    cpm_rate_add(client=b, cpm=Decimal("100"), effective_date=dt.date(2025, 11, 2), by=admin_user)
    assert spend_by_day(b) == {
        dt.date(2025, 11, 2): Decimal("400"),  # 4,000 x 100 / 1000
        dt.date(2025, 11, 3): Decimal("250"),  # still 50 from 11-03
        dt.date(2025, 11, 4): Decimal("300"),
    }
    assert spend_by_day(a) == two_tenants.expected_a.spend_by_day


def test_reprice_days_honours_both_ends_of_the_range(two_tenants):
    a = two_tenants.client_a
    CpmRate.objects.filter(client=a).update(cpm=Decimal("50"))
    changed = reprice_days(
        client_id=a.pk, date_from=dt.date(2025, 11, 2), date_to=dt.date(2025, 11, 2)
    )
    assert changed == 1
    assert spend_by_day(a) == {
        dt.date(2025, 11, 1): Decimal("15"),
        dt.date(2025, 11, 2): Decimal("100"),
        dt.date(2025, 11, 3): Decimal("60"),
    }
    assert reprice_days(client_id=a.pk, date_from=dt.date(2025, 11, 3), date_to=None) == 1
    assert spend_by_day(a)[dt.date(2025, 11, 3)] == Decimal("150")
