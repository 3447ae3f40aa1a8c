"""End to end: the hourly job sends a schedule's week once its data is complete, never twice."""

import datetime as dt
import json
from io import BytesIO

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from pypdf import PdfReader

from accounts.tests.factories import UserFactory
from campaigns.tests.factories import CreativeFactory
from metrics.periods import DateRange, Granularity, period_start
from metrics.rollups import rollups_refresh
from metrics.tests.factories import DailyMetricFactory, rollups_built
from operations.scheduling import run_scheduled_job
from scheduled_reports.models import ReportDelivery, ReportSchedule
from scheduled_reports.sending import latest_period, schedule_send_latest
from scheduled_reports.tests.factories import schedule_for
from tests.report_data import MONDAY

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def day_label(day: dt.date) -> str:
    return f"{day:%b} {day.day}"


def test_latest_period_is_the_last_whole_week_or_month():
    monday, tuesday, sunday = dt.date(2025, 11, 10), dt.date(2025, 11, 11), dt.date(2025, 11, 9)
    assert latest_period("week", monday) == DateRange(dt.date(2025, 11, 3), dt.date(2025, 11, 9))
    assert latest_period("week", tuesday).start == dt.date(2025, 11, 3)
    assert latest_period("week", sunday).start == dt.date(2025, 10, 27)
    assert latest_period("month", dt.date(2025, 12, 1)) == DateRange(
        dt.date(2025, 11, 1), dt.date(2025, 11, 30)
    )
    assert latest_period("month", dt.date(2025, 11, 30)).start == dt.date(2025, 10, 1)


@pytest.fixture
def last_week(client_a, client_b):
    """The week that ended most recently: client A's Surfside creative on Monday-Saturday
    (Sunday's file is not in yet), 1,000 impressions and 2 conversions a day; client B's creative
    of the same name on every day, 5,000 impressions a day."""
    monday = period_start(timezone.localdate() - dt.timedelta(days=7), Granularity.WEEK)
    acme = CreativeFactory(
        name="Banner",
        placement__strategy__campaign__name="Spring Sale",
        placement__strategy__campaign__client=client_a,
    )
    borealis = CreativeFactory(
        name="Banner",
        placement__strategy__campaign__name="Spring Sale",
        placement__strategy__campaign__client=client_b,
    )
    rows = [
        DailyMetricFactory(
            creative=acme,
            date=monday + dt.timedelta(days=offset),
            impressions=1_000,
            clicks=10,
            conversions=2,
        )
        for offset in range(6)
    ] + [
        DailyMetricFactory(
            creative=borealis,
            date=monday + dt.timedelta(days=offset),
            impressions=5_000,
            clicks=10,
            conversions=1,
        )
        for offset in range(7)
    ]
    rollups_built(*rows)
    return {"monday": monday, "sunday": monday + dt.timedelta(days=6), "acme": acme}


def test_a_scheduled_report_is_held_back_then_sent_once(
    client_a, client_b, admin_user, last_week, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://reports.agency.example"
    ana = UserFactory(username="ana", email="ana@acme.example", client=client_a)
    UserFactory(username="al", email="al@acme.example", client=client_a)  # not a recipient
    bo = UserFactory(username="bo", email="bo@borealis.example", client=client_b)
    acme_schedule = schedule_for(
        client_a,
        [ana],
        sections=["kpis", "campaigns"],
        outside_emails=["cfo@acme-holding.example"],
    )
    borealis_schedule = schedule_for(client_b, [bo])
    monday, sunday = last_week["monday"], last_week["sunday"]
    now = timezone.now()

    # Sunday's file is not in: Acme's week waits and says what for; Borealis's is complete.
    with django_capture_on_commit_callbacks(execute=True):
        run_scheduled_job("scheduled_reports", now=now)
    acme_schedule.refresh_from_db()
    assert acme_schedule.waiting_for == f"Waiting for Surfside data for {day_label(sunday)}"
    assert not ReportDelivery.objects.filter(schedule=acme_schedule).exists()
    (borealis_message,) = mail.outbox
    assert borealis_message.bcc == ["bo@borealis.example"]
    assert "Acme" not in borealis_message.body
    assert "Acme" not in pdf_text(borealis_message.attachments[0][1])
    assert (
        ReportDelivery.objects.get(schedule=borealis_schedule).figures["totals"]["impressions"]
        == 35_000
    )

    # Sunday's data lands: the summary is regenerated, and the next hourly run sends Acme's week.
    DailyMetricFactory(
        creative=last_week["acme"], date=sunday, impressions=1_000, clicks=10, conversions=2
    )
    with django_capture_on_commit_callbacks(execute=True):
        rollups_refresh(client_id=client_a.pk, date_from=sunday, date_to=sunday)
    with django_capture_on_commit_callbacks(execute=True):
        run_scheduled_job("scheduled_reports", now=now + dt.timedelta(hours=1))

    assert len(mail.outbox) == 2
    message = mail.outbox[1]
    period = (
        f"{day_label(monday)}\u2013{sunday.day}"
        if monday.month == sunday.month
        else (f"{day_label(monday)}\u2013{day_label(sunday)}")
    )
    assert message.subject == f"Acme Foods: Weekly summary, {period}"
    assert message.to == []
    assert message.bcc == ["ana@acme.example", "cfo@acme-holding.example"]
    assert (
        "https://reports.agency.example/dashboard/"
        f"?start_date={monday.isoformat()}&end_date={sunday.isoformat()}"
    ) in message.body
    assert "Impressions: 7,000" in message.body
    assert "Borealis" not in message.body
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == (
        f"report-acme-{monday.isoformat()}-{sunday.isoformat()}.pdf",
        "application/pdf",
    )
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Acme Foods" in text and "Weekly performance report" in text
    assert f"{monday:%B} {monday.day}" in text and str(sunday.year) in text
    assert "Top campaigns by conversions" in text  # chosen
    assert "Top creatives" not in text and "Underperformers" not in text  # not chosen
    assert "Borealis" not in text

    delivery = ReportDelivery.objects.get(schedule=acme_schedule)
    assert (delivery.period_start, delivery.period_end) == (monday, sunday)
    assert delivery.recipients == ["ana@acme.example", "cfo@acme-holding.example"]
    assert delivery.figures["totals"]["impressions"] == 7_000
    assert delivery.figures["totals"]["conversions"] == 14
    assert delivery.figures["top_campaigns_by_conversions"][0]["name"] == "Spring Sale"
    assert "top_creatives" not in delivery.figures
    assert "source_spend" not in json.dumps(delivery.figures)
    with delivery.pdf.open("rb") as stored:
        assert stored.read() == content
    acme_schedule.refresh_from_db()
    assert acme_schedule.waiting_for == ""

    # Never twice: later runs, and a direct call, send nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        run_scheduled_job("scheduled_reports", now=now + dt.timedelta(hours=2))
    assert schedule_send_latest(schedule=acme_schedule) is False
    assert len(mail.outbox) == 2
    assert ReportDelivery.objects.count() == 2


def test_a_paused_schedule_sends_nothing(client_a, complete_week):
    ana = UserFactory(username="ana", client=client_a)
    schedule = schedule_for(client_a, [ana], is_active=False)
    assert schedule_send_latest(schedule=schedule, today=MONDAY + dt.timedelta(days=7)) is False
    assert mail.outbox == []
    assert not ReportDelivery.objects.exists()


def test_a_month_still_incomplete_a_week_after_it_ended_is_given_up(
    client_a, complete_week, settings
):
    settings.SCHEDULED_REPORT_MAX_DELAY_DAYS = 7
    ana = UserFactory(username="ana", client=client_a)
    schedule = schedule_for(client_a, [ana], name="Monthly", frequency="month")
    # Surfside delivered Nov 1-9 only: November waits for the rest...
    assert schedule_send_latest(schedule=schedule, today=dt.date(2025, 12, 7)) is False
    schedule.refresh_from_db()
    assert schedule.waiting_for == "Waiting for Surfside data for Nov 10\u201330"
    # ...and is not sent once it ended more than 7 days ago.
    assert schedule_send_latest(schedule=schedule, today=dt.date(2025, 12, 8)) is False
    schedule.refresh_from_db()
    assert schedule.waiting_for == "Not sent: the data for Nov 1\u201330 was still incomplete"
    assert mail.outbox == []
    assert not ReportDelivery.objects.exists()


def test_periods_before_the_schedule_starts_are_not_sent(client_a, complete_week):
    ana = UserFactory(username="ana", client=client_a)
    schedule = schedule_for(client_a, [ana], starts_on=dt.date(2025, 11, 10))
    assert schedule_send_latest(schedule=schedule, today=dt.date(2025, 11, 10)) is False
    schedule.refresh_from_db()
    assert schedule.waiting_for == "The first report covers Nov 10\u201316"
    assert mail.outbox == []


def test_deactivated_recipients_are_skipped(client_a, complete_week):
    ana = UserFactory(username="ana", email="ana@acme.example", client=client_a)
    alf = UserFactory(username="alf", email="alf@acme.example", client=client_a)
    schedule = schedule_for(client_a, [ana, alf])
    alf.is_active = False
    alf.save()
    assert schedule_send_latest(schedule=schedule, today=dt.date(2025, 11, 10)) is True
    assert mail.outbox[0].bcc == ["ana@acme.example"]
    assert ReportSchedule.objects.get().deliveries.get().recipients == ["ana@acme.example"]


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_message_that_cannot_go_out_leaves_no_record_and_goes_next_time(
    client_a, complete_week, settings
):
    ana = UserFactory(username="ana", email="ana@acme.example", client=client_a)
    schedule = schedule_for(client_a, [ana])
    monday = dt.date(2025, 11, 10)
    stored_before = (
        set(default_storage.listdir("scheduled-reports")[1])
        if default_storage.exists("scheduled-reports")
        else set()
    )

    settings.EMAIL_BACKEND = "scheduled_reports.tests.test_sending.RefusingBackend"
    assert schedule_send_latest(schedule=schedule, today=monday) is False
    assert not ReportDelivery.objects.exists()
    schedule.refresh_from_db()
    assert schedule.waiting_for == "Could not send the report for Nov 3\u20139; retrying"
    assert set(default_storage.listdir("scheduled-reports")[1]) == stored_before

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert schedule_send_latest(schedule=schedule, today=monday) is True
    assert len(mail.outbox) == 1
    assert ReportDelivery.objects.get().period_start == MONDAY


def test_the_restatements_section_lists_the_clients_own_changes_since_the_period_began(
    client_a, client_b, last_week, django_capture_on_commit_callbacks
):
    """Both tenants had a week restated (same names, same dates) after the reported week began;
    each report lists its own client's change, and an older change is not news any more."""
    from decimal import Decimal

    from metrics.models import PeriodKind, Restatement

    monday = last_week["monday"]
    restated_start = monday - dt.timedelta(days=14)
    at = timezone.make_aware(dt.datetime.combine(monday + dt.timedelta(days=2), dt.time(12)))
    for client, before, after, when in (
        (client_a, "100.00", "112.50", at),
        (client_b, "100.00", "90.00", at),
        (client_a, "50.00", "40.00", at - dt.timedelta(days=20)),  # before the week: old news
    ):
        Restatement.objects.create(
            client=client,
            source="surfside",
            period_type=PeriodKind.WEEK,
            period_start=restated_start,
            period_end=restated_start + dt.timedelta(days=6),
            measure="spend",
            before=Decimal(before),
            after=Decimal(after),
            reason="CPM from $12.50 to $14.00 from Nov 1" if after == "112.50" else "Re-delivered",
            at=when,
        )
    DailyMetricFactory(creative=last_week["acme"], date=last_week["sunday"], impressions=1_000)
    with django_capture_on_commit_callbacks(execute=True):
        rollups_refresh(
            client_id=client_a.pk, date_from=last_week["sunday"], date_to=last_week["sunday"]
        )
    ana = UserFactory(username="ana", email="ana@acme.example", client=client_a)
    schedule = schedule_for(client_a, [ana], sections=["kpis", "restatements"])

    assert schedule_send_latest(schedule=schedule)
    text = " ".join(pdf_text(mail.outbox[0].attachments[0][1]).split())
    assert "CPM from $12.50 to $14.00 from Nov 1; spend +$12.50" in text
    assert "spend -$10.00" not in text  # Borealis's change, and Acme's older one
