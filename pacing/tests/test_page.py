"""The pacing page of one order: its figures and its cumulative chart, to its client only."""

from decimal import Decimal

import pytest
from django.test import Client as BrowserClient

from campaigns.tests.factories import CampaignFactory
from pacing.selectors import cumulative_series, pacing_of
from pacing.tests.factories import InsertionOrderFactory, delivered, nov, span

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(client_a):
    campaign = CampaignFactory(client=client_a, name="Spring")
    io = InsertionOrderFactory(client=client_a, name="Acme November")
    io.campaigns.set([campaign])
    delivered(campaign, span(1, 10, 8_000))
    return io


def page(user, order):
    browser = BrowserClient()
    browser.force_login(user)
    return browser.get(f"/insertion-orders/{order.pk}/")


def test_the_owner_sees_the_figures_and_the_chart(user_a, order):
    response = page(user_a, order)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Acme November",
        "paced as of Nov 10, 2025",
        "Under pace",
        "80,000",
        "of 300,000 impressions",
        "100,000",
        "240,000",
        "11,000",
        "80.00 %",
        "<polyline",
    ):
        assert text in html, text


def test_another_clients_user_gets_a_404(user_b, order):
    assert page(user_b, order).status_code == 404


def test_the_cumulative_series_follows_the_shape(order):
    series = cumulative_series(pacing_of([order], as_of=nov(3))[order.pk])
    assert [(day.day.day, day.delivered, day.expected) for day in series] == [
        (1, Decimal(8_000), Decimal(10_000)),
        (2, Decimal(16_000), Decimal(20_000)),
        (3, Decimal(24_000), Decimal(30_000)),
    ]
    order.delivery_shape = "weekdays_heavier"
    order.save()
    series = cumulative_series(pacing_of([order], as_of=nov(3))[order.pk])
    # Sat 0.5, Sun 0.5, Mon 1.25 of 30: 5,000, 10,000, 22,500 of 300,000.
    assert [day.expected for day in series] == [Decimal(5_000), Decimal(10_000), Decimal(22_500)]
