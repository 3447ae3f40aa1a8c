import datetime as dt

import pytest
from django.core import mail

from accounts.tests.factories import UserFactory
from campaigns.models import Source
from campaigns.tests.factories import CreativeFactory
from metrics.tests.factories import DailyMetricFactory, rollups_built
from reports.models import PeriodType
from reports.services import summary_generate
from scheduled_reports.sending import schedule_send_latest
from scheduled_reports.tests.factories import schedule_for
from tests.report_data import MONDAY, WEEK

pytestmark = pytest.mark.django_db


def test_the_weekly_email_names_the_source_its_changes_leave_out(client_a, client_b, complete_week):
    """A scheduled weekly report: Vibe started delivering this week; its days are not missing,
    but there is no week before to compare it with, so the changes are Surfside's alone and the
    email says so."""
    ana = UserFactory(username="ana", client=client_a)
    bo = UserFactory(username="bo", client=client_b)
    schedule_for(client_b, [bo])
    video = CreativeFactory(
        placement__strategy__campaign__client=client_a,
        placement__strategy__campaign__source=Source.VIBE,
    )
    rollups_built(*[DailyMetricFactory(creative=video, date=day, impressions=9000) for day in WEEK])
    summary_generate(client=client_a, period_type=PeriodType.WEEK, start=MONDAY)

    assert schedule_send_latest(schedule=schedule_for(client_a, [ana]), today=dt.date(2025, 11, 10))
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Changes leave out Vibe: no data pulled in Oct 27\u2013Nov 2." in body
    # 7,000 Surfside + 63,000 Vibe impressions shown; the change is Surfside's 7,000 vs 3,500.
    assert "Impressions: 70,000 (+100.00%)" in body
