"""A queued CPM re-pricing whose worker is SIGKILLed mid-way (issues 13 and 15).

A subprocess runs the real re-pricing task against the test database and is killed once the
rollups are updated inside its open transaction. Nothing of it may stay (the days keep the old
price), the client's lock must be free, and the sweeper must queue it again rather than leave
the dashboard saying "re-pricing" forever: the rate is saved, so the days must still follow it.
"""

import datetime as dt
import os
import signal
import textwrap
import time
from decimal import Decimal

import pytest
from django.test import override_settings

from clients.models import CpmRate
from core.models import Lease
from metrics.models import CampaignDayRollup, Repricing, RepricingStatus
from metrics.tests.factories import DailyMetricFactory, rollups_built
from operations.sweeper import sweep_dead_leases
from operations.tests.test_sweeper_kill import _child

pytestmark = pytest.mark.django_db(transaction=True)

CHILD = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from metrics import repricing

    real_refresh = repricing.rollups_refresh

    def refresh_then_hang(**kwargs):
        changed = real_refresh(**kwargs)
        print("REPRICED-NOT-COMMITTED", flush=True)
        time.sleep(600)
        return changed

    repricing.rollups_refresh = refresh_then_hang
    repricing.repricing_perform(repricing_id=int(sys.argv[1]))
    """
)

NOV_1, NOV_2 = dt.date(2025, 11, 1), dt.date(2025, 11, 2)


def _spend(client):
    return dict(CampaignDayRollup.objects.filter(client=client).values_list("date", "spend"))


@override_settings(LEASE_HEARTBEAT_SECONDS=0.5, LEASE_TIMEOUT_SECONDS=120)
def test_a_killed_repricing_is_swept_queued_again_and_done(client_a, client_b):
    for client in (client_a, client_b):
        rows = [
            DailyMetricFactory(
                creative__name="Banner",
                creative__placement__strategy__campaign__client=client,
                date=day,
                impressions=10_000,
            )
            for day in (NOV_1, NOV_2)
        ]
        rollups_built(*rows)
    # The request's part: the rate saved, its re-pricing queued (not run: that is the child's).
    CpmRate.objects.create(client=client_a, cpm=Decimal("20"), effective_date=NOV_2)
    job = Repricing.objects.create(client=client_a, date_from=NOV_2, date_to=None)

    child = _child(CHILD, [str(job.pk)], b"", b"REPRICED-NOT-COMMITTED")
    try:
        deadline = time.monotonic() + 10
        while not Lease.objects.filter(backend_pid__isnull=False).exists():
            assert time.monotonic() < deadline, "the lease never got a heartbeat"
            time.sleep(0.1)
        assert Repricing.objects.get().status == RepricingStatus.RUNNING
        assert sweep_dead_leases() == []  # alive: left alone
    except BaseException:
        child.kill()
        raise

    os.kill(child.pid, signal.SIGKILL)
    killed = time.monotonic()
    child.wait(10)
    # Rolled back with the process: the day still at 15.00.
    assert _spend(client_a) == {NOV_1: Decimal("150"), NOV_2: Decimal("150")}
    swept = []
    while not swept and time.monotonic() - killed < 30:
        swept = sweep_dead_leases()  # its on-commit queueing runs the (sync) worker at once
        if not swept:
            time.sleep(0.1)

    assert [(item.kind, item.object_id) for item in swept] == [("repricing", job.pk)]
    job.refresh_from_db()
    assert job.status == RepricingStatus.DONE
    assert _spend(client_a) == {NOV_1: Decimal("150"), NOV_2: Decimal("200")}
    assert _spend(client_b) == {NOV_1: Decimal("150"), NOV_2: Decimal("150")}
    assert not Lease.objects.exists()
