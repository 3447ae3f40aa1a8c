"""The admin's ingestion health page: every client x source at a glance, with its fixes."""

import datetime as dt

import pytest
from django.test import Client as BrowserClient
from django.utils import timezone

from accounts.models import AuditAction, AuditLog
from campaigns.models import Source
from campaigns.tests.factories import CreativeFactory
from clients.tests.factories import ClientFactory
from ingestion.models import BackfillJob, IngestionRun, RunStatus, SurfsideConnection
from ingestion.selectors import Health, ingestion_health
from ingestion.tests.factories import IngestionRunFactory
from metrics.tests.factories import DailyMetricFactory, rollups_built

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def admin_browser(admin_user):
    browser = BrowserClient()
    browser.force_login(admin_user)
    return browser


@pytest.fixture
def acme_surfside(client_a):
    """Acme's Surfside: data every day of the last 30 except 5 and 6 days ago; the last run
    (for yesterday) found no file."""
    SurfsideConnection.objects.create(client=client_a, bucket="deliveries", prefix="acme/")
    creative = CreativeFactory(placement__strategy__campaign__client=client_a)
    rows = [
        DailyMetricFactory(creative=creative, date=days_ago(n))
        for n in range(2, 40)
        if n not in (5, 6)
    ]
    rollups_built(*rows)
    IngestionRunFactory(client=client_a, requested_date=days_ago(2))
    return IngestionRunFactory(
        client=client_a, requested_date=days_ago(1), status=RunStatus.MISSING_FILE
    )


def test_health_reads_every_client_and_source(client_a, client_b, acme_surfside):
    rows = ingestion_health(
        clients=client_a.__class__.objects.all(), sources=list(Source.values), today=days_ago(0)
    )
    by_key = {(row.client.slug, row.source): row for row in rows}
    assert len(rows) == 6
    surfside = by_key[("acme", "surfside")]
    assert surfside.health is Health.FAILING
    assert surfside.last_run == acme_surfside
    assert surfside.latest_day == days_ago(2)
    assert surfside.missing_days == [days_ago(6), days_ago(5), days_ago(1)]
    assert surfside.connected is True and surfside.can_rerun and surfside.can_backfill
    assert by_key[("acme", "vibe")].health is Health.NOT_SET_UP
    assert by_key[("borealis", "facebook")].connected is None


def test_the_health_page_shows_problems_and_links_to_the_runs(
    admin_browser, client_a, acme_surfside
):
    page = admin_browser.get("/admin/ingestion/health/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme Foods" in html and "Last run failed" in html
    assert f"#{acme_surfside.pk}</a> Missing file" in html
    assert (
        f"/admin/ingestion/ingestionrun/?client__id__exact={client_a.pk}&amp;source__exact=surfside"
        in html
    )
    assert f"/admin/ingestion/health/rerun/{acme_surfside.pk}/" in html
    assert "Backfill 3 days" in html
    problems = admin_browser.get("/admin/ingestion/health/?problems=1").content.decode()
    assert "Not set up</span>" not in problems.split("<tbody>")[1]


def test_the_admin_index_links_to_health_and_margin(admin_browser):
    html = admin_browser.get("/admin/").content.decode()
    assert 'href="/admin/ingestion/health/"' in html and 'href="/admin/metrics/margin/"' in html


def test_rerun_from_the_health_page_is_queued(
    admin_browser, admin_user, client_a, django_capture_on_commit_callbacks
):
    run = IngestionRunFactory(client=client_a, requested_date=days_ago(1), status=RunStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin_browser.post(f"/admin/ingestion/health/rerun/{run.pk}/")
    assert response.status_code == 302 and response["Location"] == "/admin/ingestion/health/"
    new = IngestionRun.objects.get(rerun_of=run)
    # The request only queued it: the new run waits for the task cluster.
    assert (new.status, new.trigger, new.requested_date) == ("processing", "rerun", days_ago(1))
    assert AuditLog.objects.filter(action=AuditAction.INGESTION_TRIGGER, user=admin_user).exists()
    page = admin_browser.get(response["Location"]).content.decode()
    assert f're-run queued as <a href="/admin/ingestion/ingestionrun/{new.pk}/change/">' in page
    for callback in queued:  # the worker (Q_CLUSTER is sync in tests)
        callback()
    new.refresh_from_db()
    # No Surfside connection: the re-run fails and says how to fix it.
    assert new.status == RunStatus.FAILED and "has no Surfside connection" in new.message
    assert IngestionRun.objects.filter(rerun_of=run).count() == 1


def test_rerun_needs_a_post(admin_browser, acme_surfside):
    response = admin_browser.get(f"/admin/ingestion/health/rerun/{acme_surfside.pk}/")
    assert response.status_code == 405
    assert not IngestionRun.objects.filter(rerun_of=acme_surfside).exists()


def test_backfill_from_the_health_page_queues_the_missing_days(
    admin_browser, client_a, acme_surfside, monkeypatch
):
    queued = []
    monkeypatch.setattr("ingestion.admin_health.queue", lambda *args: queued.append(args))
    response = admin_browser.post(f"/admin/ingestion/health/backfill/{client_a.pk}/surfside/")
    assert response.status_code == 302
    job = BackfillJob.objects.get()
    assert (job.start_date, job.end_date, job.source) == (days_ago(6), days_ago(1), "surfside")
    assert list(job.clients.all()) == [client_a]
    assert queued == [("ingestion.tasks.run_backfill", job.pk)]


def test_client_users_cannot_open_the_health_page(user_a, acme_surfside):
    browser = BrowserClient()
    browser.force_login(user_a)
    assert browser.get("/admin/ingestion/health/").status_code == 302
    response = browser.post(f"/admin/ingestion/health/rerun/{acme_surfside.pk}/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not IngestionRun.objects.filter(rerun_of=acme_surfside).exists()


def test_health_query_count_does_not_grow_with_clients(
    admin_browser, acme_surfside, django_assert_num_queries
):
    admin_browser.get("/admin/ingestion/health/")
    # Session, user; clients with connections, last runs, data spans, days with data; running
    # insertion orders (their pacing adds a constant four when there are some).
    with django_assert_num_queries(7):
        assert admin_browser.get("/admin/ingestion/health/").status_code == 200
    for client in ClientFactory.create_batch(5):
        creative = CreativeFactory(placement__strategy__campaign__client=client)
        rollups_built(DailyMetricFactory(creative=creative, date=days_ago(3)))
        IngestionRunFactory(client=client, requested_date=days_ago(3))
    with django_assert_num_queries(7):
        assert admin_browser.get("/admin/ingestion/health/").status_code == 200
