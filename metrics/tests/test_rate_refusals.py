"""A refused CPM rate says what really happened: only the rate's own unique rule is a duplicate.

Each case is a real race between two database connections: the test holds a write open in its
transaction while ``cpm_rate_add`` runs in a thread, waits until the thread is blocked on the
test's locks, then commits.
"""

import datetime as dt
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from django.db import connection, connections, transaction

from clients.models import CpmRate
from clients.tests.factories import ClientFactory
from core.api.errors import exception_handler
from core.db import WriteConflict
from metrics.cpm import cpm_rate_add
from metrics.rollups import rollups_refresh
from metrics.tests.factories import DailyMetricFactory

pytestmark = pytest.mark.django_db(transaction=True)

FEB_1 = dt.date(2025, 2, 1)


@pytest.fixture
def priced_client():
    """Acme with 10,000 impressions a day on Jan 31 - Feb 2 at a CPM of 10.00, rolled up."""
    client = ClientFactory(name="Acme", cpm="10.00", cpm__effective_date=dt.date(2025, 1, 1))
    first = DailyMetricFactory(
        creative__placement__strategy__campaign__client=client,
        date=dt.date(2025, 1, 31),
        impressions=10_000,
    )
    for day in (FEB_1, dt.date(2025, 2, 2)):
        DailyMetricFactory(creative=first.creative, date=day, impressions=10_000)
    rollups_refresh(client_id=client.pk, date_from=dt.date(2025, 1, 1), date_to=None)
    return client


def in_thread(func: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``func`` on its own database connection; its result or exception lands in the dict."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = func()
        except Exception as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def wait_until_blocked() -> None:
    """Until another session of this database waits for a lock (the thread, on ours)."""
    config = connection.settings_dict
    port = f"&port={config['PORT']}" if config["PORT"] else ""
    uri = f"postgresql://{config['USER']}:{config['PASSWORD']}@/{config['NAME']}?host={config['HOST']}{port}"
    deadline = time.monotonic() + 30
    with psycopg.connect(uri, autocommit=True) as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if waiting and waiting[0]:
                return
            time.sleep(0.05)
    pytest.fail("the concurrent write never waited for the test's lock")


def add_rate(client, admin_user):
    return lambda: cpm_rate_add(
        client=client, cpm=Decimal("20.00"), effective_date=FEB_1, by=admin_user
    )


def test_the_same_rate_added_twice_at_once_is_refused_as_a_duplicate(priced_client, admin_user):
    # Another admin's rate from Feb 1 is inserted but not committed when this one is added.
    with transaction.atomic():
        CpmRate.objects.create(client=priced_client, cpm=Decimal("18.00"), effective_date=FEB_1)
        thread, outcome = in_thread(add_rate(priced_client, admin_user))
        wait_until_blocked()
    thread.join(timeout=30)

    error = outcome["error"]
    assert not isinstance(error, WriteConflict)
    assert error.message_dict == {
        "effective_date": ["Acme already has a CPM rate from 2025-02-01."]
    }
    assert CpmRate.objects.get(client=priced_client, effective_date=FEB_1).cpm == Decimal("18.00")


def test_the_api_answers_a_write_conflict_with_409_and_the_reason():
    response = exception_handler(WriteConflict("Nothing was changed; try again."), {})
    assert (response.status_code, response.data) == (
        409,
        {"detail": "Nothing was changed; try again."},
    )
