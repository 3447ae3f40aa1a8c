"""Writing insertion orders: refusals say why and write nothing; writes are audited."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditLog
from campaigns.tests.factories import CampaignFactory
from pacing.models import InsertionOrder
from pacing.services import (
    insertion_order_create,
    insertion_order_delete,
    insertion_order_update,
)
from pacing.tests.factories import nov

pytestmark = pytest.mark.django_db


@pytest.fixture
def spring(client_a):
    return CampaignFactory(client=client_a, name="Spring CTV")


@pytest.fixture
def autumn(client_a):
    return CampaignFactory(client=client_a, name="Autumn")


def create(client, by, **overrides):
    fields = {
        "name": "November",
        "start_date": nov(1),
        "end_date": nov(30),
        "contracted_impressions": 300_000,
        **overrides,
    }
    return insertion_order_create(client=client, by=by, **fields)


def refused(client, by, **overrides):
    orders, entries = InsertionOrder.objects.count(), AuditLog.objects.count()
    with pytest.raises(ValidationError) as error:
        create(client, by, **overrides)
    assert InsertionOrder.objects.count() == orders
    assert AuditLog.objects.count() == entries
    return error.value.message_dict


def test_create_writes_the_order_and_an_audit_entry(client_a, admin_user, spring):
    order = create(client_a, admin_user, campaign_ids=[spring.pk], contracted_budget=Decimal("10"))
    assert list(order.campaigns.all()) == [spring]
    entry = AuditLog.objects.get(entity_type="pacing.InsertionOrder")
    assert entry.action == "create"
    assert entry.username == "agency-admin"
    assert entry.new_values == {
        "client": client_a.pk,
        "name": "November",
        "sources": [],
        "campaign_name_pattern": "",
        "start_date": "2025-11-01",
        "end_date": "2025-11-30",
        "contracted_impressions": 300_000,
        "contracted_budget": "10",
        "delivery_shape": "even",
        "campaign_ids": [spring.pk],
    }


def test_end_before_start_is_refused(client_a, admin_user):
    assert refused(client_a, admin_user, end_date=dt.date(2025, 10, 31)) == {
        "end_date": ["The flight ends (2025-10-31) before it starts (2025-11-01)."]
    }


def test_a_one_day_flight_is_fine(client_a, admin_user):
    assert create(client_a, admin_user, end_date=nov(1)).flight_days == 1


@pytest.mark.parametrize("impressions", [0, -5])
def test_zero_or_negative_impressions_are_refused(client_a, admin_user, impressions):
    assert refused(client_a, admin_user, contracted_impressions=impressions) == {
        "contracted_impressions": [
            f"Contracted impressions must be greater than zero, not {impressions}."
        ]
    }


@pytest.mark.parametrize("budget", ["0", "-10.50"])
def test_zero_or_negative_budget_is_refused(client_a, admin_user, budget):
    assert refused(client_a, admin_user, contracted_budget=Decimal(budget)) == {
        "contracted_budget": [f"A contracted budget must be greater than zero, not {budget}."]
    }


def test_neither_impressions_nor_budget_is_refused(client_a, admin_user):
    assert refused(client_a, admin_user, contracted_impressions=None) == {
        "contracted_impressions": ["Give contracted impressions, a contracted budget, or both."]
    }


def test_another_clients_campaign_is_refused_without_naming_it(client_a, client_b, admin_user):
    theirs = CampaignFactory(client=client_b, name="Borealis secret")
    ours = CampaignFactory(client=client_a)
    assert refused(client_a, admin_user, campaign_ids=[ours.pk, theirs.pk]) == {
        "campaign_ids": [f"Not campaigns of Acme Foods: {theirs.pk}."]
    }


def test_a_campaign_outside_the_orders_sources_is_refused(client_a, admin_user, spring):
    assert refused(client_a, admin_user, campaign_ids=[spring.pk], sources=["vibe"]) == {
        "campaign_ids": ["Not from the order's sources (vibe): Spring CTV."]
    }


def test_overlapping_orders_over_the_same_campaign_are_refused(
    client_a, admin_user, spring, autumn
):
    create(client_a, admin_user, campaign_ids=[spring.pk, autumn.pk])
    assert refused(
        client_a,
        admin_user,
        name="Late",
        start_date=nov(30),
        end_date=dt.date(2025, 12, 31),
        campaign_ids=[autumn.pk],
    ) == {
        "campaign_ids": [
            "This order overlaps 'November' (2025-11-01 to 2025-11-30) over the same campaigns. "
            "Change the dates or the campaigns so each campaign has one order at a time."
        ]
    }


def test_a_pattern_overlaps_the_campaigns_it_matches(client_a, admin_user, spring, autumn):
    create(client_a, admin_user, campaign_ids=[spring.pk])
    assert "campaign_ids" in refused(
        client_a, admin_user, name="Second", campaign_name_pattern="spring"
    )
    create(client_a, admin_user, name="Autumn order", campaign_name_pattern="autumn")


def test_whole_client_orders_overlap_even_before_any_campaign(client_a, admin_user):
    create(client_a, admin_user)
    assert refused(client_a, admin_user, name="Mid", start_date=nov(15), end_date=nov(20)) == {
        "campaign_ids": [
            "This order overlaps 'November' (2025-11-01 to 2025-11-30) over the same campaigns. "
            "Change the dates or the campaigns so each campaign has one order at a time."
        ]
    }
    assert "campaign_ids" in refused(client_a, admin_user, name="CTV", campaign_name_pattern="ctv")


def test_orders_that_do_not_meet_are_accepted(client_a, client_b, admin_user, spring, autumn):
    create(client_a, admin_user, campaign_ids=[spring.pk])
    create(client_a, admin_user, name="Other campaign", campaign_ids=[autumn.pk])
    create(
        client_a,
        admin_user,
        name="December",
        start_date=dt.date(2025, 12, 1),
        end_date=dt.date(2025, 12, 31),
        campaign_ids=[spring.pk],
    )
    create(client_b, admin_user, name="Whole other client")
    create(client_a, admin_user, name="Vibe only", sources=["vibe"], campaign_name_pattern="x")
    assert InsertionOrder.objects.count() == 5


def test_update_refused_writes_nothing(client_a, admin_user, spring, autumn):
    first = create(client_a, admin_user, campaign_ids=[spring.pk])
    second = create(client_a, admin_user, name="Second", campaign_ids=[autumn.pk])
    entries = AuditLog.objects.count()
    with pytest.raises(ValidationError):
        insertion_order_update(order=second, by=admin_user, campaign_ids=[spring.pk])
    with pytest.raises(ValidationError):
        insertion_order_update(order=second, by=admin_user, contracted_impressions=0)
    second.refresh_from_db()
    assert list(second.campaigns.all()) == [autumn]
    assert second.contracted_impressions == 300_000
    assert AuditLog.objects.count() == entries
    insertion_order_update(order=first, by=admin_user, end_date=nov(20))
    entry = AuditLog.objects.latest("id")
    assert (entry.action, entry.old_values, entry.new_values) == (
        "update",
        {"end_date": "2025-11-30"},
        {"end_date": "2025-11-20"},
    )


def test_delete_is_audited(client_a, admin_user):
    order = create(client_a, admin_user)
    insertion_order_delete(order=order, by=admin_user)
    assert not InsertionOrder.objects.exists()
    assert AuditLog.objects.latest("id").action == "delete"


def test_a_second_order_of_the_same_name_is_refused(client_a, client_b, admin_user):
    create(client_a, admin_user, sources=["vibe"])
    assert refused(client_a, admin_user, sources=["surfside"]) == {
        "name": ["Acme Foods already has an order named 'November'."]
    }
    create(client_b, admin_user)


def test_absurd_impressions_are_refused(client_a, admin_user):
    assert refused(client_a, admin_user, contracted_impressions=10**19) == {
        "contracted_impressions": ["Contracted impressions can be at most 1,000,000,000,000,000."]
    }
