"""Like-for-like comparisons in headless Chromium: the comparison is picked on the filter form,
the cards name the dates compared or say why there is no change, on a desktop and on a phone.

With ``COMPARISON_SCREENSHOTS`` set to a folder, the pages are saved there as PNGs
(docs/screenshots/comparison-*.png)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.comparison_data import QUERY, facebook_gap_weeks
from tests.test_browser import chromium, log_in, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def save(shown: Page, name: str) -> None:
    folder = os.environ.get("COMPARISON_SCREENSHOTS")
    if folder:
        shown.screenshot(path=str(Path(folder) / f"comparison-{name}.png"), full_page=True)


@pytest.fixture
def gap_weeks(client_a, client_b):
    facebook_gap_weeks(client_a, client_b)


@pytest.mark.parametrize(("viewport", "device"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_cards_name_the_compared_dates_or_why_not(
    page: Page,  # noqa: F811
    live_server,
    user_a,
    gap_weeks,
    viewport,
    device,
):
    page.set_viewport_size(viewport)
    log_in(page, live_server.url, user_a.username)

    page.goto(f"{live_server.url}/dashboard/?{QUERY}")
    cards = page.locator("section.kpis")
    expect(cards).to_contain_text("vs Nov 17\u201323")
    expect(cards).to_contain_text("Leaves out Facebook: 1 of 7 days uploaded")
    save(page, f"comparable-{device}")

    page.goto(f"{live_server.url}/dashboard/?{QUERY}&source=facebook")
    expect(cards).to_contain_text("not comparable: Facebook: 1 of 7 days uploaded")
    save(page, f"not-comparable-{device}")


def test_the_comparison_is_picked_on_the_form(page: Page, live_server, user_a, gap_weeks):  # noqa: F811
    log_in(page, live_server.url, user_a.username)
    page.goto(f"{live_server.url}/dashboard/?{QUERY}")

    page.get_by_label("Compare with").select_option("last_year")
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(f"{live_server.url}/dashboard/?{QUERY}&source=&comparison=last_year")
    expect(page.locator("section.kpis")).to_contain_text(
        "Not comparable with Nov 24\u201330, 2024 (the same dates a year earlier)"
    )
