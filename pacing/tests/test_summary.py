"""Pacing in the scheduled report: the email and its PDF list the orders flying that week."""

import datetime as dt
from io import BytesIO

import pytest
from django.core import mail
from pypdf import PdfReader

from accounts.tests.factories import UserFactory
from campaigns.tests.factories import CampaignFactory
from pacing.tests.factories import InsertionOrderFactory, delivered
from reports.models import PeriodType
from reports.services import summary_generate
from scheduled_reports.sending import schedule_send_latest
from scheduled_reports.tests.factories import schedule_for

pytestmark = pytest.mark.django_db


def test_the_scheduled_report_carries_pacing(client_a, client_b):
    schedule = schedule_for(client_a, [UserFactory(username="ana", client=client_a)])
    campaign = CampaignFactory(client=client_a, name="Spring")
    first = dt.date(2025, 10, 27)
    delivered(campaign, {first + dt.timedelta(days=n): 1_000 for n in range(14)})
    order = InsertionOrderFactory(
        client=client_a, name="Acme November", contracted_impressions=30_000
    )
    order.campaigns.set([campaign])
    InsertionOrderFactory(client=client_b, name="Borealis November")
    summary_generate(client=client_a, period_type=PeriodType.WEEK, start=dt.date(2025, 11, 3))
    assert schedule_send_latest(schedule=schedule, today=dt.date(2025, 11, 10)) is True
    message = mail.outbox[0]
    # Paced as of the week's last day: Nov 1-9 delivered 9,000 of the 9,000 expected.
    assert (
        "Acme November: On track, pace 100.00 %, 9,000 of 30,000 impressions delivered, "
        "30,000 projected (as of Nov 9)"
    ) in message.body
    assert "Borealis" not in message.body
    html, _ = message.alternatives[0]
    assert "Acme November" in html and "100.00 %" in html
    pdf = "\n".join(
        page.extract_text() for page in PdfReader(BytesIO(message.attachments[0][1])).pages
    )
    assert "Pacing against insertion orders" in pdf
    assert "Acme November" in pdf
    assert "Borealis" not in pdf


def test_the_pdf_export_carries_pacing_for_the_users_client_only(api, user_a, client_a, client_b):
    campaign = CampaignFactory(client=client_a, name="Spring")
    delivered(campaign, {dt.date(2025, 11, 1) + dt.timedelta(days=n): 1_000 for n in range(9)})
    order = InsertionOrderFactory(
        client=client_a, name="Acme November", contracted_impressions=30_000
    )
    order.campaigns.set([campaign])
    InsertionOrderFactory(client=client_b, name="Borealis November")
    response = api(user_a).get("/api/v1/exports/pdf?start_date=2025-11-03&end_date=2025-11-09")
    assert response.status_code == 200
    pdf = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Pacing against insertion orders" in pdf
    assert "Acme November" in pdf
    assert "9,000 of 30,000" in pdf
    assert "Borealis" not in pdf
