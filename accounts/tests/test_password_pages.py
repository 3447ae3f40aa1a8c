import re

import pytest
from django.core import mail
from django.test import Client as BrowserClient

from accounts.models import AuditAction, AuditLog
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-long-passphrase"


def test_a_user_changes_their_own_password(user_a):
    browser = BrowserClient()
    browser.force_login(user_a)
    assert browser.get("/accounts/password/").status_code == 200
    response = browser.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/changed/"
    user_a.refresh_from_db()
    assert user_a.check_password(NEW_PASSWORD)
    assert AuditLog.objects.filter(action=AuditAction.PASSWORD_CHANGE, user=user_a).exists()
    # The session that changed it stays logged in.
    assert browser.get("/dashboard/").status_code == 200


def test_a_wrong_current_password_changes_nothing(user_a):
    browser = BrowserClient()
    browser.force_login(user_a)
    response = browser.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    user_a.refresh_from_db()
    assert user_a.check_password(PASSWORD)


def test_the_password_page_needs_a_login():
    response = BrowserClient().get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_password_is_reset_by_email(user_a):
    browser = BrowserClient()
    assert "Forgot your password?" in browser.get("/accounts/login/").content.decode()
    response = browser.post("/accounts/password/reset/", {"email": user_a.email})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user_a.email]
    assert message.subject == "Choose a new password for the performance dashboard"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)[1]
    form_page = browser.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == "/accounts/password/reset/done/"
    user_a.refresh_from_db()
    assert user_a.check_password(NEW_PASSWORD)
    assert AuditLog.objects.filter(action=AuditAction.PASSWORD_CHANGE, user=user_a).exists()
    # The link works once.
    assert "not valid any more" in browser.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(user_a):
    response = BrowserClient().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_users_of_a_disabled_client_get_no_reset_email(user_a, admin_user):
    from clients.services import client_set_status

    client_set_status(client=user_a.client, status="disabled", by=admin_user)
    BrowserClient().post("/accounts/password/reset/", {"email": user_a.email})
    assert mail.outbox == []
