"""The admin's ingestion health page counts each client's running orders under pace."""

import datetime as dt

import pytest
from django.test import Client as BrowserClient
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from pacing.tests.factories import InsertionOrderFactory, delivered

pytestmark = pytest.mark.django_db


def cell_of(html: str, client_name: str) -> str:
    row = html[html.index(client_name) :]
    row = row[: row.index("</tr>")]
    start = row.index('class="num orders-under"')
    return row[start : row.index("</td>", start)]


def test_the_health_page_counts_orders_under_pace(admin_user, client_a, client_b):
    today = timezone.localdate()
    campaign = CampaignFactory(client=client_a, name="Spring")
    days = [today - dt.timedelta(days=n) for n in range(10, 0, -1)]
    delivered(campaign, dict.fromkeys(days, 1_000))
    for name, contracted in (("Under", 60_000), ("On track", 20_000)):
        order = InsertionOrderFactory(
            client=client_a,
            name=name,
            start_date=days[0],
            end_date=days[0] + dt.timedelta(days=19),
            contracted_impressions=contracted,
            campaign_name_pattern="" if name == "Under" else "x",
        )
        if name == "Under":
            order.campaigns.set([campaign])
    # "On track" covers, by its name pattern, a campaign created after it.
    on_track = CampaignFactory(client=client_a, name="x")
    delivered(on_track, dict.fromkeys(days, 1_000))
    browser = BrowserClient()
    browser.force_login(admin_user)
    html = browser.get("/admin/ingestion/health/").content.decode()
    assert "Orders under pace" in html
    # Under: 10,000 of 30,000 expected. On track: 10,000 of 10,000.
    assert ">1</strong></a>" in cell_of(html, "Acme Foods")
    assert f"client__id__exact={client_a.pk}" in cell_of(html, "Acme Foods")
    assert cell_of(html, "Borealis Travel").endswith(">0")
