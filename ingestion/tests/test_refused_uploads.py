"""A user's mistake is not an incident (SPEC 9): an upload refused for its format or content, or
with refused rows, alerts no one, keeps the health page green and offers no re-run. Scheduled
pulls that fail or refuse rows still alert."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient
from django.utils import timezone

from campaigns.models import Source
from clients.models import Client
from ingestion import services
from ingestion.models import IngestionRun, RunStatus, RunTrigger
from ingestion.pipeline import run_ingestion
from ingestion.selectors import Health, ingestion_health
from ingestion.sources.facebook.services import facebook_upload_create

pytestmark = pytest.mark.django_db

NOT_DAILY = (
    "Reporting starts,Reporting ends,Campaign name,Ad set name,Ad name,Impressions\n"
    "2025-11-01,2025-11-30,Spring,Prospecting,Ad 1,1000\n"
)
YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
ONE_BAD_ROW = (
    "Day,Campaign name,Ad set name,Ad name,Impressions,Link clicks,Amount spent (USD)\n"
    f"{YESTERDAY},Spring,Prospecting,Ad 1,1000,3,4.50\n"
    f"{YESTERDAY},Spring,Prospecting,Ad 2,-500,2,2.25\n"
)
SURFSIDE_ONE_BAD_ROW = (
    "Strategy Name,Placement Name,Creative Name,Event Date,Impressions,Clicks,Conversions,"
    "Conversion Value\n"
    "Prospecting,Homepage,Banner,11/3/2025,1000,3,1,25\n"
    "Prospecting,Homepage,Banner,11/4/2025,-5,3,1,25\n"
)


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Upload as the portal does; alerts go out on commit, so the commit's callbacks run."""

    def upload(user, content, name="meta.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            return facebook_upload_create(
                client=user.client, upload=SimpleUploadedFile(name, content.encode()), by=user
            )

    return upload


def facebook_health(client):
    (row,) = ingestion_health(
        clients=Client.objects.filter(pk=client.pk),
        sources=[Source.FACEBOOK],
        today=timezone.localdate(),
    )
    return row


def admin_browser(admin_user):
    browser = BrowserClient()
    browser.force_login(admin_user)
    return browser


def test_a_refused_upload_alerts_no_one_stays_green_and_cannot_be_re_run(
    user_a, admin_user, api, upload
):
    good = upload(user_a, ONE_BAD_ROW.replace("-500", "500"), name="good.csv")
    assert good.run.status == RunStatus.SUCCESS
    refused = upload(user_a, NOT_DAILY).run
    assert refused.status == RunStatus.FAILED
    assert refused.refused
    assert mail.outbox == []

    health = facebook_health(user_a.client)
    assert health.health == Health.OK
    assert health.last_run == good.run
    assert admin_browser(admin_user).get("/admin/ingestion/health/").status_code == 200

    with pytest.raises(ValidationError, match="refused for its own format or content"):
        services.ingestion_run_rerun(run=refused, by=admin_user)
    response = api(admin_user).post(f"/api/v1/admin/ingestion-logs/{refused.pk}/rerun")
    assert response.status_code == 400
    assert "the same file would be refused again" in response.json()["detail"]
    change_page = admin_browser(admin_user).get(
        f"/admin/ingestion/ingestionrun/{refused.pk}/change/"
    )
    assert change_page.status_code == 200
    assert "Re-run this run" not in change_page.content.decode()
    assert IngestionRun.objects.count() == 2


def test_an_upload_with_refused_rows_alerts_no_one(user_a, upload):
    run = upload(user_a, ONE_BAD_ROW).run
    assert run.status == RunStatus.PARTIAL
    assert run.rows_failed == 1
    assert run.refused
    assert mail.outbox == []
    assert facebook_health(user_a.client).health == Health.OK


def test_scheduled_pulls_that_fail_or_refuse_rows_still_alert(
    client_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        failed = run_ingestion(
            client=client_a,
            source=Source.SURFSIDE,
            content=b"not,a,surfside,file\n1,2,3,4\n",
            file_name="2025-11-03.csv",
            trigger=RunTrigger.SCHEDULE,
        )
    assert failed.status == RunStatus.FAILED and not failed.refused
    with django_capture_on_commit_callbacks(execute=True):
        partial = run_ingestion(
            client=client_a,
            source=Source.SURFSIDE,
            content=SURFSIDE_ONE_BAD_ROW.encode(),
            file_name="2025-11-04.csv",
            trigger=RunTrigger.SCHEDULE,
        )
    assert partial.status == RunStatus.PARTIAL and not partial.refused
    assert [message.subject for message in mail.outbox] == [
        "[Dashboard] Ingestion failed: Acme Foods Surfside",
        "[Dashboard] Rows refused: Acme Foods Surfside 2025-11-03",
    ]
