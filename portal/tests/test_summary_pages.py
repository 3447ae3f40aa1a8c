import datetime as dt

import pytest

from annotations.models import Visibility
from annotations.tests.factories import AnnotationFactory
from portal.tests.test_dashboard import browser_for, text_of
from reports.models import PeriodType
from reports.services import summary_generate
from tests.report_data import MONDAY

pytestmark = pytest.mark.django_db

DASH = "\u2013"


@pytest.fixture
def summaries(client_a, client_b, week):
    return {
        "week": summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY),
        "previous_week": summary_generate(
            client=client_a, period_type=PeriodType.WEEK, start=MONDAY - dt.timedelta(days=7)
        ),
        "month": summary_generate(
            client=client_a, period_type=PeriodType.MONTH, start=MONDAY.replace(day=1)
        ),
        "other": summary_generate(client=client_b, period_type=PeriodType.WEEK, start=MONDAY),
    }


def test_the_weekly_list_shows_each_week_with_its_change(user_a, summaries):
    page = browser_for(user_a).get("/summaries/weekly/")
    assert page.status_code == 200
    text = text_of(page)
    # The week of Nov 3: 89,000 impressions against 30,000 the week before.
    assert f"Nov 3 {DASH} Nov 9, 2025" in text and f"Oct 27 {DASH} Nov 2, 2025" in text
    assert "89,000 ▲ +196.67%" in text
    assert "Days missing" in text  # Surfside's file of Nov 8 never came
    assert "99,000" not in text  # client B's week
    html = page.content.decode()
    assert f'href="/summaries/{summaries["week"].pk}/"' in html
    assert html.index(f"Nov 3 {DASH} Nov 9") < html.index(f"Oct 27 {DASH} Nov 2")


def test_the_monthly_list(user_a, summaries):
    text = text_of(browser_for(user_a).get("/summaries/monthly/"))
    assert "November 2025" in text and f"Nov 3 {DASH} Nov 9" not in text


def test_a_summary_shows_deltas_top_performers_and_underperformers(user_a, summaries):
    page = browser_for(user_a).get(f"/summaries/{summaries['week'].pk}/")
    assert page.status_code == 200
    text = text_of(page)
    assert f"Week of Nov 3 {DASH} Nov 9, 2025" in text
    assert f"Compared with Oct 27 {DASH} Nov 2, 2025" in text
    # Issue 12: +196.67 % compared a week with one Surfside day and no Vibe before it.
    assert (
        f"Not comparable with Oct 27{DASH}Nov 2, 2025, the week before: Surfside: 1 of 7 days "
        f"delivered in Oct 27{DASH}Nov 2; Vibe: 1 of 7 days pulled, none in Oct 27{DASH}Nov 2."
    ) in text
    assert "89,000" in text and "+196.67%" not in text
    assert "Some days have no data yet" in text
    assert "Top campaigns by conversions" in text and "Spring" in text
    assert "Top creatives" in text and "Banner B 728x90" in text
    # Wide U: CTR 0.05 %, $600 spent, 1 conversion.
    underperformers = text[text.index("Underperformers") :]
    assert "Wide U" in underperformers and "$600.00" in underperformers
    html = page.content.decode()
    # The summary's own PDF: it compares with the week before, as the page does.
    assert f'href="/summaries/{summaries["week"].pk}/pdf" download data-export="pdf"' in html
    assert html.count("<svg") == 2


def test_no_summary_yet_explains_when_it_comes(user_a):
    text = text_of(browser_for(user_a).get("/summaries/weekly/"))
    assert "No weekly summary yet. The first one is written on the Monday after" in text


def test_admins_see_every_clients_summaries_or_one(admin_user, client_b, summaries):
    browser = browser_for(admin_user)
    text = text_of(browser.get("/summaries/weekly/"))
    table = text[text.index("Week Client") :]
    assert "Acme Foods" in table and "Borealis Travel" in table
    text = text_of(browser.get(f"/summaries/weekly/?client_id={client_b.pk}"))
    table = text[text.index("Week Impressions") :]
    assert "99,000" in table and "89,000" not in table


def test_another_clients_summary_is_404(user_b, summaries):
    browser = browser_for(user_b)
    assert browser.get(f"/summaries/{summaries['week'].pk}/").status_code == 404
    assert browser.get(f"/summaries/{summaries['other'].pk}/").status_code == 200


def test_summary_list_query_count_does_not_grow(user_a, summaries, django_assert_num_queries):
    browser = browser_for(user_a)
    browser.get("/summaries/weekly/")
    # Session, user, client shown, count and page of summaries, the user's client in the header.
    with django_assert_num_queries(6):
        assert browser.get("/summaries/weekly/").status_code == 200


def test_a_summarys_chart_marks_its_clients_annotations_only(user_a, client_b, summaries):
    AnnotationFactory(client=user_a.client, start_date=MONDAY, text="Launch day")
    AnnotationFactory(
        client=user_a.client, start_date=MONDAY, text="Margin", visibility=Visibility.INTERNAL
    )
    AnnotationFactory(client=client_b, start_date=MONDAY, text="Their launch day")
    html = browser_for(user_a).get(f"/summaries/{summaries['week'].pk}/").content.decode()
    assert html.count('aria-label="Note 1, Nov 3: Launch day"') == 2  # wide and narrow charts
    assert "Margin" not in html and "Their launch day" not in html
