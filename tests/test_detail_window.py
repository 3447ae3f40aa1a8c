"""The range rule once retention has archived a month: outputs read from the rollups serve any
range (archived days included); outputs that read the detail refuse the archived days with one
message, in the API and on the pages. Two tenants with the same names and dates."""

import datetime as dt
import html
import re

import pytest
from django.test import Client as BrowserClient

from campaigns.tests.factories import CreativeFactory
from metrics.tests.factories import DailyMetricFactory, rollups_built
from operations.retention import archive_month

pytestmark = pytest.mark.django_db

LONG = "start_date=2025-09-01&end_date=2025-11-30"
KEPT = "start_date=2025-10-01&end_date=2025-11-30"
MESSAGE = (
    "Detail before Oct 2025 is archived; totals and campaigns come from the daily rollups. "
    "Choose a start on or after Oct 1, 2025 for this view."
)


@pytest.fixture
def archived(client_a, client_b):
    """Each client: Spring Sale / Banner on Sep 15 (archived) and Nov 2, 2025 (kept)."""
    creatives = {}
    for client, (first, second) in ((client_a, (1000, 2000)), (client_b, (5000, 7000))):
        creative = CreativeFactory(
            name="Banner",
            placement__strategy__campaign__client=client,
            placement__strategy__campaign__name="Spring Sale",
        )
        rows = [
            DailyMetricFactory(creative=creative, date=dt.date(2025, 9, 15), impressions=first),
            DailyMetricFactory(creative=creative, date=dt.date(2025, 11, 2), impressions=second),
        ]
        rollups_built(*rows)
        creatives[client.pk] = creative
    assert len(archive_month(month=dt.date(2025, 9, 1))) == 2
    return creatives


def test_rollup_outputs_serve_the_archived_days_detail_outputs_refuse_them(api, user_a, archived):
    summary = api(user_a).get(f"/api/v1/dashboard/summary?{LONG}")
    assert summary.status_code == 200
    assert summary.json()["impressions"] == 3000  # Sep 15 from the rollups + Nov 2
    campaigns = api(user_a).get(f"/api/v1/campaigns?{LONG}").json()["results"]
    assert [(row["name"], row["impressions"]) for row in campaigns] == [("Spring Sale", 3000)]

    for route in ("strategies", "placements", "creatives", "exports/csv"):
        refused = api(user_a).get(f"/api/v1/{route}?{LONG}")
        assert refused.status_code == 400, route
        assert refused.json()["detail"] == MESSAGE

    creatives = api(user_a).get(f"/api/v1/creatives?{KEPT}").json()["results"]
    assert [(row["name"], row["impressions"]) for row in creatives] == [("Banner", 2000)]
    creative = archived[user_a.client_id]
    refused = api(user_a).get(f"/api/v1/creatives/{creative.pk}?{LONG}")
    assert (refused.status_code, refused.json()["detail"]) == (400, MESSAGE)
    campaign_id = creative.placement.strategy.campaign_id
    assert api(user_a).get(f"/api/v1/campaigns/{campaign_id}?{LONG}").json()["impressions"] == (
        3000
    )


def _text(response) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_the_pages_say_the_detail_is_archived(user_a, archived):
    browser = BrowserClient()
    browser.force_login(user_a)

    dashboard = _text(browser.get(f"/dashboard/?{LONG}"))
    assert "Detail before Oct 2025 is archived; totals and campaigns come from the daily " in (
        dashboard
    )
    assert "3,000" in dashboard and "Showing the last 30 days instead." not in dashboard
    assert "archived" not in _text(browser.get(f"/dashboard/?{KEPT}"))

    campaign_id = archived[user_a.client_id].placement.strategy.campaign_id
    drilldown = _text(browser.get(f"/campaigns/{campaign_id}/?{LONG}"))
    assert MESSAGE in drilldown
    assert "Showing the last 30 days instead." in drilldown
