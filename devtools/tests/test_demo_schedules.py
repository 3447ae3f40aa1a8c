import datetime as dt

import pytest

from devtools.demo_data import demo_schedules
from scheduled_reports.models import ReportSchedule

pytestmark = pytest.mark.django_db


def test_the_demo_schedules_are_made_once(client_a, user_a, admin_user):
    since = dt.date(2025, 9, 1)
    demo_schedules(client=client_a, admin=admin_user, since=since)
    demo_schedules(client=client_a, admin=admin_user, since=since)
    schedules = {s.name: s for s in ReportSchedule.objects.filter(client=client_a)}
    assert set(schedules) == {"Monday performance report", "Monthly board pack"}
    weekly = schedules["Monday performance report"]
    assert weekly.outside_emails == ["cmo@acme-holding.example"]
    assert list(weekly.recipients.all()) == [user_a]
    assert (weekly.is_active, weekly.starts_on) == (True, since)
    assert schedules["Monthly board pack"].is_active is False
