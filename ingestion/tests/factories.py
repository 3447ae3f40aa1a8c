import datetime as dt

import factory

from campaigns.models import Source
from clients.tests.factories import ClientFactory
from ingestion.models import IngestionRun, RunStatus


class IngestionRunFactory(factory.django.DjangoModelFactory):
    """A finished successful Surfside run for one day; pass ``status``, ``source`` and dates to
    describe another (``started_at`` follows creation order)."""

    class Meta:
        model = IngestionRun

    client = factory.SubFactory(ClientFactory)
    source = Source.SURFSIDE
    status = RunStatus.SUCCESS
    requested_date = dt.date(2025, 11, 3)
    date_from = factory.LazyAttribute(
        lambda run: (
            run.requested_date if run.status in (RunStatus.SUCCESS, RunStatus.PARTIAL) else None
        )
    )
    date_to = factory.LazyAttribute(lambda run: run.date_from)
    finished_at = factory.LazyFunction(lambda: dt.datetime.now(tz=dt.UTC))
