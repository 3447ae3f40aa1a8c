"""Manual annotations in the admin: every create, change and delete goes through the services
and is audited; bad input is refused with a clear message and nothing written."""

import pytest
from django.test import Client as BrowserClient

from accounts.models import AuditLog
from annotations.models import Annotation
from annotations.tests.factories import AnnotationFactory
from campaigns.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(admin_user):
    browser = BrowserClient()
    browser.force_login(admin_user)
    return browser


def form(client, **overrides):
    return {
        "client": client.pk,
        "campaign": "",
        "start_date": "2025-11-03",
        "end_date": "2025-11-09",
        "text": "Holiday creatives live",
        "visibility": "client",
        **overrides,
    }


def entries(action):
    return list(
        AuditLog.objects.filter(entity_type="annotations.Annotation", action=action).values_list(
            "username", "old_values", "new_values"
        )
    )


def test_an_admin_adds_changes_and_deletes_a_note_and_each_step_is_audited(
    browser, client_a, admin_user
):
    response = browser.post("/admin/annotations/annotation/add/", form(client_a))
    assert response.status_code == 302, response.content.decode()[:2000]
    note = Annotation.objects.get()
    assert (note.client, note.created_by, str(note.start_date), str(note.end_date)) == (
        client_a,
        admin_user,
        "2025-11-03",
        "2025-11-09",
    )
    assert entries("create") == [
        (
            "agency-admin",
            None,
            {
                "client": client_a.pk,
                "campaign": None,
                "start_date": "2025-11-03",
                "end_date": "2025-11-09",
                "text": "Holiday creatives live",
                "visibility": "client",
            },
        )
    ]

    changed = form(client_a, text="Holiday creatives paused", visibility="internal")
    del changed["client"]  # read-only once saved
    response = browser.post(f"/admin/annotations/annotation/{note.pk}/change/", changed)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert entries("update") == [
        (
            "agency-admin",
            {"text": "Holiday creatives live", "visibility": "client"},
            {"text": "Holiday creatives paused", "visibility": "internal"},
        )
    ]

    response = browser.post(f"/admin/annotations/annotation/{note.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Annotation.objects.exists()
    [(username, old, new)] = entries("delete")
    assert (username, old["text"], new) == ("agency-admin", "Holiday creatives paused", None)


def test_an_end_before_the_start_is_refused_and_nothing_is_written(browser, client_a):
    response = browser.post(
        "/admin/annotations/annotation/add/", form(client_a, end_date="2025-11-01")
    )
    assert response.status_code == 200
    assert (
        "The end (Nov 1, 2025) is before the start (Nov 3, 2025): choose an end on or after the "
        "start, or leave it empty for one day." in response.content.decode()
    )
    assert not Annotation.objects.exists()
    assert not AuditLog.objects.filter(entity_type="annotations.Annotation").exists()


def test_a_campaign_of_another_client_is_refused_and_nothing_is_written(
    browser, client_a, client_b
):
    # Both tenants have a campaign named "Spring Sale": the one chosen is Borealis's.
    CampaignFactory(client=client_a, name="Spring Sale")
    theirs = CampaignFactory(client=client_b, name="Spring Sale")
    response = browser.post(
        "/admin/annotations/annotation/add/", form(client_a, campaign=theirs.pk)
    )
    assert response.status_code == 200
    assert (
        "The campaign &quot;Spring Sale&quot; belongs to another client, not to Acme Foods: "
        "choose one of Acme Foods&#x27;s campaigns." in response.content.decode()
    )
    assert not Annotation.objects.exists()


def test_a_change_that_would_end_before_the_start_leaves_the_note_as_it_was(browser, client_a):
    note = AnnotationFactory(client=client_a)
    changed = form(client_a, start_date="2025-11-10", end_date="2025-11-09")
    del changed["client"]
    response = browser.post(f"/admin/annotations/annotation/{note.pk}/change/", changed)
    assert response.status_code == 200
    assert "is before the start" in response.content.decode()
    note.refresh_from_db()
    assert (str(note.start_date), note.end_date) == ("2025-11-02", None)
    assert not AuditLog.objects.filter(entity_type="annotations.Annotation").exists()


def test_client_users_cannot_reach_the_admin(client_a, user_a):
    browser = BrowserClient()
    browser.force_login(user_a)
    response = browser.post("/admin/annotations/annotation/add/", form(client_a))
    assert response.status_code == 302
    assert not Annotation.objects.exists()


def test_the_list_shows_notes_and_a_bulk_delete_is_audited_per_note(browser, client_a, client_b):
    notes = [
        AnnotationFactory(client=client_a, text="Holiday creatives live"),
        AnnotationFactory(client=client_b, text="Holiday creatives live"),
    ]
    listing = browser.get("/admin/annotations/annotation/")
    assert listing.status_code == 200
    assert listing.content.decode().count('<td class="field-text">Holiday creatives live') == 2
    response = browser.post(
        "/admin/annotations/annotation/",
        {
            "action": "delete_selected",
            "_selected_action": [note.pk for note in notes],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Annotation.objects.exists()
    assert sorted(
        AuditLog.objects.filter(entity_type="annotations.Annotation", action="delete").values_list(
            "entity_id", flat=True
        )
    ) == sorted(str(note.pk) for note in notes)
