"""The exports of a page compare as the page does (SPEC 9): the dashboard's export form and PDF
link carry its comparison; a summary's PDF compares with the summary's own period before."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from portal.tests.test_dashboard import browser_for
from reports.models import PeriodType
from reports.services import summary_generate
from reports.tests.test_exports import content
from tests.comparison_data import QUERY, facebook_gap_weeks

pytestmark = pytest.mark.django_db


def test_the_dashboard_exports_carry_the_chosen_comparison(user_a, client_a, client_b):
    facebook_gap_weeks(client_a, client_b)
    browser = browser_for(user_a)

    html = browser.get(f"/dashboard/?{QUERY}&comparison=last_year").content.decode()

    assert '<input type="hidden" name="comparison" value="last_year">' in html
    (pdf_url,) = re.findall(r'href="(/api/v1/exports/pdf\?[^"]*)"', html)
    assert "comparison=last_year" in pdf_url
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(content(browser.get(pdf_url.replace("&amp;", "&"))))).pages
    )
    assert "Compared with November 24 - 30, 2024" in " ".join(text.split())

    # The default is a bare link, as elsewhere on the page.
    html = browser.get(f"/dashboard/?{QUERY}").content.decode()
    assert 'name="comparison" value=' not in html.split('class="exports', 1)[-1]
    assert "comparison=" not in re.findall(r'href="(/api/v1/exports/pdf\?[^"]*)"', html)[0]


def test_a_week_starting_on_the_1st_pdf_compares_with_the_week_before(user_a, client_a):
    """Dec 1, 2025 is a Monday: the week Dec 1-7 is not "month to date" (Nov 1-7) but the week
    after Nov 24-30."""
    summary = summary_generate(
        client=client_a, period_type=PeriodType.WEEK, start=dt.date(2025, 12, 1)
    )
    browser = browser_for(user_a)

    html = browser.get(f"/summaries/{summary.pk}/").content.decode()

    (pdf_url,) = re.findall(r'href="([^"]*)" download data-export="pdf"', html)
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content(browser.get(pdf_url)))).pages
    )
    text = " ".join(text.split())
    assert "Compared with November 24 - 30, 2025" in text
    assert "November 1 - 7" not in text
