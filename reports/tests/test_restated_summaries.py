"""A CPM change over a week whose summary was emailed: recorded once, shown to the client on the
dashboard, on the summary (as sent beside now) and in its PDF, and listed in the API, scoped.

Client A's week of Nov 3-9, 2025 (tests/report_data.py ``complete_week``): 1,000 impressions a
day at $15 = $105; Nov 1-2 (the week before) 500 a day at $15 = $15. Client B delivers the same
names on the same days. A rate of $17.50 from Nov 5 re-prices Nov 5-9: 5,000 impressions, $75 ->
$87.50, so the week goes $105 -> $117.50 and November $120 -> $132.50.
"""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client as BrowserClient
from django.utils import timezone
from pypdf import PdfReader

from accounts.tests.factories import UserFactory
from campaigns.tests.factories import CreativeFactory
from metrics.models import PeriodClosure, Restatement
from metrics.tests.factories import DailyMetricFactory, rollups_built
from metrics.tests.queued import cpm_rate_add
from reports.models import PeriodType
from reports.services import summary_generate, summary_record_sent
from scheduled_reports.sending import schedule_send_latest
from scheduled_reports.tests.factories import schedule_for
from tests.report_data import MONDAY, WEEK, measures

pytestmark = pytest.mark.django_db

NOV_5 = dt.date(2025, 11, 5)


@pytest.fixture
def sent_week(client_a, client_b, complete_week, admin_user):
    reader = UserFactory(username="reader", client=client_a)
    twin = CreativeFactory(name="Daily banner", placement__strategy__campaign__client=client_b)
    rollups_built(
        *[
            DailyMetricFactory(creative=twin, date=day, **measures(1000, 10, 1, "40", "15"))
            for day in WEEK
        ]
    )
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)
    summary_b = summary_generate(client=client_b, period_type=PeriodType.WEEK, start=MONDAY)
    schedule = schedule_for(client_a, [reader])
    assert schedule_send_latest(schedule=schedule, today=dt.date(2025, 11, 10))
    summary.refresh_from_db()
    cpm_rate_add(client=client_a, cpm=Decimal("17.50"), effective_date=NOV_5, by=admin_user)
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)
    return summary, summary_b


def browser(user):
    page = BrowserClient()
    page.force_login(user)
    return page


def test_sending_a_summary_keeps_its_figures_and_closes_its_week(sent_week, client_a, client_b):
    summary, summary_b = sent_week
    assert summary.spend == Decimal("117.5")
    assert summary.sent_figures["spend"] == "105.000000"
    sent_at = summary.sent_at
    assert sent_at is not None
    assert list(PeriodClosure.objects.values_list("client", "period_type", "start")) == [
        (client_a.pk, "week", MONDAY)
    ]
    summary_b.refresh_from_db()
    assert summary_b.sent_at is None
    # Recorded once: sending again keeps the first figures and time.
    summary_record_sent(summary)
    summary.refresh_from_db()
    assert (summary.sent_at, summary.sent_figures["spend"]) == (sent_at, "105.000000")


def test_the_cpm_change_is_recorded_once_per_period_with_exact_spend(sent_week, client_a):
    assert sorted(
        (r.client_id, r.period_type, r.period_start, r.measure, r.before, r.after)
        for r in Restatement.objects.all()
    ) == [
        (client_a.pk, "month", dt.date(2025, 11, 1), "spend", Decimal(120), Decimal("132.5")),
        (client_a.pk, "week", MONDAY, "spend", Decimal(105), Decimal("117.5")),
    ]


def test_the_summary_shows_the_restatement_and_the_figures_as_sent(sent_week, user_a, user_b):
    summary, _ = sent_week
    page = browser(user_a).get(f"/summaries/{summary.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    today = timezone.localdate()
    assert (
        f"Restated {today:%b} {today.day}: CPM from $15.00 to $17.50 from Nov 5, 2025; "
        "spend +$12.50"
    ) in html
    assert "As sent on" in html
    assert "<td>$105.00</td><td>$117.50</td>" in html
    assert browser(user_b).get(f"/summaries/{summary.pk}/").status_code == 404


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return " ".join(text.split())


def test_the_pdf_of_a_sent_summary_is_produced_as_sent_or_as_now(sent_week, user_a, user_b):
    summary, summary_b = sent_week
    as_now = pdf_text(browser(user_a).get(f"/summaries/{summary.pk}/pdf").content)
    as_sent = pdf_text(browser(user_a).get(f"/summaries/{summary.pk}/pdf?as=sent").content)
    assert "$117.50" in as_now and "(as sent)" not in as_now
    assert "Weekly performance summary (as sent)" in as_sent
    for text in (as_now, as_sent):
        assert "CPM from $15.00 to $17.50 from Nov 5, 2025; spend +$12.50" in text
    # The KPI rows: spend as it was sent, and as it is now.
    assert "Spend $105.00" in as_sent and "Spend $117.50" in as_now
    assert browser(user_b).get(f"/summaries/{summary.pk}/pdf").status_code == 404
    # A summary never sent has no "as sent".
    assert browser(user_b).get(f"/summaries/{summary_b.pk}/pdf?as=sent").status_code == 404


def test_the_dashboard_names_the_restated_periods_of_the_range(sent_week, user_a, user_b):
    query = "?start_date=2025-11-03&end_date=2025-11-09"
    html = browser(user_a).get(f"/dashboard/{query}").content.decode()
    today = timezone.localdate()
    assert (
        f"Figures for Nov 3\u20139 were restated on {today:%b} {today.day}: CPM from $15.00 to "
        "$17.50 from Nov 5, 2025; spend +$12.50"
    ) in html
    assert f"Figures for November 2025 were restated on {today:%b} {today.day}" in html
    assert "were restated" not in browser(user_b).get(f"/dashboard/{query}").content.decode()
    earlier = browser(user_a).get("/dashboard/?start_date=2025-10-20&end_date=2025-10-26")
    assert "were restated" not in earlier.content.decode()


def test_the_api_lists_restatements_to_their_client_only(
    sent_week, api, user_a, user_b, admin_user
):
    query = "start_date=2025-11-01&end_date=2025-11-30"
    own = api(user_a).get(f"/api/v1/restatements?{query}")
    assert own.status_code == 200
    assert [
        (row["period_type"], row["measure"], row["before"], row["after"], row["difference"])
        for row in own.json()
    ] == [
        ("month", "spend", "120.000000", "132.500000", "12.500000"),
        ("week", "spend", "105.000000", "117.500000", "12.500000"),
    ]
    assert own.json()[0]["reason"] == "CPM from $15.00 to $17.50 from Nov 5, 2025"
    assert "by" not in own.json()[0]
    assert api(user_b).get(f"/api/v1/restatements?{query}").json() == []
    foreign = api(user_b).get(f"/api/v1/restatements?{query}&client_id={user_a.client_id}")
    assert foreign.status_code == 404
    admin_b = api(admin_user).get(f"/api/v1/restatements?{query}&client_id={user_b.client_id}")
    assert admin_b.json() == []
