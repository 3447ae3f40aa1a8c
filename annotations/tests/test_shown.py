"""Annotations where people read them: the dashboard, a campaign's page, the pacing page and the
PDF report. Client users never see internal notes; admins see them marked "internal"."""

import html as html_module
import io
import re

import pytest
from django.test import Client as BrowserClient
from pypdf import PdfReader

from annotations.tests.factories import AnnotationFactory, annotate_two_tenants, nov
from campaigns.models import Campaign
from campaigns.tests.factories import CampaignFactory
from pacing.models import InsertionOrder

pytestmark = pytest.mark.django_db

NOVEMBER = "start_date=2025-11-01&end_date=2025-11-05"


@pytest.fixture
def tenants(two_tenants):
    annotate_two_tenants(two_tenants)
    return two_tenants


def page(user, path):
    browser = BrowserClient()
    browser.force_login(user)
    response = browser.get(path)
    assert response.status_code == 200
    return response.content.decode()


def marker_labels(html):
    return [html_module.unescape(label) for label in re.findall(r'aria-label="(Note [^"]*)"', html)]


def test_the_dashboard_chart_marks_the_client_users_annotations(tenants, user_a):
    html = page(user_a, f"/dashboard/?{NOVEMBER}")
    wide = html[html.index('class="chart chart-wide"') : html.index('class="chart chart-narrow"')]
    assert marker_labels(wide) == [
        "Note 1, Nov 1 to Nov 3: Holiday creatives live",
        "Note 2, Nov 2: CPM $15.00 -> $20.00",
        "Note 3, Nov 3: Flight start: November",
        "Note 4, Nov 4: Surfside file missing",
    ]
    assert wide.count('tabindex="0"') == 4
    # The table view lists them too.
    listed = html[html.index('class="annotation-list"') :]
    assert "Nov 1 to Nov 3</span> Holiday creatives live" in listed
    assert "Margin review" not in html


def test_an_admin_sees_internal_notes_marked_and_the_clients_named(tenants, admin_user):
    one = page(admin_user, f"/dashboard/?{NOVEMBER}&client_id={tenants.client_a.pk}")
    assert "Note 3, Nov 2: Margin review (internal)" in marker_labels(one)
    every = marker_labels(page(admin_user, f"/dashboard/?{NOVEMBER}"))
    assert "Note 1, Nov 1: Borealis Travel: Flight start: November" in every
    assert "Note 2, Nov 1 to Nov 3: Acme Foods: Holiday creatives live" in every


def test_a_campaigns_page_shows_the_client_wide_notes_and_its_own_only(tenants, user_a):
    spring = Campaign.objects.get(client=tenants.client_a)
    other = CampaignFactory(client=tenants.client_a, name="Autumn")
    AnnotationFactory(client=tenants.client_a, campaign=spring, text="New landing page")
    AnnotationFactory(client=tenants.client_a, campaign=other, text="Autumn paused")
    labels = marker_labels(page(user_a, f"/campaigns/{spring.pk}/?{NOVEMBER}"))
    assert "Note 3, Nov 2: New landing page" in labels
    assert "Note 1, Nov 1 to Nov 3: Holiday creatives live" in labels
    assert not any("Autumn paused" in label for label in labels)
    dashboard = marker_labels(page(user_a, f"/dashboard/?{NOVEMBER}"))
    assert any("Autumn paused" in label for label in dashboard)


def test_the_pacing_chart_marks_the_flight_start(tenants, user_a):
    order = InsertionOrder.objects.get(client=tenants.client_a)
    whole = page(user_a, f"/insertion-orders/{order.pk}/")
    html = whole[whole.index("chart chart-wide") : whole.index("chart chart-narrow")]
    # The order flies from Nov 3 and Acme's data ends Nov 3: the chart is that one day, which
    # the note of Nov 1 - 3 still touches.
    assert marker_labels(html) == [
        "Note 1, Nov 1 to Nov 3: Holiday creatives live",
        "Note 2, Nov 3: Flight start: November",
    ]
    assert "Notes on this chart" in whole


def pdf_text(response):
    assert response.status_code == 200, response.content[:500]
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def test_the_pdf_numbers_the_markers_and_lists_them_without_internal_ones(
    api, tenants, user_a, admin_user
):
    text = pdf_text(api(user_a).get(f"/api/v1/exports/pdf?{NOVEMBER}"))
    assert "1 Nov 1 to Nov 3 Holiday creatives live" in text
    assert "2 Nov 2 CPM $15.00 -> $20.00" in text
    assert "4 Nov 4 Surfside file missing" in text
    assert "Margin review" not in text
    admin = pdf_text(
        api(admin_user).get(f"/api/v1/exports/pdf?{NOVEMBER}&client_id={tenants.client_a.pk}")
    )
    assert "3 Nov 2 Margin review (internal)" in admin


def test_nothing_in_range_draws_no_marker(tenants, user_a):
    html = page(user_a, "/dashboard/?start_date=2025-10-01&end_date=2025-10-05")
    assert marker_labels(html) == []
    assert "Notes on this chart" not in html
    assert nov(1)  # the tenants' notes are all in November
