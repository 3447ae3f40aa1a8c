"""``manage.py pacing_demo``: insertion orders over the demo's delivery (after ``manage.py
demo``), sized from what was delivered so the dashboard opens on one order under pace, one on
track and one finished. Safe to run again: existing orders of the same name are re-sized."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from campaigns.models import Campaign, Source
from clients.models import Client
from pacing.models import InsertionOrder
from pacing.selectors import pacing_of
from pacing.services import insertion_order_create, insertion_order_update

PROVISIONAL = 1_000_000


class Command(BaseCommand):
    help = "Create demo insertion orders sized from the demo data (run after manage.py demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        acme = Client.objects.filter(slug="acme-foods").first()
        borealis = Client.objects.filter(slug="borealis-travel").first()
        if acme is None or borealis is None:
            raise CommandError("Run manage.py demo first: its clients are not there.")
        today = timezone.localdate()
        day = dt.timedelta(days=1)
        acme_surfside = list(Campaign.objects.filter(client=acme, source=Source.SURFSIDE))
        self._order(
            acme,
            admin,
            "Acme always-on, last flight",
            today - 50 * day,
            today - 25 * day,
            campaigns=acme_surfside,
            pace=Fraction(103, 100),
        )
        self._order(
            acme,
            admin,
            "Acme always-on, this flight",
            today - 24 * day,
            today + 6 * day,
            campaigns=acme_surfside,
            pace=Fraction(81, 100),
        )
        self._order(
            borealis,
            admin,
            "Borealis Winter Escapes social",
            today - 27 * day,
            today + 14 * day,
            campaigns=list(Campaign.objects.filter(client=borealis, name="Winter Escapes")),
            pace=Fraction(1),
            shape="weekdays_heavier",
        )
        self._order(
            borealis,
            admin,
            "Borealis CTV, budget",
            today - 20 * day,
            today + 10 * day,
            sources=[Source.VIBE],
            pace=Fraction(104, 100),
            budget=True,
        )

    def _order(
        self,
        client: Client,
        admin: User | None,
        name: str,
        start: dt.date,
        end: dt.date,
        *,
        pace: Fraction,
        campaigns: list[Campaign] | None = None,
        sources: list[str] | None = None,
        shape: str = "even",
        budget: bool = False,
    ) -> None:
        amount = {"contracted_budget": Decimal(PROVISIONAL)} if budget else {}
        impressions = None if budget else PROVISIONAL
        fields: dict[str, Any] = {
            "start_date": start,
            "end_date": end,
            "delivery_shape": shape,
            "sources": sources or [],
            "contracted_impressions": impressions,
            "contracted_budget": None,
            **amount,
        }
        ids = [campaign.pk for campaign in campaigns or []]
        order = InsertionOrder.objects.filter(client=client, name=name).first()
        if order is None:
            order = insertion_order_create(
                client=client, name=name, by=admin, campaign_ids=ids, **fields
            )
        else:
            insertion_order_update(order=order, by=admin, campaign_ids=ids, **fields)
        pacing = pacing_of([order])[order.pk]
        measure = pacing.spend if budget else pacing.impressions
        if not measure.delivered or measure.expected is None or not measure.expected:
            self.stdout.write(f"{name}: no delivery in its flight yet; left at {PROVISIONAL:,}")
            return
        # expected = contracted x share, so the pace wanted needs delivered / (share x pace).
        share = measure.expected / PROVISIONAL
        contracted = measure.delivered / (share * pace)
        if budget:
            value = (Decimal(contracted.numerator) / Decimal(contracted.denominator)).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
            insertion_order_update(order=order, by=admin, contracted_budget=value)
        else:
            insertion_order_update(order=order, by=admin, contracted_impressions=round(contracted))
        found = pacing_of([order])[order.pk]
        self.stdout.write(f"{name}: {found.status} at {found.pace_percent} % (as of {found.as_of})")
