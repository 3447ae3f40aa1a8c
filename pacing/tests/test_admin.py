"""Insertion orders in the admin and in import/export: every write through the services."""

from decimal import Decimal

import pytest
from django.test import Client as BrowserClient
from import_export.formats.base_formats import CSV

from accounts.models import AuditLog
from campaigns.tests.factories import CampaignFactory
from pacing.models import InsertionOrder
from pacing.resources import InsertionOrderResource
from pacing.tests.factories import InsertionOrderFactory, delivered, span

pytestmark = pytest.mark.django_db

HEADER = (
    "client,name,sources,campaigns,campaign_name_pattern,start_date,end_date,"
    "contracted_impressions,contracted_budget,delivery_shape\n"
)


@pytest.fixture
def browser(admin_user):
    browser = BrowserClient()
    browser.force_login(admin_user)
    return browser


def form(client, **overrides):
    return {
        "client": client.pk,
        "name": "November",
        "campaign_name_pattern": "",
        "start_date": "2025-11-01",
        "end_date": "2025-11-30",
        "contracted_impressions": "300000",
        "contracted_budget": "",
        "delivery_shape": "even",
        **overrides,
    }


def test_the_admin_adds_an_order_through_the_service(browser, client_a, admin_user):
    spring = CampaignFactory(client=client_a, name="Spring")
    response = browser.post(
        "/admin/pacing/insertionorder/add/",
        form(client_a, campaigns=[spring.pk], sources=["surfside"]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    order = InsertionOrder.objects.get()
    assert (list(order.campaigns.all()), order.sources, order.created_by) == (
        [spring],
        ["surfside"],
        admin_user,
    )
    assert AuditLog.objects.filter(entity_type="pacing.InsertionOrder", action="create").exists()


def test_the_admin_form_shows_the_services_refusals(browser, client_a, client_b):
    theirs = CampaignFactory(client=client_b, name="Theirs")
    response = browser.post(
        "/admin/pacing/insertionorder/add/",
        form(
            client_a,
            end_date="2025-10-01",
            contracted_impressions="",
            campaigns=[theirs.pk],
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The flight ends (2025-10-01) before it starts (2025-11-01)." in html
    assert "Give contracted impressions, a contracted budget, or both." in html
    assert f"Not campaigns of Acme Foods: {theirs.pk}." in html
    assert not InsertionOrder.objects.exists()


def test_the_admin_changes_and_lists_with_pacing(browser, client_a):
    spring = CampaignFactory(client=client_a, name="Spring")
    order = InsertionOrderFactory(client=client_a, name="November")
    order.campaigns.set([spring])
    delivered(spring, span(1, 10, 8_000))
    listing = browser.get("/admin/pacing/insertionorder/").content.decode()
    assert "under (2025-11-10)" in listing
    assert "80.00 %" in listing
    response = browser.post(
        f"/admin/pacing/insertionorder/{order.pk}/change/",
        form(client_a, campaigns=[spring.pk], end_date="2025-12-10"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    order.refresh_from_db()
    assert str(order.end_date) == "2025-12-10"
    assert AuditLog.objects.get(action="update").new_values == {"end_date": "2025-12-10"}


def test_import_creates_through_the_service_and_reports_refusals(admin_user, client_a):
    CampaignFactory(client=client_a, name="Spring CTV")
    rows = CSV().create_dataset(
        HEADER
        + "acme,November,surfside,surfside:Spring CTV,,2025-11-01,2025-11-30,300000,,even\n"
        + "acme,Bad,,,,2025-11-30,2025-11-01,0,,even\n"
        + "nobody,Lost,,,,2025-11-01,2025-11-30,1,,even\n"
        + "acme,Typo,,surfside:Sprung,,2025-12-01,2025-12-30,1,,even\n"
    )
    result = InsertionOrderResource().import_data(rows, user=admin_user, dry_run=True)
    errors = {row.number: row.error.message_dict for row in result.invalid_rows}
    assert errors == {
        2: {
            "end_date": ["The flight ends (2025-11-01) before it starts (2025-11-30)."],
            "contracted_impressions": ["Contracted impressions must be greater than zero, not 0."],
        },
        3: {"client": ["No client has the slug 'nobody'. Import the client first."]},
        4: {
            "campaigns": [
                "Acme Foods has no campaign surfside:Sprung (write each as source:name, "
                "e.g. surfside:Spring CTV)."
            ]
        },
    }
    assert not InsertionOrder.objects.exists()
    good = CSV().create_dataset(
        HEADER + "acme,November,surfside,surfside:Spring CTV,,2025-11-01,2025-11-30,,4500.00,"
        "weekdays_heavier\n"
    )
    result = InsertionOrderResource().import_data(good, user=admin_user)
    assert not result.has_errors() and not result.has_validation_errors()
    order = InsertionOrder.objects.get()
    assert (order.contracted_budget, order.delivery_shape, order.created_by) == (
        Decimal("4500.00"),
        "weekdays_heavier",
        admin_user,
    )
    assert [c.name for c in order.campaigns.all()] == ["Spring CTV"]


def test_an_export_imports_back_unchanged(admin_user, client_a):
    spring = CampaignFactory(client=client_a, name="Spring CTV")
    order = InsertionOrderFactory(client=client_a, name="November", sources=["surfside"])
    order.campaigns.set([spring])
    exported = InsertionOrderResource().export()
    assert exported.csv.splitlines()[1] == (
        "acme,November,surfside,surfside:Spring CTV,,2025-11-01,2025-11-30,300000,,even"
    )
    entries = AuditLog.objects.count()
    result = InsertionOrderResource().import_data(
        CSV().create_dataset(exported.csv), user=admin_user
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert InsertionOrder.objects.count() == 1
    assert AuditLog.objects.count() == entries
