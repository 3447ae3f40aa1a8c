"""Creating and changing schedules: the service's refusals (nothing written) and the portal page,
scoped to the user's own client."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client as BrowserClient
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from scheduled_reports.models import ReportSchedule
from scheduled_reports.services import schedule_save
from scheduled_reports.tests.factories import schedule_for

pytestmark = pytest.mark.django_db


def save(**overrides):
    arguments = {
        "name": "Weekly summary",
        "frequency": "week",
        "sections": ["kpis"],
        "recipients": [],
        "outside_emails": None,
        "is_active": True,
    }
    return schedule_save(**{**arguments, **overrides})


def refusal(**overrides):
    with pytest.raises(ValidationError) as refused:
        save(**overrides)
    assert not ReportSchedule.objects.exists()
    return refused.value.message_dict


def test_an_admin_creates_a_schedule_with_users_and_outside_addresses(client_a, admin_user):
    ana = UserFactory(username="ana", client=client_a)
    schedule = save(
        client=client_a,
        recipients=[ana],
        outside_emails=["cfo@acme-holding.example", " CFO@acme-holding.example", ""],
        sections=["campaigns", "kpis"],
        by=admin_user,
    )
    assert list(schedule.recipients.all()) == [ana]
    assert schedule.outside_emails == ["cfo@acme-holding.example"]
    assert schedule.sections == ["kpis", "campaigns"]  # in the report's order
    assert schedule.created_by == admin_user


def test_a_schedule_without_recipients_is_refused(client_a, admin_user):
    assert refusal(client=client_a, by=admin_user, outside_emails=[]) == {
        "recipients": ["Choose at least one recipient."]
    }


def test_an_outside_address_that_is_not_an_email_is_refused(client_a, admin_user):
    assert refusal(client=client_a, by=admin_user, outside_emails=["cfo at acme"]) == {
        "outside_emails": ["\u201ccfo at acme\u201d is not an email address."]
    }


def test_a_client_user_adding_an_outside_address_is_refused(client_a, user_a):
    assert refusal(
        client=client_a, by=user_a, recipients=[user_a], outside_emails=["cfo@acme.example"]
    ) == {
        "outside_emails": [
            "Only agency admins can add outside addresses. Choose recipients among your team."
        ]
    }


def test_a_recipient_of_another_client_is_refused(client_a, admin_user, user_b):
    assert refusal(client=client_a, by=admin_user, recipients=[user_b]) == {
        "recipients": ["bo is not a user of Acme Foods."]
    }


def test_an_edit_by_a_client_user_keeps_the_admins_outside_addresses(client_a, user_a):
    schedule = schedule_for(client_a, [user_a], outside_emails=["cfo@acme.example"])
    save(schedule=schedule, client=client_a, by=user_a, recipients=[user_a], name="Renamed")
    schedule.refresh_from_db()
    assert (schedule.name, schedule.outside_emails) == ("Renamed", ["cfo@acme.example"])


# --- The portal page ------------------------------------------------------------------------


def logged_in(user, *, csrf=False):
    browser = BrowserClient(enforce_csrf_checks=csrf)
    browser.force_login(user)
    return browser


FORM = {
    "name": "Weekly summary",
    "frequency": "week",
    "sections": ["kpis", "pacing"],
    "is_active": "on",
}


def test_a_client_user_creates_edits_and_pauses_their_schedule(client_a, user_a):
    abe = UserFactory(username="abe", client=client_a)
    browser = logged_in(user_a)
    page = browser.get("/schedules/new/")
    assert page.status_code == 200
    assert "abe@example.com" in page.content.decode()

    response = browser.post("/schedules/new/", {**FORM, "recipients": [user_a.pk, abe.pk]})
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert (schedule.client, schedule.created_by, schedule.sections) == (
        client_a,
        user_a,
        ["kpis", "pacing"],
    )
    assert set(schedule.recipients.all()) == {user_a, abe}

    listing = browser.get("/schedules/").content.decode()
    assert "Weekly summary" in listing and "KPIs with comparison, Pacing" in listing

    response = browser.post(
        f"/schedules/{schedule.pk}/", {**FORM, "name": "Monday report", "recipients": [abe.pk]}
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.name == "Monday report" and list(schedule.recipients.all()) == [abe]

    assert browser.post(f"/schedules/{schedule.pk}/pause/", {"active": "0"}).status_code == 302
    schedule.refresh_from_db()
    assert schedule.is_active is False


def test_the_page_refuses_a_schedule_without_recipients(client_a, user_a):
    response = logged_in(user_a).post("/schedules/new/", FORM)
    assert response.status_code == 400
    assert "Choose at least one recipient." in response.content.decode()
    assert not ReportSchedule.objects.exists()


def test_the_page_refuses_an_outside_address_from_a_client_user(client_a, user_a):
    response = logged_in(user_a).post(
        "/schedules/new/",
        {**FORM, "recipients": [user_a.pk], "outside_emails": "cfo@acme.example"},
    )
    assert response.status_code == 400
    assert "Only agency admins can add outside addresses." in response.content.decode()
    assert not ReportSchedule.objects.exists()


def test_the_page_refuses_a_user_of_another_client_as_recipient(client_a, user_a, user_b):
    response = logged_in(user_a).post("/schedules/new/", {**FORM, "recipients": [user_b.pk]})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Select a valid choice. {user_b.pk} is not one of the available choices." in page
    assert "bo@example.com" not in page
    assert not ReportSchedule.objects.exists()


def test_client_b_cannot_see_or_change_client_as_schedules(client_a, client_b, user_a, user_b):
    acme = schedule_for(client_a, [user_a])  # both named "Weekly summary"
    borealis = schedule_for(client_b, [user_b])
    browser = logged_in(user_b)

    listing = browser.get("/schedules/").content.decode()
    assert f"/schedules/{borealis.pk}/" in listing
    assert f"/schedules/{acme.pk}/" not in listing
    assert browser.get(f"/schedules/{acme.pk}/").status_code == 404
    assert (
        browser.post(
            f"/schedules/{acme.pk}/", {**FORM, "name": "Taken", "recipients": [user_b.pk]}
        ).status_code
        == 404
    )
    assert browser.post(f"/schedules/{acme.pk}/pause/", {"active": "0"}).status_code == 404
    acme.refresh_from_db()
    assert (acme.name, acme.is_active, list(acme.recipients.all())) == (
        "Weekly summary",
        True,
        [user_a],
    )


def test_anonymous_users_log_in_and_admins_use_the_admin(client_a, user_a, admin_user):
    schedule = schedule_for(client_a, [user_a])
    anonymous = BrowserClient()
    for url in ("/schedules/", "/schedules/new/", f"/schedules/{schedule.pk}/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    assert anonymous.post(f"/schedules/{schedule.pk}/pause/").status_code == 302
    schedule.refresh_from_db()
    assert schedule.is_active
    response = logged_in(admin_user).get("/schedules/")
    assert response["Location"] == "/admin/scheduled_reports/reportschedule/"


def test_the_forms_need_the_csrf_token(client_a, user_a):
    schedule = schedule_for(client_a, [user_a])
    browser = logged_in(user_a, csrf=True)
    assert browser.post("/schedules/new/", {**FORM, "recipients": [user_a.pk]}).status_code == 403
    assert browser.post(f"/schedules/{schedule.pk}/pause/", {"active": "0"}).status_code == 403
    assert ReportSchedule.objects.get().is_active


def test_the_list_reads_a_fixed_number_of_queries(client_a, user_a):
    browser = logged_in(user_a)
    schedule_for(client_a, [user_a], name="First")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert browser.get("/schedules/").status_code == 200
        return len(captured)

    one = queries()
    for name in ("Second", "Third", "Fourth"):
        schedule_for(client_a, [user_a, UserFactory(client=client_a)], name=name)
    assert queries() == one
