"""Every kind of annotation, with its exact text, for two tenants that share names and dates."""

import datetime as dt
from decimal import Decimal

import pytest

from annotations.selectors import annotations_in_range
from annotations.tests.factories import annotate_two_tenants, nov
from clients.models import Client, CpmRate

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenants(two_tenants):
    annotate_two_tenants(two_tenants)
    return two_tenants


NOV_1, NOV_5 = nov(1), nov(5)


def listed(client, *, internal=False, source=None, start=NOV_1, end=NOV_5):
    entries = annotations_in_range(
        clients=Client.objects.filter(pk=client.pk),
        start=start,
        end=end,
        internal=internal,
        source=source,
    )
    return [(entry.kind, entry.start_date, entry.end_date, entry.text) for entry in entries]


def test_acme_sees_its_cpm_change_missing_file_flight_start_and_visible_note(tenants):
    assert listed(tenants.client_a) == [
        ("manual", nov(1), nov(3), "Holiday creatives live"),
        ("cpm_change", nov(2), nov(2), "CPM $15.00 -> $20.00"),
        ("flight_start", nov(3), nov(3), "Flight start: November"),
        # Nov 5's missing file was loaded by a later run: nothing to explain.
        ("missing_file", nov(4), nov(4), "Surfside file missing"),
    ]


def test_borealis_sees_only_its_own_with_the_same_names(tenants):
    assert listed(tenants.client_b) == [
        ("flight_start", nov(1), nov(1), "Flight start: November"),
        ("missing_file", nov(2), nov(2), "Vibe file missing"),
        ("manual", nov(2), nov(2), "Holiday creatives live"),
        ("cpm_change", nov(3), nov(3), "CPM $40.00 -> $50.00"),
        ("missing_file", nov(4), nov(4), "Surfside file missing"),
        ("flight_end", nov(4), nov(4), "Flight end: November"),
    ]


def test_internal_notes_are_listed_only_when_asked_for_an_admin(tenants):
    assert ("manual", nov(2), nov(2), "Margin review") in listed(tenants.client_a, internal=True)
    assert ("manual", nov(2), nov(2), "Margin review") not in listed(tenants.client_a)


def test_a_range_takes_what_touches_it_and_a_source_narrows_the_missing_files(tenants):
    # Nov 3 - 4: the note of Nov 1 - 3 still touches it; the CPM change of Nov 2 does not.
    assert listed(tenants.client_a, start=nov(3), end=nov(4)) == [
        ("manual", nov(1), nov(3), "Holiday creatives live"),
        ("flight_start", nov(3), nov(3), "Flight start: November"),
        ("missing_file", nov(4), nov(4), "Surfside file missing"),
    ]
    assert [kind for kind, *_ in listed(tenants.client_b, source="vibe")] == [
        "flight_start",
        "missing_file",
        "manual",
        "cpm_change",
        "flight_end",
    ]


def test_a_first_rate_and_a_rate_set_again_at_the_same_price_are_not_changes(tenants):
    CpmRate.objects.create(client=tenants.client_a, cpm=Decimal("20.00"), effective_date=nov(5))
    CpmRate.objects.create(client=tenants.client_a, cpm=Decimal("12.3456"), effective_date=nov(6))
    # Borealis's rate from Jan 1 (15.00 -> 40.00) is outside the range.
    assert [
        text for kind, _, _, text in listed(tenants.client_a, end=nov(6)) if kind == "cpm_change"
    ] == [
        "CPM $15.00 -> $20.00",
        "CPM $20.00 -> $12.3456",
    ]
    assert listed(tenants.client_b, start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 1)) == [
        ("cpm_change", dt.date(2025, 1, 1), dt.date(2025, 1, 1), "CPM $15.00 -> $40.00")
    ]


def test_a_restated_week_is_marked_over_its_days_with_the_line_a_summary_shows(two_tenants):
    from django.utils import timezone

    from metrics.models import PeriodKind, Restatement

    at = timezone.make_aware(dt.datetime(2025, 12, 3, 12))
    for client, before, after in (
        (two_tenants.client_a, "4175.94", "4677.05"),
        (two_tenants.client_b, "100.00", "90.00"),
    ):
        Restatement.objects.create(
            client=client,
            source="surfside",
            period_type=PeriodKind.WEEK,
            period_start=nov(3),
            period_end=nov(9),
            measure="spend",
            before=Decimal(before),
            after=Decimal(after),
            reason="CPM from $12.50 to $14.00 from Nov 1",
            at=at,
        )
    restated = [row for row in listed(two_tenants.client_a, end=nov(4)) if row[0] == "restatement"]
    assert restated == [
        (
            "restatement",
            nov(3),
            nov(9),
            "Restated Dec 3: CPM from $12.50 to $14.00 from Nov 1; spend +$501.11",
        )
    ]
