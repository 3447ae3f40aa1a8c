"""The dashboard's export form in headless Chromium: pick what one row is, download the CSV.
Saves the dashboard's header at desktop and phone widths to docs/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import FloatRect, Page, expect

from tests.test_browser import chromium, delivery, log_in, page  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def test_a_client_downloads_campaign_totals_as_csv(
    page: Page,  # noqa: F811 - the fixture
    live_server,
    user_a,
    delivery,  # noqa: F811 - the fixture
):
    log_in(page, live_server.url, user_a.username)
    form = page.get_by_role("form", name="Download what is on screen")
    expect(form).to_be_visible()
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "dashboard-exports.png"), clip=_header(page))
    form.get_by_label("One row per").select_option(label="Campaign totals")
    with page.expect_download() as download:
        form.get_by_role("button", name="CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    # 9 days of 20,000 impressions in the 30 days on screen, one campaign; Borealis not there.
    assert lines[0].startswith("Client,Source,Campaign,Impressions,")
    assert lines[1].startswith("Acme Foods,surfside,Spring Sale,180000,")
    assert len(lines) == 2
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / "dashboard-exports-phone.png"), clip=_header(page))


def _header(browser_page: Page) -> FloatRect:
    """The page's top down to the end of the export form."""
    box = browser_page.locator("form.exports").bounding_box()
    assert box is not None
    size = browser_page.viewport_size
    width = size["width"] if size else 1440
    return {"x": 0, "y": 0, "width": width, "height": box["y"] + box["height"] + 24}
