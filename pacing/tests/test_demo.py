"""``manage.py pacing_demo`` sizes its orders so the dashboard shows each pacing status."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from clients.tests.factories import ClientFactory
from pacing.models import InsertionOrder
from pacing.selectors import pacing_of
from pacing.tests.factories import delivered

pytestmark = pytest.mark.django_db


def test_the_demo_orders_are_under_on_track_and_finished(admin_user):
    acme = ClientFactory(slug="acme-foods", name="Acme Foods")
    borealis = ClientFactory(slug="borealis-travel", name="Borealis Travel")
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in range(60, 0, -1)]
    delivered(CampaignFactory(client=acme, name="Acme Foods always-on"), dict.fromkeys(days, 9_000))
    delivered(
        CampaignFactory(client=borealis, name="Winter Escapes", source="facebook"),
        {day: 1_000 + 100 * (day.toordinal() % 5) for day in days},
    )
    delivered(CampaignFactory(client=borealis, name="CTV", source="vibe"), dict.fromkeys(days, 500))
    call_command("pacing_demo")
    call_command("pacing_demo")  # again: re-sized, not duplicated
    orders = InsertionOrder.objects.order_by("name")
    found = pacing_of(orders)
    assert {order.name: found[order.pk].status for order in orders} == {
        "Acme always-on, last flight": "finished",
        "Acme always-on, this flight": "under",
        "Borealis CTV, budget": "on_track",
        "Borealis Winter Escapes social": "on_track",
    }
    assert {order.name: str(found[order.pk].pace_percent) for order in orders} == {
        "Acme always-on, last flight": "103.00",
        "Acme always-on, this flight": "81.00",
        "Borealis CTV, budget": "104.00",
        "Borealis Winter Escapes social": "100.00",
    }
