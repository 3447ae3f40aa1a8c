"""End to end in headless Chromium (Debian's package) against the live server: what a client user
and an agency admin do every day, with the JavaScript and CSS the pages really ship."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from accounts.tests.factories import PASSWORD
from campaigns.models import Source
from campaigns.tests.factories import CampaignFactory, CreativeFactory, PlacementFactory
from clients.models import CpmRate
from ingestion.models import FacebookUpload, RunStatus
from ingestion.tests.factories import IngestionRunFactory
from metrics.models import DailyMetric
from metrics.pricing import with_spend
from metrics.tests.factories import DailyMetricFactory, rollups_built
from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright waits at most this long for anything; the pages answer in well under a second.
TIMEOUT_MS = 10_000

EXPORT_WITH_A_BAD_ROW = (
    "Day,Campaign name,Ad set name,Ad name,Impressions,Link clicks,Amount spent (USD)\n"
    "2025-11-03,Autumn,Prospecting,Ad 1,1000,3,4.50\n"
    "2025-11-04,Autumn,Prospecting,Ad 2,lots,2,2.25\n"
    "2025-11-05,Autumn,Prospecting,Ad 1,1500,4,6.75\n"
)


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One browser for this module's tests. Playwright's sync API keeps an event loop in this
    thread while it runs, which Django takes for async code: the tests' own database calls are
    synchronous, so they are allowed for as long as the browser is open (module scope, so the
    rest of the suite runs without it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh page; the test fails if the Content-Security-Policy blocked anything on it."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert blocked == []


@pytest.fixture
def delivery(client_a, client_b):
    """Acme: campaign "Spring Sale" > "Prospecting" > "Homepage" > two creatives, 10 days of
    delivery up to yesterday (20,000 impressions a day), 4 days ago no file came."""
    campaign = CampaignFactory(client=client_a, name="Spring Sale", source=Source.SURFSIDE)
    placement = PlacementFactory(strategy__campaign=campaign, strategy__name="Prospecting")
    placement.name = "Homepage"
    placement.save()
    banner = CreativeFactory(placement=placement, name="Banner", size="300x250")
    video = CreativeFactory(placement=placement, name="Video", size="640x360")
    rows = []
    for n in range(1, 11):
        if n == 4:
            continue
        rows.append(DailyMetricFactory(creative=banner, date=days_ago(n), impressions=15_000))
        rows.append(DailyMetricFactory(creative=video, date=days_ago(n), impressions=5_000))
    other = CreativeFactory(placement__strategy__campaign__client=client_b)
    rows.append(DailyMetricFactory(creative=other, date=days_ago(1), impressions=999_999))
    rollups_built(*rows)
    IngestionRunFactory(client=client_a, requested_date=days_ago(4), status=RunStatus.MISSING_FILE)
    return campaign


def log_in(page: Page, base_url: str, username: str, path: str = "/accounts/login/") -> None:
    page.goto(base_url + path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_client_reads_the_dashboard_drills_down_and_changes_the_range(
    page: Page, live_server, user_a, delivery
):
    log_in(page, live_server.url, user_a.username)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Foods")
    # 9 days of 20,000 impressions in the last 30 days.
    expect(page.locator(".kpi").filter(has_text="Impressions")).to_contain_text("180,000")
    expect(page.locator(".freshness")).to_contain_text("File not delivered")
    expect(page.locator("body")).not_to_contain_text("999,999")

    # Drill down: campaign -> strategy -> placement -> creatives, with breadcrumbs back.
    page.get_by_role("link", name="Spring Sale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring Sale")
    page.get_by_role("link", name="Prospecting").click()
    page.get_by_role("link", name="Homepage").click()
    table = page.locator(".table-section table.data")
    expect(table).to_contain_text("Banner")
    expect(table).to_contain_text("Video")
    expect(table.locator("tbody tr").first).to_contain_text("135,000")  # sorted by spend
    page.get_by_role("columnheader", name="Creative").get_by_role("link").click()
    expect(table.locator("tbody tr").first).to_contain_text("Banner")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/dashboard/\?start_date="))

    # A preset, then a custom range typed in the date fields.
    page.get_by_role("link", name="Last 7 days").click()
    expect(page.get_by_role("link", name="Last 7 days")).to_have_attribute("aria-current", "true")
    expect(page.locator(".kpi").filter(has_text="Impressions")).to_contain_text("120,000")
    page.get_by_role("link", name="Custom").click()
    expect(page.get_by_label("From", exact=True)).to_be_focused()
    page.get_by_label("From", exact=True).fill(days_ago(2).isoformat())
    page.get_by_label("To", exact=True).fill(days_ago(1).isoformat())
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(rf"start_date={days_ago(2).isoformat()}"))
    expect(page.locator(".kpi").filter(has_text="Impressions")).to_contain_text("40,000")
    expect(page.get_by_role("link", name="Custom")).to_have_attribute("aria-current", "true")

    # Exports of what is on screen: the API answers the page's session.
    exports = page.get_by_role("form", name="Download what is on screen")
    with page.expect_download() as download_info:
        exports.get_by_role("button", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == (
        f"metrics-acme-{days_ago(2).isoformat()}-{days_ago(1).isoformat()}.csv"
    )
    csv_text = Path(download.path()).read_text()
    assert "Spring Sale" in csv_text and "Borealis" not in csv_text
    assert csv_text.count("\n") == 5  # the header and 2 days x 2 creatives
    with page.expect_download() as download_info:
        exports.get_by_role("link", name="PDF report").click()
    assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF")


def test_a_client_uploads_an_export_with_one_bad_row(page: Page, live_server, user_a, tmp_path):
    export = tmp_path / "meta-november.csv"
    export.write_text(EXPORT_WITH_A_BAD_ROW)
    log_in(page, live_server.url, user_a.username)
    page.get_by_role("link", name="Uploads").click()
    expect(page.get_by_text("No uploads yet")).to_be_visible()
    page.get_by_label("Export file").set_input_files(str(export))
    page.get_by_role("button", name="Upload and load").click()
    # The script shows progress, then opens the result page.
    expect(page).to_have_url(re.compile(r"/uploads/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("meta-november.csv")
    figures = page.locator(".result-figures > div")
    expect(figures.filter(has_text="Rows loaded").locator("dd")).to_have_text("2")
    expect(figures.filter(has_text="Rows refused").locator("dd")).to_have_text("1")
    refused = page.locator("table.refused tbody tr")
    expect(refused).to_have_count(1)
    expect(refused.first).to_contain_text("3")
    expect(refused.first).to_contain_text("Impressions: 'lots' is not a number")
    assert FacebookUpload.objects.get().client == user_a.client

    # The same file again: refused with the reason, on the same page.
    page.get_by_role("link", name="Back to uploads").click()
    expect(page.locator("table.uploads")).to_contain_text("Partially loaded")
    page.get_by_label("Export file").set_input_files(str(export))
    page.get_by_role("button", name="Upload and load").click()
    expect(page.get_by_role("alert")).to_contain_text("This file was already uploaded")
    assert FacebookUpload.objects.count() == 1


def test_an_admin_checks_health_and_adds_a_cpm_rate_after_its_preview(
    page: Page, live_server, admin_user, client_a, delivery
):
    log_in(page, live_server.url, admin_user.username, path="/admin/login/")
    page.get_by_role("link", name="Ingestion health").first.click()
    expect(page.get_by_role("heading", name="Ingestion health")).to_be_visible()
    acme = page.locator("table.health tbody tr").filter(has_text="Surfside").first
    expect(acme).to_contain_text("Acme Foods")
    expect(acme).to_contain_text("Last run failed")
    expect(acme).to_contain_text("Missing file")

    # A CPM rate from 5 days ago: the preview shows the spend it changes before anything does.
    page.goto(live_server.url + "/admin/clients/cpmrate/add/")
    page.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Acme")
    page.locator(".select2-results__option", has_text="Acme Foods").click()
    page.get_by_label("Cpm").fill("20")
    effective = days_ago(5)
    page.get_by_label("Effective date").fill(effective.isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Confirm the new CPM rate")).to_be_visible()
    expect(page.locator("#content")).to_contain_text(f"{effective:%B %Y}")
    assert not CpmRate.objects.filter(effective_date=effective).exists()
    page.get_by_role("button", name="Confirm and re-price").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert CpmRate.objects.get(client=client_a, effective_date=effective).cpm == Decimal("20")
    repriced = with_spend(DailyMetric.objects.filter(client=client_a)).get(
        date=days_ago(1), creative__name="Banner"
    )
    assert repriced.spend == Decimal("300")  # 15,000 impressions at 20 per thousand


def test_the_api_docs_render_under_the_content_security_policy(page: Page, live_server):
    page.goto(live_server.url + "/api/v1/docs")
    expect(
        page.get_by_role("heading", name=re.compile("Paid media performance dashboard API"))
    ).to_be_visible()
    expect(page.get_by_text("/api/v1/auth/login").first).to_be_visible()


SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def test_the_dashboard_says_re_pricing_while_a_cpm_change_is_queued(
    chromium: Browser, live_server, user_a, client_b, delivery
):
    from metrics.models import Repricing

    Repricing.objects.create(
        client=user_a.client,
        date_from=days_ago(5),
        date_to=None,
        reason="CPM from $15.00 to $20.00",
    )
    for width, name in ((1440, "dashboard-repricing.png"), (390, "dashboard-repricing-phone.png")):
        context = chromium.new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, live_server.url, user_a.username)
        page.goto(live_server.url + "/dashboard/")
        notice = page.locator("[data-repricing]")
        expect(notice).to_contain_text("Re-pricing. A CPM change for Acme Foods is being applied")
        page.screenshot(path=str(SCREENSHOTS / name), full_page=False)
        context.close()
    Repricing.objects.update(status="done")
    context = chromium.new_context()
    page = context.new_page()
    log_in(page, live_server.url, user_a.username)
    page.goto(live_server.url + "/dashboard/")
    expect(page.locator("[data-repricing]")).to_have_count(0)
    context.close()
