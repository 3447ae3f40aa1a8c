"""No figure is ever cut off (issue 11): every figure element of the dashboard and the drill-down
pages fits its box at phone and desktop widths, measured in headless Chromium on large numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, sync_playwright

from campaigns.models import Source
from campaigns.tests.factories import CampaignFactory, CreativeFactory, PlacementFactory
from metrics.tests.factories import DailyMetricFactory, rollups_built
from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 390, 1440, 1920)
FIGURES = ".kpi .value, .kpi .change, table.data td.num, .result-figures dd, .card-value"
# Each figure element whose text does not fit: wider than its own box, or sticking out of its
# card (KPI) or cell.
OVERFLOWING = """(selector) => [...document.querySelectorAll(selector)].flatMap((el) => {
  const box = el.getBoundingClientRect();
  const holder = el.closest('.kpi, td, dd') || el.parentElement;
  const outer = holder.getBoundingClientRect();
  const cut = el.scrollWidth > el.clientWidth + 1
    || (holder !== el && (box.right > outer.right + 1 || box.left < outer.left - 1));
  return cut ? [`${el.className || el.tagName}: "${el.textContent.trim()}"`] : [];
})"""


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


@pytest.fixture
def big_numbers(client_a):
    """Acme: a year's worth of a large campaign in the last days (hundreds of millions)."""
    campaign = CampaignFactory(client=client_a, name="Spring Sale", source=Source.SURFSIDE)
    placement = PlacementFactory(strategy__campaign=campaign, strategy__name="Prospecting")
    creative = CreativeFactory(placement=placement, name="Banner", size="300x250")
    today = timezone.localdate()
    rows = [
        DailyMetricFactory(
            creative=creative,
            date=today - dt.timedelta(days=n),
            impressions=381_140_000 + n,
            clicks=6_725_600 + n,
            conversions=2_147_100 + n,
            conversion_revenue=Decimal("98765432.10"),
        )
        for n in range(1, 31)
    ] + [
        DailyMetricFactory(
            creative=creative,
            date=today - dt.timedelta(days=n),
            impressions=1_000,
            clicks=1,
            conversions=1,
            conversion_revenue=Decimal("1"),
        )
        for n in range(31, 61)
    ]
    rollups_built(*rows)
    return campaign


def test_no_figure_is_cut_off_from_phone_to_desktop(chromium, live_server, user_a, big_numbers):
    campaign = big_numbers
    strategy = campaign.strategies.get()
    placement = strategy.placements.get()
    paths = [
        "/dashboard/",
        f"/campaigns/{campaign.pk}/",
        f"/strategies/{strategy.pk}/",
        f"/placements/{placement.pk}/",
    ]
    cut: dict[str, list[str]] = {}
    for width in WIDTHS:
        context = chromium.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        log_in(page, live_server.url, user_a.username)
        for path in paths:
            page.goto(live_server.url + path)
            assert page.locator(FIGURES).count() > 9
            found = page.evaluate(OVERFLOWING, FIGURES)
            if found:
                cut[f"{width}px {path}"] = found
        context.close()
    assert cut == {}, "\n".join(f"{where}: {figures}" for where, figures in cut.items())
