import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from accounts.models import AuditAction, AuditLog, Role, User
from accounts.services import user_password_reset
from accounts.tests.factories import AdminFactory
from clients.services import client_user_create

pytestmark = pytest.mark.django_db


def test_client_user_create_belongs_to_the_client_and_is_audited(client_a, admin_user):
    user = client_user_create(
        client=client_a,
        username="nina",
        email="n@acme.example",
        password="a-long-passphrase",
        by=admin_user,
    )
    assert user.role == Role.CLIENT and user.client == client_a and not user.is_staff
    assert user.check_password("a-long-passphrase")
    entry = AuditLog.objects.get(action=AuditAction.CREATE, entity_type="accounts.User")
    assert entry.user == admin_user and entry.new_values["username"] == "nina"
    assert "password" not in entry.new_values


def test_duplicate_username_and_weak_password_are_refused(client_a, admin_user, user_a):
    with pytest.raises(ValidationError, match="already taken"):
        client_user_create(
            client=client_a,
            username="ANA",
            email="x@y.z",
            password="a-long-passphrase",
            by=admin_user,
        )
    with pytest.raises(ValidationError, match="too common"):
        client_user_create(
            client=client_a, username="zed", email="x@y.z", password="password", by=admin_user
        )
    assert not User.objects.filter(username="zed").exists()


def test_an_admin_cannot_reset_another_admins_password(admin_user):
    other = AdminFactory(username="other-admin")
    with pytest.raises(PermissionDenied):
        user_password_reset(user=other, new_password="a-long-passphrase", by=admin_user)
    other.refresh_from_db()
    assert other.check_password("correct-horse-battery")


def test_client_users_cannot_reset_passwords(user_a, user_b):
    with pytest.raises(PermissionDenied):
        user_password_reset(user=user_b, new_password="a-long-passphrase", by=user_a)


def test_database_refuses_a_client_user_without_a_client():
    with pytest.raises(IntegrityError):
        User.objects.create(username="orphan", role=Role.CLIENT, client=None)


def test_database_refuses_an_admin_attached_to_a_client(client_a):
    with pytest.raises(IntegrityError):
        User.objects.create(username="confused", role=Role.ADMIN, client=client_a)
