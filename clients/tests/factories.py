import datetime as dt
from decimal import Decimal

import factory

from clients.models import Client, CpmRate


class ClientFactory(factory.django.DjangoModelFactory):
    """A client with a CPM rate from 2020-01-01: 15.00 unless ``cpm=`` says otherwise
    (``cpm=False`` for a client without any rate)."""

    class Meta:
        model = Client
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Client {n}")
    slug = factory.Sequence(lambda n: f"client-{n}")

    @factory.post_generation
    def cpm(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        CpmRate.objects.create(
            client=obj,
            cpm=Decimal(extracted) if extracted is not None else Decimal("15.00"),
            effective_date=kwargs.get("effective_date", dt.date(2020, 1, 1)),
        )


class CpmRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CpmRate

    client = factory.SubFactory(ClientFactory)
    cpm = Decimal("15.00")
    effective_date = dt.date(2024, 1, 1)
