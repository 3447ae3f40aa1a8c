"""The admin's margin view: billed spend (CPM) against platform cost, per client, source, month."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client as BrowserClient

from campaigns.models import Source
from campaigns.tests.factories import CreativeFactory
from metrics.formulas import margin, margin_rate
from metrics.selectors.margin import margin_by_month, margin_total
from metrics.tests.factories import DailyMetricFactory, rollups_built

pytestmark = pytest.mark.django_db


def deliver(creative, day, spend, cost):
    # Spend is derived at the clients' CPM of 15.00: the impressions that bill ``spend``.
    return DailyMetricFactory(
        creative=creative,
        date=day,
        impressions=int(Decimal(spend) * 1000 / 15),
        spend=Decimal(spend),
        source_spend=None if cost is None else Decimal(cost),
    )


@pytest.fixture
def delivery(client_a, client_b):
    surfside = CreativeFactory(placement__strategy__campaign__client=client_a)
    vibe = CreativeFactory(
        placement__strategy__campaign__client=client_a,
        placement__strategy__campaign__source=Source.VIBE,
    )
    other = CreativeFactory(placement__strategy__campaign__client=client_b)
    rows = [
        deliver(surfside, dt.date(2026, 9, 3), "150", "55"),
        deliver(surfside, dt.date(2026, 9, 4), "150", "55"),
        deliver(surfside, dt.date(2026, 10, 1), "300", "110"),
        # Vibe: one day without a reported cost.
        deliver(vibe, dt.date(2026, 10, 2), "105", "120"),
        deliver(vibe, dt.date(2026, 10, 3), "105", None),
        deliver(other, dt.date(2026, 10, 1), "45", "10"),
    ]
    rollups_built(*rows)


def test_margin_formulas():
    assert margin(Decimal("300"), Decimal("110")) == Decimal("190.000000")
    assert margin_rate(Decimal("300"), Decimal("110")) == Decimal("63.333333")
    assert margin_rate(Decimal("0"), Decimal("10")) == Decimal("0")


def test_margin_per_client_source_and_month(client_a, delivery):
    rows = margin_by_month(
        clients=client_a.__class__.objects.filter(pk=client_a.pk),
        start=dt.date(2026, 9, 1),
        end=dt.date(2026, 10, 31),
    )
    summary = [(row.source, row.month, row.billed, row.cost, row.margin) for row in rows]
    assert summary == [
        ("surfside", dt.date(2026, 9, 1), Decimal("300"), Decimal("110"), Decimal("190")),
        ("surfside", dt.date(2026, 10, 1), Decimal("300"), Decimal("110"), Decimal("190")),
        ("vibe", dt.date(2026, 10, 1), Decimal("210"), Decimal("120"), Decimal("-15")),
    ]
    vibe = rows[2]
    # The margin compares cost with the spend billed on the days whose cost is known.
    assert (vibe.billed_with_cost, vibe.campaign_days_without_cost) == (Decimal("105"), 1)
    total = margin_total(rows)
    assert (total.billed, total.cost, total.margin) == (
        Decimal("810"),
        Decimal("340"),
        Decimal("365"),
    )
    assert total.margin_rate == Decimal("51.773050")  # 365 / 705 billed with a cost


def test_the_margin_page_is_for_admins(admin_user, user_a, delivery):
    browser = BrowserClient()
    browser.force_login(admin_user)
    page = browser.get("/admin/metrics/margin/?start=2026-09&end=2026-10")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme Foods total" in html and "Borealis Travel total" in html
    assert "$190.00" in html and "-$15.00" in html and "63.33%" in html
    assert "1 of 2 campaign-days without cost" in html
    only_vibe = browser.get("/admin/metrics/margin/?start=2026-09&end=2026-10&source=vibe")
    assert "Surfside" not in only_vibe.content.decode().split("<table")[1]
    client_user = BrowserClient()
    client_user.force_login(user_a)
    assert client_user.get("/admin/metrics/margin/").status_code == 302


def test_a_bad_month_is_explained(admin_user):
    browser = BrowserClient()
    browser.force_login(admin_user)
    html = browser.get("/admin/metrics/margin/?start=2026-13").content.decode()
    assert "Use a month like 2026-03 (YYYY-MM)." in html
