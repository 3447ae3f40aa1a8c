import datetime as dt

import factory

from annotations.models import Annotation, Visibility
from ingestion.models import IngestionRun
from ingestion.models.runs import RunStatus
from pacing.tests.factories import InsertionOrderFactory


class AnnotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotation

    start_date = dt.date(2025, 11, 2)
    text = "Holiday creatives live"
    visibility = Visibility.CLIENT


def nov(day: int) -> dt.date:
    return dt.date(2025, 11, day)


def annotate_two_tenants(tenants) -> None:
    """On top of ``two_tenants`` (Acme's CPM 15.00 -> 20.00 on Nov 2, Borealis's 40.00 -> 50.00
    on Nov 3): runs that found no file, an order named "November" for each, and notes that share
    their text across the tenants.

        Acme      manual Nov 1-3 "Holiday creatives live" (client), Nov 2 "Margin review"
                  (internal); Surfside file missing Nov 4; Nov 5 missing, then loaded by a later
                  run; order "November" Nov 3 - Nov 30
        Borealis  manual Nov 2 "Holiday creatives live" (client), Nov 4 "Margin review"
                  (internal); Vibe file missing Nov 2; Surfside file missing Nov 4; order
                  "November" Nov 1 - Nov 4
    """
    acme, borealis = tenants.client_a, tenants.client_b
    AnnotationFactory(client=acme, start_date=nov(1), end_date=nov(3))
    AnnotationFactory(
        client=acme, start_date=nov(2), text="Margin review", visibility=Visibility.INTERNAL
    )
    AnnotationFactory(client=borealis, start_date=nov(2))
    AnnotationFactory(
        client=borealis, start_date=nov(4), text="Margin review", visibility=Visibility.INTERNAL
    )
    for client, source, day, status in (
        (acme, "surfside", nov(4), RunStatus.MISSING_FILE),
        (acme, "surfside", nov(5), RunStatus.MISSING_FILE),
        (acme, "surfside", nov(5), RunStatus.SUCCESS),
        (borealis, "vibe", nov(2), RunStatus.MISSING_FILE),
        (borealis, "surfside", nov(4), RunStatus.MISSING_FILE),
    ):
        IngestionRun.objects.create(client=client, source=source, requested_date=day, status=status)
    InsertionOrderFactory(client=acme, name="November", start_date=nov(3), end_date=nov(30))
    InsertionOrderFactory(client=borealis, name="November", start_date=nov(1), end_date=nov(4))
