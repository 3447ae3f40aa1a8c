"""``/api/v1/insertion-orders``: admins write, client users read their own, pacing as SPEC 8."""

import pytest

from accounts.models import AuditLog
from campaigns.tests.factories import CampaignFactory
from pacing.models import InsertionOrder
from pacing.tests.factories import InsertionOrderFactory, delivered, span

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(client_a):
    return CampaignFactory(client=client_a, name="Spring")


@pytest.fixture
def order(client_a, campaign):
    io = InsertionOrderFactory(client=client_a, name="Acme November")
    io.campaigns.set([campaign])
    return io


def test_admin_creates_an_order(api, admin_user, client_a, campaign):
    response = api(admin_user).post(
        "/api/v1/insertion-orders",
        {
            "client_id": client_a.pk,
            "name": "November",
            "start_date": "2025-11-01",
            "end_date": "2025-11-30",
            "contracted_impressions": 300000,
            "campaign_ids": [campaign.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    order = InsertionOrder.objects.get(pk=response.json()["id"])
    assert (order.client, order.delivery_shape, order.contracted_budget) == (client_a, "even", None)
    assert response.json()["campaign_ids"] == [campaign.pk]


def test_bad_input_is_a_400_that_says_why_and_writes_nothing(api, admin_user, client_a):
    entries = AuditLog.objects.count()
    response = api(admin_user).post(
        "/api/v1/insertion-orders",
        {
            "client_id": client_a.pk,
            "name": "November",
            "start_date": "2025-11-30",
            "end_date": "2025-11-01",
            "contracted_impressions": 0,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "end_date: The flight ends (2025-11-01) before it starts (2025-11-30). "
        "contracted_impressions: Contracted impressions must be greater than zero, not 0."
    )
    assert not InsertionOrder.objects.exists()
    assert AuditLog.objects.count() == entries


def test_an_unknown_client_is_a_404(api, admin_user):
    response = api(admin_user).post(
        "/api/v1/insertion-orders",
        {
            "client_id": 999999,
            "name": "X",
            "start_date": "2025-11-01",
            "end_date": "2025-11-02",
            "contracted_impressions": 1,
        },
        format="json",
    )
    assert response.status_code == 404


def test_client_users_read_only_their_own(api, user_a, user_b, order, client_b):
    theirs = InsertionOrderFactory(client=client_b, name="Borealis November")
    listing = api(user_a).get("/api/v1/insertion-orders").json()
    assert [row["name"] for row in listing["results"]] == ["Acme November"]
    assert api(user_a).get(f"/api/v1/insertion-orders/{theirs.pk}").status_code == 404
    assert api(user_b).get(f"/api/v1/insertion-orders/{order.pk}").status_code == 404
    assert api(user_b).get(f"/api/v1/insertion-orders/{order.pk}/pacing").status_code == 404


def test_admin_lists_every_client_or_one(api, admin_user, order, client_a, client_b):
    InsertionOrderFactory(client=client_b, name="Borealis November")
    everyone = api(admin_user).get("/api/v1/insertion-orders").json()
    assert everyone["count"] == 2
    one = api(admin_user).get(f"/api/v1/insertion-orders?client_id={client_a.pk}").json()
    assert [row["name"] for row in one["results"]] == ["Acme November"]


def test_pacing_is_spec_8s_example_as_json_numbers(api, user_a, order, campaign):
    delivered(campaign, {**span(1, 5, 5_000), **span(6, 10, 11_000)})
    response = api(user_a).get(f"/api/v1/insertion-orders/{order.pk}/pacing?as_of=2025-11-10")
    assert response.status_code == 200
    figures = response.json()
    assert {
        key: figures[key]
        for key in (
            "delivered_impressions",
            "expected_impressions",
            "pace_percent",
            "projected_impressions",
            "status",
        )
    } == {
        "delivered_impressions": 80000,
        "expected_impressions": 100000,
        "pace_percent": 80.0,
        "projected_impressions": 265714,
        "status": "under",
    }
    assert figures["run_rate_impressions"] == 9285.71
    assert b'"pace_percent":80.0' in response.content


def test_pacing_defaults_to_the_latest_loaded_day(api, user_a, order, campaign):
    delivered(campaign, span(1, 10, 8_000))
    figures = api(user_a).get(f"/api/v1/insertion-orders/{order.pk}/pacing").json()
    assert (figures["as_of"], figures["pace_percent"]) == ("2025-11-10", 80.0)


def test_not_started_pace_is_null(api, user_a, order):
    figures = api(user_a).get(f"/api/v1/insertion-orders/{order.pk}/pacing?as_of=2025-10-01").json()
    assert (figures["status"], figures["pace_percent"]) == ("not_started", None)


def test_a_bad_as_of_is_a_400(api, user_a, order):
    response = api(user_a).get(f"/api/v1/insertion-orders/{order.pk}/pacing?as_of=10/11/2025")
    assert response.status_code == 400
    assert response.json()["detail"] == "as_of: Use YYYY-MM-DD, not '10/11/2025'."


def test_client_users_cannot_write(api, user_a, order, client_a):
    assert (
        api(user_a)
        .patch(f"/api/v1/insertion-orders/{order.pk}", {"name": "Mine"}, format="json")
        .status_code
        == 403
    )
    assert api(user_a).delete(f"/api/v1/insertion-orders/{order.pk}").status_code == 403
    order.refresh_from_db()
    assert order.name == "Acme November"


def test_admin_changes_and_deletes(api, admin_user, order):
    response = api(admin_user).patch(
        f"/api/v1/insertion-orders/{order.pk}", {"end_date": "2025-12-05"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["end_date"] == "2025-12-05"
    assert api(admin_user).delete(f"/api/v1/insertion-orders/{order.pk}").status_code == 204
    assert not InsertionOrder.objects.exists()


def test_an_amount_beyond_the_column_is_a_400(api, admin_user, client_a):
    response = api(admin_user).post(
        "/api/v1/insertion-orders",
        {
            "client_id": client_a.pk,
            "name": "Huge",
            "start_date": "2025-11-01",
            "end_date": "2025-11-30",
            "contracted_impressions": 10**19,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "contracted_impressions: Contracted impressions can be at most 1,000,000,000,000,000."
    )
    assert not InsertionOrder.objects.exists()


def test_null_campaign_ids_mean_all_the_clients_campaigns(api, admin_user, client_a):
    response = api(admin_user).post(
        "/api/v1/insertion-orders",
        {
            "client_id": client_a.pk,
            "name": "Everything",
            "start_date": "2025-11-01",
            "end_date": "2025-11-30",
            "contracted_impressions": 1000,
            "contracted_budget": None,
            "campaign_ids": None,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["campaign_ids"] == []
