"""The admin: every client's schedules with outside addresses, and the delivery history with the
as-sent PDF to download again."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client as BrowserClient

from accounts.tests.factories import UserFactory
from scheduled_reports.models import ReportDelivery, ReportSchedule
from scheduled_reports.sending import schedule_send_latest
from scheduled_reports.tests.factories import schedule_for

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/scheduled_reports/reportschedule/add/"


def admin_browser(admin_user):
    browser = BrowserClient()
    browser.force_login(admin_user)
    return browser


def form(client, users, outside=""):
    return {
        "client": client.pk,
        "name": "Board pack",
        "frequency": "month",
        "sections": ["kpis", "creatives"],
        "recipients": [user.pk for user in users],
        "outside_emails": outside,
        "is_active": "on",
        "starts_on": "2025-11-01",
        "deliveries-TOTAL_FORMS": "0",
        "deliveries-INITIAL_FORMS": "0",
    }


def test_an_admin_adds_a_schedule_with_an_outside_address(client_a, admin_user):
    ana = UserFactory(username="ana", client=client_a)
    response = admin_browser(admin_user).post(
        ADD_URL, form(client_a, [ana], "cfo@acme-holding.example\nboard@acme-holding.example")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    schedule = ReportSchedule.objects.get()
    assert schedule.outside_emails == ["cfo@acme-holding.example", "board@acme-holding.example"]
    assert schedule.sections == ["kpis", "creatives"]
    assert list(schedule.recipients.all()) == [ana]
    assert schedule.created_by == admin_user
    assert schedule.starts_on == dt.date(2025, 11, 1)


def test_the_admin_refuses_a_bad_address_and_a_foreign_recipient(client_a, admin_user, user_b):
    response = admin_browser(admin_user).post(ADD_URL, form(client_a, [user_b], "cfo at acme"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "\u201ccfo at acme\u201d is not an email address." in page
    assert "bo is not a user of Acme Foods." in page
    assert not ReportSchedule.objects.exists()


def test_the_delivery_history_and_the_pdf_as_sent(client_a, admin_user, user_a, complete_week):
    schedule = schedule_for(client_a, [user_a])
    assert schedule_send_latest(schedule=schedule, today=dt.date(2025, 11, 10))
    delivery = ReportDelivery.objects.get()
    browser = admin_browser(admin_user)

    history = browser.get("/admin/scheduled_reports/reportdelivery/").content.decode()
    assert "report-acme-2025-11-03-2025-11-09.pdf" in history
    detail = browser.get(f"/admin/scheduled_reports/reportdelivery/{delivery.pk}/change/")
    assert detail.status_code == 200
    assert "&quot;impressions&quot;: 7000" in detail.content.decode()
    schedule_page = browser.get(f"/admin/scheduled_reports/reportschedule/{schedule.pk}/change/")
    assert "report-acme-2025-11-03-2025-11-09.pdf" in schedule_page.content.decode()

    download = browser.get(f"/admin/scheduled_reports/reportdelivery/{delivery.pk}/pdf/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "report-acme-2025-11-03-2025-11-09.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == mail.outbox[0].attachments[0][1]


def test_client_users_cannot_download_an_as_sent_pdf(client_a, user_a, complete_week):
    schedule = schedule_for(client_a, [user_a])
    assert schedule_send_latest(schedule=schedule, today=dt.date(2025, 11, 10))
    browser = BrowserClient()
    browser.force_login(user_a)
    delivery = ReportDelivery.objects.get()
    response = browser.get(f"/admin/scheduled_reports/reportdelivery/{delivery.pk}/pdf/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_pauses_and_resumes_schedules(client_a, client_b, admin_user, user_a, user_b):
    acme, borealis = schedule_for(client_a, [user_a]), schedule_for(client_b, [user_b])
    browser = admin_browser(admin_user)
    url = "/admin/scheduled_reports/reportschedule/"
    response = browser.post(url, {"action": "pause", "_selected_action": [acme.pk]})
    assert response.status_code == 302
    acme.refresh_from_db()
    borealis.refresh_from_db()
    assert (acme.is_active, borealis.is_active) == (False, True)
    browser.post(url, {"action": "resume", "_selected_action": [acme.pk]})
    acme.refresh_from_db()
    assert acme.is_active is True


def test_the_admin_says_what_a_held_back_schedule_waits_for(client_a, admin_user, user_a, week):
    schedule = schedule_for(client_a, [user_a])
    assert schedule_send_latest(schedule=schedule, today=dt.date(2025, 11, 10)) is False
    schedule.refresh_from_db()
    # Surfside delivered Nov 3, 4, 5 and 7 (its Nov 8 file never came); Vibe began on Nov 6.
    assert schedule.waiting_for == (
        "Waiting for Surfside data for Nov 6, Nov 8\u20139; Vibe data for Nov 7\u20139"
    )
    page = admin_browser(admin_user).get("/admin/scheduled_reports/reportschedule/")
    assert schedule.waiting_for in page.content.decode()
