import datetime as dt
from io import BytesIO

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from accounts.tests.factories import UserFactory
from campaigns.tests.factories import CreativeFactory
from metrics.periods import Granularity, period_start
from metrics.rollups import rollups_refresh
from metrics.tests.factories import DailyMetricFactory, rollups_built
from reports.models import PeriodType, SummaryEmail
from reports.services import summary_generate, weekly_summary_emails_send
from reports.tasks import weekly_summary_client
from tests.report_data import MONDAY

pytestmark = pytest.mark.django_db

SUNDAY = dt.date(2025, 11, 9)
NEXT_MONDAY = dt.date(2025, 11, 10)


@pytest.fixture
def readers(client_a, client_b):
    """Two of client A's users asked for the email; one did not, one is inactive; a user of
    client B asked too (never gets A's summary)."""
    return {
        "ana": UserFactory(username="ana", client=client_a, weekly_summary_email=True),
        "abe": UserFactory(username="abe", client=client_a, weekly_summary_email=True),
        "al": UserFactory(username="al", client=client_a, weekly_summary_email=False),
        "alf": UserFactory(
            username="alf", client=client_a, weekly_summary_email=True, is_active=False
        ),
        "bo": UserFactory(username="bo", client=client_b, weekly_summary_email=True),
    }


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_a_complete_week_is_sent_once_to_each_user_who_opted_in(client_a, readers, complete_week):
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)
    assert summary.is_complete

    sent = weekly_summary_emails_send(summary=summary, today=NEXT_MONDAY)

    assert sent == 2
    assert sorted(message.to[0] for message in mail.outbox) == [
        "abe@example.com",
        "ana@example.com",
    ]
    message = mail.outbox[0]
    assert len(message.to) == 1 and not message.cc and not message.bcc
    assert message.subject == "Acme Foods: weekly summary Nov 3 - Nov 9"
    assert "Impressions: 7,000 (+100.00%)" in message.body
    assert "Data is complete for every source" in message.body
    html, html_type = message.alternatives[0]
    assert html_type == "text/html" and "Acme Foods: weekly summary" in html
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("report-acme-2025-11-03-2025-11-09.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Acme Foods" in text and "Weekly performance summary" in text
    assert "November 3 - 9, 2025" in text

    # Safe to run twice: what was sent is recorded, and nobody gets it again.
    assert weekly_summary_emails_send(summary=summary, today=NEXT_MONDAY) == 0
    assert len(mail.outbox) == 2
    assert set(SummaryEmail.objects.values_list("user__username", flat=True)) == {"ana", "abe"}


def test_an_incomplete_week_is_not_sent(client_a, readers, week):
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)
    assert not summary.is_complete

    assert weekly_summary_emails_send(summary=summary, today=NEXT_MONDAY) == 0
    assert mail.outbox == []
    assert not SummaryEmail.objects.exists()


def test_a_week_that_ended_too_long_ago_is_not_sent(client_a, readers, complete_week, settings):
    settings.WEEKLY_EMAIL_MAX_DELAY_DAYS = 7
    summary = summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)

    assert weekly_summary_emails_send(summary=summary, today=SUNDAY + dt.timedelta(days=8)) == 0
    assert weekly_summary_emails_send(summary=summary, today=SUNDAY + dt.timedelta(days=7)) == 2


def test_the_email_goes_out_when_late_data_completes_the_week(
    client_a, readers, django_capture_on_commit_callbacks
):
    # The week that ended most recently; its Sunday's file is not in yet.
    monday = period_start(timezone.localdate() - dt.timedelta(days=7), Granularity.WEEK)
    creative = CreativeFactory(placement__strategy__campaign__client=client_a)
    rollups_built(
        *[
            DailyMetricFactory(creative=creative, date=monday + dt.timedelta(days=offset))
            for offset in range(6)
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_summary_client(client_a.pk, monday.isoformat()) == 0
    assert mail.outbox == []

    sunday = monday + dt.timedelta(days=6)
    DailyMetricFactory(creative=creative, date=sunday)
    with django_capture_on_commit_callbacks(execute=True):
        rollups_refresh(client_id=client_a.pk, date_from=sunday, date_to=sunday)

    assert len(mail.outbox) == 2
    assert SummaryEmail.objects.filter(summary__start=monday).count() == 2
