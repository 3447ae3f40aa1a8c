"""One lock order for the writers of a client's figures (issue 13, defect 4).

Two real database connections: an ingestion of Acme's Surfside file runs in a thread and is
paused after its load, inside its open transaction; a past-dated CPM rate is added meanwhile on
another connection. The rate must wait for the ingest to commit (the queued re-pricing then runs
at its commit, django-q2 being sync in tests): both succeed, and every loaded day ends up at the
new rate.
"""

import datetime as dt
import threading
from decimal import Decimal

import pytest

from clients.models import CpmRate
from clients.tests.factories import ClientFactory
from core.db import WriteConflict
from ingestion import loader
from ingestion.models import IngestionRun, RunStatus
from ingestion.pipeline import run_ingestion
from ingestion.tests.helpers import row, surfside_csv
from metrics.cpm import cpm_rate_add, cpm_rate_change, cpm_rate_delete
from metrics.locks import CLIENT_SOURCE_LOCKS
from metrics.models import CampaignDayRollup
from metrics.tests.test_rate_refusals import in_thread, wait_until_blocked

pytestmark = pytest.mark.django_db(transaction=True)

NOV_1 = dt.date(2025, 11, 1)
FILE = surfside_csv(
    row(date="11/3/2025", impressions="10000"),
    row(date="11/4/2025", impressions="20000"),
)


@pytest.fixture
def paused_ingest(monkeypatch):
    """``loader.load`` runs, then waits for ``resume`` inside the run's transaction."""
    loaded, resume = threading.Event(), threading.Event()
    real_load = loader.load

    def load_then_wait(**kwargs):
        result = real_load(**kwargs)
        loaded.set()
        assert resume.wait(30)
        return result

    monkeypatch.setattr(loader, "load", load_then_wait)
    return loaded, resume


def _ingest(client):
    return lambda: run_ingestion(client=client, source="surfside", content=FILE, file_name="d.csv")


def test_a_cpm_rate_added_during_an_ingest_waits_and_reprices_what_it_loaded(
    paused_ingest, admin_user
):
    loaded, resume = paused_ingest
    acme = ClientFactory(name="Acme", cpm="10.00", cpm__effective_date=dt.date(2025, 1, 1))
    ingest, ingest_outcome = in_thread(_ingest(acme))
    assert loaded.wait(30), ingest_outcome
    rate, rate_outcome = in_thread(
        lambda: cpm_rate_add(client=acme, cpm=Decimal("20.00"), effective_date=NOV_1, by=admin_user)
    )
    wait_until_blocked()  # the rate waits for the ingest's lock...
    assert rate.is_alive() and not rate_outcome
    resume.set()  # ...until the ingest commits
    ingest.join(30)
    rate.join(30)

    assert "error" not in ingest_outcome and "error" not in rate_outcome, (
        ingest_outcome,
        rate_outcome,
    )
    assert ingest_outcome["result"].status == RunStatus.SUCCESS
    assert IngestionRun.objects.get().status == RunStatus.SUCCESS
    assert CpmRate.objects.get(client=acme, effective_date=NOV_1).cpm == Decimal("20.00")
    # Every loaded day is priced at the rate added while it loaded (20.00, not 10.00).
    spend = sorted(CampaignDayRollup.objects.filter(client=acme).values_list("date", "spend"))
    assert spend == [(dt.date(2025, 11, 3), Decimal("200")), (dt.date(2025, 11, 4), Decimal("400"))]


@pytest.mark.parametrize("write", ["change", "delete"])
def test_changing_or_deleting_a_rate_waits_for_a_running_ingest(paused_ingest, admin_user, write):
    loaded, resume = paused_ingest
    acme = ClientFactory(name="Acme", cpm="10.00", cpm__effective_date=dt.date(2025, 1, 1))
    later = CpmRate.objects.create(client=acme, cpm=Decimal("30.00"), effective_date=NOV_1)
    ingest, ingest_outcome = in_thread(_ingest(acme))
    assert loaded.wait(30), ingest_outcome
    if write == "change":
        work = lambda: cpm_rate_change(rate=later, by=admin_user, cpm=Decimal("20.00"))  # noqa: E731
    else:
        work = lambda: cpm_rate_delete(rate=later, by=admin_user)  # noqa: E731
    other, outcome = in_thread(work)
    wait_until_blocked()
    assert other.is_alive() and not outcome
    resume.set()
    ingest.join(30)
    other.join(30)
    assert "error" not in ingest_outcome and "error" not in outcome, (ingest_outcome, outcome)
    expected = Decimal("20.00") if write == "change" else Decimal("10.00")
    spend = sorted(CampaignDayRollup.objects.filter(client=acme).values_list("date", "spend"))
    assert spend == [
        (dt.date(2025, 11, 3), 10 * expected),
        (dt.date(2025, 11, 4), 20 * expected),
    ]


def test_the_lock_order_is_one_for_every_source():
    assert list(CLIENT_SOURCE_LOCKS.values()) == sorted(CLIENT_SOURCE_LOCKS.values())
    assert loader._LOCK_NAMESPACE is CLIENT_SOURCE_LOCKS


def test_a_cpm_change_that_would_wait_too_long_is_refused_saying_why(
    paused_ingest, admin_user, settings
):
    settings.CPM_LOCK_WAIT_SECONDS = 0.5
    loaded, resume = paused_ingest
    acme = ClientFactory(name="Acme", cpm="10.00", cpm__effective_date=dt.date(2025, 1, 1))
    ingest, ingest_outcome = in_thread(_ingest(acme))
    assert loaded.wait(30), ingest_outcome
    try:
        rate, rate_outcome = in_thread(
            lambda: cpm_rate_add(
                client=acme, cpm=Decimal("20.00"), effective_date=NOV_1, by=admin_user
            )
        )
        rate.join(30)
    finally:
        resume.set()
        ingest.join(30)
    error = rate_outcome["error"]
    assert isinstance(error, WriteConflict)
    assert error.messages == [
        "The CPM rate of Acme from 2025-11-01 was not saved: an ingestion of Acme's data is "
        "loading right now and the re-pricing would have to wait for it. Nothing was changed; "
        "try again in a minute."
    ]
    assert not CpmRate.objects.filter(client=acme, effective_date=NOV_1).exists()
    assert ingest_outcome["result"].status == RunStatus.SUCCESS
    # Once the ingest is done, the same change goes through at once.
    cpm_rate_add(client=acme, cpm=Decimal("20.00"), effective_date=NOV_1, by=admin_user)
    spend = sorted(CampaignDayRollup.objects.filter(client=acme).values_list("date", "spend"))
    assert spend == [(dt.date(2025, 11, 3), Decimal("200")), (dt.date(2025, 11, 4), Decimal("400"))]
