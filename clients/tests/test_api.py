import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import AuditAction, AuditLog, User
from clients.models import Client, CpmRate

pytestmark = pytest.mark.django_db

NEW_CLIENT = {
    "name": "Cobalt Air",
    "slug": "cobalt",
    "cpm": "12.50",
    "cpm_effective_date": "2025-01-01",
}


def test_admin_creates_a_client_with_its_first_cpm(api, admin_user):
    response = api(admin_user).post("/api/v1/clients", NEW_CLIENT, format="json")
    assert response.status_code == 201
    body = response.json()
    client = Client.objects.get(pk=body["id"])
    assert (client.name, client.slug, client.status) == ("Cobalt Air", "cobalt", "active")
    rate = client.cpm_rates.get()
    assert (rate.cpm, rate.effective_date, rate.set_by) == (
        Decimal("12.50"),
        dt.date(2025, 1, 1),
        admin_user,
    )
    assert body["current_cpm"] == "12.5000"
    assert AuditLog.objects.filter(
        action=AuditAction.CREATE, entity_type="clients.Client", user=admin_user
    ).exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({**NEW_CLIENT, "cpm": "0"}, "cpm: A CPM must be greater than zero."),
        ({**NEW_CLIENT, "cpm": "-3"}, "cpm: A CPM must be greater than zero."),
        (
            {**NEW_CLIENT, "cpm": "1.23456"},
            "cpm: Ensure that there are no more than 4 decimal places.",
        ),
        ({**NEW_CLIENT, "slug": "not a slug"}, 'slug: Enter a valid "slug"'),
        ({**NEW_CLIENT, "colour": "red"}, "colour: Unknown field."),
        ({k: v for k, v in NEW_CLIENT.items() if k != "cpm"}, "cpm: This field is required."),
    ],
)
def test_bad_client_input_is_refused_and_nothing_changes(api, admin_user, payload, message):
    response = api(admin_user).post("/api/v1/clients", payload, format="json")
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not Client.objects.filter(slug="cobalt").exists()
    assert not CpmRate.objects.exists()


def test_duplicate_slug_is_refused(api, admin_user, client_a):
    response = api(admin_user).post(
        "/api/v1/clients", {**NEW_CLIENT, "slug": "acme"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "slug: A client with this slug already exists."
    assert Client.objects.filter(slug="acme").count() == 1


def test_client_users_cannot_create_clients(api, user_a):
    response = api(user_a).post("/api/v1/clients", NEW_CLIENT, format="json")
    assert response.status_code == 403
    assert not Client.objects.filter(slug="cobalt").exists()


def test_client_user_lists_only_their_own_client(api, user_a, client_b):
    body = api(user_a).get("/api/v1/clients").json()
    assert [row["slug"] for row in body["results"]] == ["acme"]


def test_admin_renames_a_client(api, admin_user, client_a):
    response = api(admin_user).patch(
        f"/api/v1/clients/{client_a.pk}", {"name": "Acme"}, format="json"
    )
    assert response.status_code == 200
    client_a.refresh_from_db()
    assert client_a.name == "Acme"
    entry = AuditLog.objects.get(action=AuditAction.UPDATE, entity_type="clients.Client")
    assert entry.old_values == {"name": "Acme Foods"} and entry.new_values == {"name": "Acme"}


def test_a_client_with_users_cannot_be_deleted(api, admin_user, user_a):
    response = api(admin_user).delete(f"/api/v1/clients/{user_a.client_id}")
    assert response.status_code == 400
    assert "Disable it instead" in response.json()["detail"]
    assert Client.objects.filter(pk=user_a.client_id).exists()


def test_cpm_history_add_and_list(api, admin_user, client_a):
    url = f"/api/v1/clients/{client_a.pk}/settings"
    created = api(admin_user).post(
        url, {"cpm": "18.25", "effective_date": "2025-06-01"}, format="json"
    )
    assert created.status_code == 201
    history = api(admin_user).get(url).json()
    assert [(r["cpm"], r["effective_date"]) for r in history] == [
        ("18.2500", "2025-06-01"),
        ("15.0000", "2020-01-01"),
    ]


def test_duplicate_effective_date_is_refused(api, admin_user, client_a):
    url = f"/api/v1/clients/{client_a.pk}/settings"
    response = api(admin_user).post(
        url, {"cpm": "9", "effective_date": "2020-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "already has a CPM rate from 2020-01-01" in response.json()["detail"]
    assert client_a.cpm_rates.get().cpm == Decimal("15")


def test_admin_adds_a_client_user(api, admin_user, client_a):
    response = api(admin_user).post(
        f"/api/v1/clients/{client_a.pk}/users",
        {"username": "nina", "email": "nina@acme.example", "password": "a-long-passphrase"},
        format="json",
    )
    assert response.status_code == 201
    user = User.objects.get(username="nina")
    assert user.client == client_a and user.role == "client"
    assert "password" not in response.json()


def test_toggle_status_disables_and_reenables_users(api, admin_user, user_a):
    url = f"/api/v1/admin/clients/{user_a.client_id}/toggle-status"
    response = api(admin_user).put(url, {"status": "disabled"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "disabled"
    user_a.refresh_from_db()
    assert not user_a.is_active
    api(admin_user).put(url, {"status": "active"}, format="json")
    user_a.refresh_from_db()
    assert user_a.is_active


def test_toggle_status_rejects_unknown_status(api, admin_user, client_a):
    url = f"/api/v1/admin/clients/{client_a.pk}/toggle-status"
    response = api(admin_user).put(url, {"status": "paused"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == 'status: "paused" is not a valid choice.'
