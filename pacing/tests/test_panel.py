"""The dashboard's pacing panel: the client's orders flying in the range, paced."""

import datetime as dt

import pytest
from django.test import Client as BrowserClient

from campaigns.tests.factories import CampaignFactory
from pacing.tests.factories import InsertionOrderFactory, delivered, span

pytestmark = pytest.mark.django_db

NOVEMBER = "/dashboard/?start_date=2025-11-01&end_date=2025-11-30"


def page_for(user, url=NOVEMBER) -> str:
    browser = BrowserClient()
    browser.force_login(user)
    response = browser.get(url)
    assert response.status_code == 200
    return response.content.decode()


def row_of(html: str, name: str) -> str:
    start = html.index(name)
    return html[start : html.index("</tr>", start)]


@pytest.fixture
def orders(client_a, client_b):
    spring = CampaignFactory(client=client_a, name="Spring")
    under = InsertionOrderFactory(client=client_a, name="Acme November")
    under.campaigns.set([spring])
    delivered(spring, span(1, 10, 8_000))
    InsertionOrderFactory(
        client=client_a,
        name="Acme October",
        start_date=dt.date(2025, 10, 1),
        end_date=dt.date(2025, 10, 31),
    )
    InsertionOrderFactory(client=client_b, name="Borealis November")


def test_the_panel_shows_the_clients_orders_paced(user_a, orders):
    html = page_for(user_a)
    assert "Pacing against insertion orders" in html
    row = row_of(html, "Acme November")
    assert "80,000 of 300,000 impressions" in row
    assert "80.00 %" in row
    assert "240,000" in row
    assert "Under pace" in row
    assert "as of Nov 10" in row
    # Widths are SVG attributes: the Content-Security-Policy blocks inline styles.
    assert '<rect class="progress-bar under" width="26.7"' in row  # 80,000 of 300,000
    assert '<rect class="progress-mark" x="33.3"' in row  # 100,000 expected by Nov 10
    assert "style=" not in row
    assert "80.0 % of contract" in row  # 240,000 projected
    assert "Acme October" not in html  # not flying in November
    assert "Borealis" not in html


def test_no_orders_no_panel(user_b):
    assert "Pacing against insertion orders" not in page_for(user_b)


def test_the_panel_costs_the_same_queries_for_more_orders(
    user_a, client_a, orders, django_assert_num_queries
):
    browser = BrowserClient()
    browser.force_login(user_a)
    browser.get(NOVEMBER)
    # The dashboard's count (portal/tests/test_dashboard.py) with the orders' pacing.
    with django_assert_num_queries(28):
        browser.get(NOVEMBER)
    for index in range(5):
        campaign = CampaignFactory(client=client_a, name=f"C{index}")
        order = InsertionOrderFactory(client=client_a, start_date=dt.date(2025, 11, 2))
        order.campaigns.set([campaign])
        delivered(campaign, span(2, 6, 1_000))
    with django_assert_num_queries(28):
        browser.get(NOVEMBER)


def test_a_projection_beyond_the_contract_says_so(user_a, client_a):
    campaign = CampaignFactory(client=client_a, name="Fast")
    order = InsertionOrderFactory(client=client_a, name="Acme fast", contracted_impressions=100_000)
    order.campaigns.set([campaign])
    delivered(campaign, span(1, 10, 4_000))
    # 40,000 + 20 x 4,000 = 120,000 projected: 120.0 % of the contract; the bar stops at 100.
    row = row_of(page_for(user_a), "Acme fast")
    assert "120.0 % of contract" in row
    assert "120,000" in row
