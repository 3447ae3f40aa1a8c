import datetime as dt

import pytest

from annotations.models import Annotation
from annotations.selectors import annotations_in_range
from clients.models import Client
from devtools.demo_annotations import demo_annotations

pytestmark = pytest.mark.django_db


def test_the_demo_writes_a_client_visible_and_an_internal_note_once(client_a, admin_user):
    today = dt.date(2025, 11, 20)
    assert len(demo_annotations(client_a, admin_user, today)) == 2
    assert demo_annotations(client_a, admin_user, today) == []
    assert Annotation.objects.count() == 2
    seen = annotations_in_range(
        clients=Client.objects.filter(pk=client_a.pk),
        start=dt.date(2025, 11, 1),
        end=dt.date(2025, 11, 19),
        internal=False,
    )
    assert [(entry.start_date, entry.end_date, entry.text) for entry in seen] == [
        (
            dt.date(2025, 11, 8),
            dt.date(2025, 11, 12),
            "Holiday creative refresh live on every placement",
        )
    ]
