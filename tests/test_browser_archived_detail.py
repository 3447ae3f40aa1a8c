"""In Chromium: a range reaching into a month retention archived. The dashboard serves it from the
rollups and says the detail is archived; a drill-down (detail below campaigns) explains why it
shows the last 30 days instead. Saves desktop (1440) and phone (390) screenshots to
docs/screenshots/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from campaigns.tests.factories import CreativeFactory
from metrics.tests.factories import DailyMetricFactory, rollups_built
from operations.retention import archive_month
from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
LONG = "?start_date=2025-09-01&end_date=2025-11-30"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


def test_archived_detail_is_explained_on_the_pages(chromium, live_server, user_a, client_b):
    rows = []
    for client, scale in ((user_a.client, 1), (client_b, 7)):
        creative = CreativeFactory(
            name="Banner",
            placement__strategy__campaign__client=client,
            placement__strategy__campaign__name="Spring Sale",
        )
        for day, impressions in ((dt.date(2025, 9, 15), 40_000), (dt.date(2025, 11, 2), 60_000)):
            rows.append(
                DailyMetricFactory(creative=creative, date=day, impressions=impressions * scale)
            )
    rollups_built(*rows)
    archive_month(month=dt.date(2025, 9, 1))
    campaign_id = rows[0].campaign_id

    for width, suffix in ((1440, ""), (390, "-phone")):
        context = chromium.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        log_in(page, live_server.url, user_a.username)
        page.goto(f"{live_server.url}/dashboard/{LONG}")
        note = page.locator(".notice")
        expect(note).to_have_text(
            "Detail before Oct 2025 is archived; totals and campaigns come from the daily rollups."
        )
        expect(page.locator(".kpi").filter(has_text="Impressions")).to_contain_text("100,000")
        page.screenshot(path=str(SHOTS / f"dashboard-archived-detail{suffix}.png"), full_page=True)

        page.goto(f"{live_server.url}/campaigns/{campaign_id}/{LONG}")
        expect(page.get_by_role("alert")).to_contain_text("Detail before Oct 2025 is archived")
        expect(page.get_by_role("alert")).to_contain_text("Showing the last 30 days instead.")
        page.screenshot(path=str(SHOTS / f"drilldown-archived-detail{suffix}.png"), full_page=True)
        context.close()
