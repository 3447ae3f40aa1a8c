"""The daily pull of 30 clients sharing one Vibe API key, against the fake Vibe on a fast clock:
how many requests it takes and how long under 15 requests per hour (``-s`` prints the figures).

Each client costs one report creation and one status poll (the first poll, 60 s after creation,
finds the report done; the fake takes 30 s) and a download that does not count: 60 requests.
Counting every call, 15 go out per hour: creations for 15 clients at 0 h, their polls at 1 h
(work in flight goes first), the other 15 creations at 2 h and their polls at 3 h, so the last
client is loaded 3 h after the pull started. Counting creations only, 15 creations at 0 h and 15 at
1 h, polls free: done 1 h 1 min after the start.
"""

import datetime as dt

import pytest
from django.db.models import Max

from clients.tests.factories import ClientFactory
from ingestion.models import ReportState, VibeReportRequest
from ingestion.sources.vibe.services import vibe_connection_set
from ingestion.sources.vibe.tasks import vibe_daily_pull_all
from ingestion.tests.vibe_helpers import drive, max_calls_in_any_hour
from tests.source_data import VIBE_KEY

pytestmark = pytest.mark.django_db

CLIENTS = 30


@pytest.mark.parametrize(
    ("only_creations_count", "hours"),
    [(False, dt.timedelta(hours=3)), (True, dt.timedelta(hours=1, minutes=1))],
)
def test_a_30_client_daily_pull_under_the_hourly_budget(
    fake_vibe, vibe_clock, settings, only_creations_count, hours
):
    settings.VIBE_BUDGET_COUNTS_ONLY_CREATE = only_creations_count
    fake = fake_vibe.fake
    fake.config.rate_limit_counts_only_create = only_creations_count
    fake.config.ready_after_seconds = 30
    for n in range(CLIENTS):
        vibe_connection_set(
            client=ClientFactory(),
            advertiser_id=f"adv-{n:02}",
            api_key=VIBE_KEY,
            base_url=fake_vibe.base_url,
            by=None,
        )
    started = vibe_clock.now()
    assert len(vibe_daily_pull_all()) == CLIENTS
    passes = drive(vibe_clock)
    assert set(VibeReportRequest.objects.values_list("state", flat=True)) == {ReportState.LOADED}
    finished = VibeReportRequest.objects.aggregate(last=Max("finished_at"))["last"]
    calls = fake.api_calls()
    creates = fake.api_calls("create_async_report")
    counted = creates if only_creations_count else calls
    counting = "creations only" if only_creations_count else "every call"
    print(
        f"\n{CLIENTS} clients, one key, counting {counting}: "
        f"{len(calls)} API calls ({len(creates)} creations, {len(calls) - len(creates)} polls), "
        f"{len(fake.calls) - len(calls)} downloads (not counted); last client loaded "
        f"{finished - started} after the start; {passes} scheduler passes"
    )
    assert len(creates) == CLIENTS and len(calls) == 2 * CLIENTS
    assert all(call.status == 200 for call in fake.calls)
    assert max_calls_in_any_hour([call.at for call in counted]) == 15
    assert hours <= finished - started < hours + dt.timedelta(minutes=2)
