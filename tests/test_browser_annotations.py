"""End to end in headless Chromium: annotation markers on the dashboard chart, their text shown
when a keyboard user moves to one (and on hover), and the same notes in the table view."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from annotations.models import Visibility
from annotations.tests.factories import AnnotationFactory
from clients.models import CpmRate
from tests.test_browser import chromium, days_ago, delivery, log_in, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_markers_show_their_text_on_keyboard_focus_and_in_the_table_view(
    page: Page,  # noqa: F811
    live_server,
    user_a,
    client_a,
    client_b,
    delivery,  # noqa: F811
):
    CpmRate.objects.create(client=client_a, cpm="18.00", effective_date=days_ago(6))
    AnnotationFactory(
        client=client_a, start_date=days_ago(9), end_date=days_ago(7), text="Holiday creatives"
    )
    AnnotationFactory(
        client=client_a,
        start_date=days_ago(8),
        text="Margin review",
        visibility=Visibility.INTERNAL,
    )
    # Borealis's note shares the day and the text: it must not show.
    AnnotationFactory(client=client_b, start_date=days_ago(9), text="Holiday creatives")

    log_in(page, live_server.url, user_a.username)
    markers = page.locator(".chart-wide .chart-marker")
    # Acme's note, its file missing 4 days ago, its CPM change; never the internal note.
    expect(markers).to_have_count(3)
    first = markers.nth(0)
    expect(first).to_have_attribute("aria-label", f"Note 1, {span(9, 7)}: Holiday creatives")
    tip = first.locator(".chart-marker-tip")
    expect(tip).to_be_hidden()

    # A keyboard user: from the chart picker's button, Tab moves to the first marker.
    page.get_by_role("button", name="Show").focus()
    page.keyboard.press("Tab")
    expect(first).to_be_focused()
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("Holiday creatives")
    page.keyboard.press("Tab")
    second = markers.nth(1)
    expect(second).to_be_focused()
    expect(second.locator(".chart-marker-tip")).to_contain_text("CPM $15.00 -> $18.00")
    expect(tip).to_be_hidden()

    # Pointing at the third shows its text too.
    markers.nth(2).hover()
    expect(markers.nth(2).locator(".chart-marker-tip")).to_contain_text("Surfside file missing")

    page.get_by_text("The same days as a table").click()
    listed = page.locator(".annotation-list li")
    expect(listed).to_have_count(3)
    expect(listed.nth(0)).to_contain_text("Holiday creatives")
    expect(page.locator("body")).not_to_contain_text("Margin review")


def span(first_ago: int, last_ago: int) -> str:
    first, last = days_ago(first_ago), days_ago(last_ago)
    return f"{first:%b} {first.day} to {last:%b} {last.day}"
