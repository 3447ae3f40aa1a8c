from io import BytesIO

import pytest
from django.http import HttpResponse
from pypdf import PdfReader

from campaigns.models import Campaign, Source
from portal.tests.test_dashboard import browser_for, section, text_of
from reports.models import PeriodType
from reports.services import summary_generate
from tests.comparison_data import QUERY, facebook_gap_weeks
from tests.report_data import MONDAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def gap_weeks(client_a, client_b):
    facebook_gap_weeks(client_a, client_b)


def kpis(page) -> str:
    return section(page, '<section class="kpis"')


def test_cards_name_the_dates_and_leave_out_the_source_missing_days(user_a, gap_weeks):
    """Issue 12: Clicks showed -68.57 % (110 against 350) with Facebook at 1 of 7 days."""
    text = kpis(browser_for(user_a).get(f"/dashboard/?{QUERY}"))

    assert "-68.57%" not in text
    # Surfside alone: 70 clicks against 70; the card still shows every source's 110.
    assert "Clicks 110 \u2013 0.00% vs Nov 17\u201323" in text
    assert (
        "Change vs Nov 17\u201323, 2025 (the 7 days before), day by day where both days have "
        "data. Leaves out Facebook: 1 of 7 days uploaded." in text
    )


def test_the_other_tenant_compares_every_source(user_b, gap_weeks):
    text = kpis(browser_for(user_b).get(f"/dashboard/?{QUERY}"))

    # 7 x 95 clicks on each side; nothing left out.
    assert "Clicks 665 \u2013 0.00% vs Nov 17\u201323" in text
    assert "Leaves out" not in text


def test_one_source_not_comparable_shows_why_instead_of_a_change(user_a, gap_weeks):
    text = kpis(browser_for(user_a).get(f"/dashboard/?{QUERY}&source=facebook"))

    # (The reason is its own element: hidden on phones, where the note above gives it once.)
    assert "Clicks 40 not comparable : Facebook: 1 of 7 days uploaded" in text
    assert "%" not in text.split("Clicks", 1)[1].split("CTR", 1)[0]


def test_the_comparison_is_picked_on_the_filter_form_and_kept_by_links(user_a, gap_weeks):
    page = browser_for(user_a).get(f"/dashboard/?{QUERY}&comparison=last_year")
    html = page.content.decode()

    assert '<option value="last_year" selected>Same period last year</option>' in html
    assert "comparison=last_year" in html  # presets and sorting keep it
    text = kpis(page)
    assert "Not comparable with Nov 24\u201330, 2024 (the same dates a year earlier)" in text
    assert "Surfside: no data delivered in Nov 24\u201330" in text


def test_no_comparison_shows_no_change(user_a, gap_weeks):
    text = kpis(browser_for(user_a).get(f"/dashboard/?{QUERY}&comparison=none"))

    assert "Clicks 110 CTR" in text
    assert "No comparison" in text


def test_an_unknown_comparison_is_explained_on_the_page(user_a, gap_weeks):
    page = browser_for(user_a).get(f"/dashboard/?{QUERY}&comparison=yesterday")

    assert page.status_code == 200
    assert (
        'Compare with: "yesterday" is not a comparison; use previous, last_year, none.'
        in text_of(page)
    )


def test_a_drilldown_compares_its_source_days(user_a, gap_weeks):
    campaign = Campaign.objects.get(client__name="Acme Foods", source=Source.FACEBOOK)
    text = kpis(browser_for(user_a).get(f"/campaigns/{campaign.pk}/?{QUERY}"))

    assert "Clicks 40 not comparable : Facebook: 1 of 7 days uploaded" in text


def test_the_trend_draws_the_compared_days_dashed_with_a_table_column(user_a, gap_weeks):
    page = browser_for(user_a).get(f"/dashboard/?{QUERY}")
    trend = page.content.decode().split('<section class="card trend"', 1)[1]

    assert 'stroke-dasharray="5,3"' in trend
    assert "Impressions, Nov 17\u201323" in trend  # the legend
    table = text_of(HttpResponse(trend.split("<table", 1)[1]))
    # Nov 24 pairs with Nov 17: 1,000 Surfside + 2,000 Facebook impressions then.
    assert "Impressions, Nov 17\u201323" in table
    assert "Mon, Nov 24 1,000 10 1 $20.00" in table
    assert "Nov 17: 3,000" in table


def test_without_a_comparison_the_trend_has_no_dashed_line(user_a, gap_weeks):
    page = browser_for(user_a).get(f"/dashboard/?{QUERY}&comparison=none")

    assert 'stroke-dasharray="5,3"' not in page.content.decode()


def test_a_drilldown_trend_draws_its_compared_days(user_a, gap_weeks):
    campaign = Campaign.objects.get(client__name="Acme Foods", source=Source.SURFSIDE)
    page = browser_for(user_a).get(f"/campaigns/{campaign.pk}/?{QUERY}")
    table = text_of(HttpResponse(page.content.decode().split("<table", 1)[1]))

    assert "Mon, Nov 24 1,000 10 1 $20.00" in table
    assert "Nov 17: 1,000" in table


def test_a_summary_names_the_compared_dates_on_its_cards(user_a, client_a, complete_week):
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)
    page = browser_for(user_a).get(f"/summaries/{summary.pk}/")
    text = kpis(page)

    # 7,000 impressions against 3,500, every day of both weeks paired.
    assert "Impressions 7,000 \u25b2 +100.00% vs Oct 27\u2013Nov 2" in text
    assert (
        "Change vs Oct 27\u2013Nov 2, 2025, the week before, day by day where both days have data."
        in text
    )
    assert "Leaves out" not in text


def test_the_pdf_of_a_range_names_the_compared_dates_and_what_it_left_out(api, user_a, gap_weeks):
    response = api(user_a).get(f"/api/v1/exports/pdf?{QUERY}")
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)

    assert "vs Nov 17\u201323, 2025" in text
    assert "Left out: Facebook: 1 of 7 days uploaded." in " ".join(text.split())
