"""``GET /api/v1/annotations``: scoped to the caller's clients, internal notes for admins only,
the one range rule of the API."""

import pytest

from annotations.tests.factories import annotate_two_tenants

pytestmark = pytest.mark.django_db

NOVEMBER = "start_date=2025-11-01&end_date=2025-11-05"


@pytest.fixture
def tenants(two_tenants):
    annotate_two_tenants(two_tenants)
    return two_tenants


def rows(response):
    assert response.status_code == 200, response.content
    return [
        (row["client_id"], row["kind"], row["start_date"], row["end_date"], row["text"])
        for row in response.json()["annotations"]
    ]


def test_a_client_user_gets_their_clients_annotations_without_internal_ones(api, tenants, user_a):
    acme = tenants.client_a.pk
    response = api(user_a).get(f"/api/v1/annotations?{NOVEMBER}")
    assert rows(response) == [
        (acme, "manual", "2025-11-01", "2025-11-03", "Holiday creatives live"),
        (acme, "cpm_change", "2025-11-02", "2025-11-02", "CPM $15.00 -> $20.00"),
        (acme, "flight_start", "2025-11-03", "2025-11-03", "Flight start: November"),
        (acme, "missing_file", "2025-11-04", "2025-11-04", "Surfside file missing"),
    ]
    first = response.json()["annotations"][0]
    assert (first["automatic"], first["visibility"]) == (False, "client")
    assert response.json()["annotations"][1]["annotation_id"] is None
    assert "Margin review" not in response.content.decode()


def test_an_admin_gets_internal_notes_and_narrows_by_client(api, tenants, admin_user):
    borealis = tenants.client_b.pk
    listed = rows(api(admin_user).get(f"/api/v1/annotations?{NOVEMBER}&client_id={borealis}"))
    assert {row[0] for row in listed} == {borealis}
    assert (borealis, "manual", "2025-11-04", "2025-11-04", "Margin review") in listed
    everyone = rows(api(admin_user).get(f"/api/v1/annotations?{NOVEMBER}"))
    assert len(everyone) == 5 + 7


def test_another_clients_id_is_a_404_that_says_nothing(api, tenants, user_b):
    response = api(user_b).get(f"/api/v1/annotations?{NOVEMBER}&client_id={tenants.client_a.pk}")
    assert response.status_code == 404
    assert "Acme" not in response.content.decode()
    # Their own list holds the same texts, on their own days only.
    assert {row[0] for row in rows(api(user_b).get(f"/api/v1/annotations?{NOVEMBER}"))} == {
        tenants.client_b.pk
    }


def test_a_backwards_range_is_a_400_with_what_to_change(api, tenants, user_a):
    response = api(user_a).get("/api/v1/annotations?start_date=2025-11-05&end_date=2025-11-01")
    assert response.status_code == 400
    assert "choose a start on or before the end" in response.content.decode()
    response = api(user_a).get("/api/v1/annotations?start_date=2025-11-01&colour=red")
    assert response.status_code == 400
    assert "Unknown field." in response.content.decode()


def test_anonymous_gets_401(api):
    assert api(None).get(f"/api/v1/annotations?{NOVEMBER}").status_code == 401
