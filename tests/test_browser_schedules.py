"""End to end in headless Chromium: a client user schedules a weekly report, is refused an empty
recipient list with the reason, and pauses the schedule."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import UserFactory
from scheduled_reports.models import ReportSchedule
from tests.test_browser import chromium, log_in, page  # noqa: F401 - the browser fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_schedules_a_weekly_report_and_pauses_it(
    page: Page,  # noqa: F811
    live_server,
    user_a,
    user_b,
):
    UserFactory(username="abe", first_name="Abe", last_name="Lane", client=user_a.client)
    log_in(page, live_server.url, user_a.username)
    page.get_by_role("link", name="Emails").click()
    expect(page.get_by_text("No scheduled reports yet")).to_be_visible()
    page.get_by_role("link", name="New schedule").click()
    # Client B's user is not offered; the team is.
    expect(page.locator("input[name=recipients]")).to_have_count(2)
    expect(page.get_by_text("bo@example.com")).to_have_count(0)

    page.get_by_label("Name").fill("Monday report")
    page.get_by_label("KPIs with comparison").check()
    page.get_by_label("Campaigns").check()
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one recipient.")
    assert not ReportSchedule.objects.exists()

    page.get_by_label("Abe Lane <abe@example.com>").check()
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_role("status")).to_contain_text("Schedule \u201cMonday report\u201d saved.")
    row = page.locator("table.schedules tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("KPIs with comparison, Campaigns")
    expect(row).to_contain_text("Abe Lane")
    expect(row).to_contain_text("Active")

    page.get_by_role("button", name="Pause Monday report").click()
    expect(page.locator("table.schedules tbody tr")).to_contain_text("Paused")
    schedule = ReportSchedule.objects.get()
    assert (schedule.name, schedule.is_active, schedule.sections) == (
        "Monday report",
        False,
        ["kpis", "campaigns"],
    )
