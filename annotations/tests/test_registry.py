"""The registry: a new kind of annotation is one provider function; the API's query count does
not grow with the annotations it lists."""

import pytest

from annotations.registry import PROVIDERS, AnnotationEntry, provider
from annotations.selectors import annotations_in_range
from annotations.tests.factories import AnnotationFactory, annotate_two_tenants, nov
from clients.models import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def restatements():
    """A stand-in for the restatement provider: a kind is one registered function."""
    real = PROVIDERS.pop("restatement")

    @provider("restatement")
    def restated(query):
        for client in query.clients:
            yield AnnotationEntry(
                kind="restatement",
                client_id=client.pk,
                client_name=client.name,
                start_date=nov(3),
                end_date=nov(9),
                text="Restated: spend $60.00 -> $66.00 (CPM change)",
            )

    yield restated
    PROVIDERS["restatement"] = real


def test_a_new_kind_is_one_registered_function_and_sorts_by_its_rank(two_tenants, restatements):
    annotate_two_tenants(two_tenants)
    entries = annotations_in_range(
        clients=Client.objects.filter(pk=two_tenants.client_a.pk),
        start=nov(3),
        end=nov(4),
        internal=False,
    )
    assert [(entry.kind, entry.text) for entry in entries] == [
        ("manual", "Holiday creatives live"),
        ("restatement", "Restated: spend $60.00 -> $66.00 (CPM change)"),
        ("flight_start", "Flight start: November"),
        ("missing_file", "Surfside file missing"),
    ]


def test_a_kind_has_one_provider(restatements):
    with pytest.raises(ValueError, match="already have a provider"):
        provider("restatement")(lambda query: [])


def test_the_api_answers_in_the_same_queries_for_one_note_or_many(
    api, two_tenants, user_a, django_assert_max_num_queries
):
    annotate_two_tenants(two_tenants)
    caller = api(user_a)
    url = "/api/v1/annotations?start_date=2025-11-01&end_date=2025-11-30"
    caller.get(url)  # warm up
    with django_assert_max_num_queries(8) as few:
        assert caller.get(url).status_code == 200
    for day in range(1, 29):
        AnnotationFactory(client=two_tenants.client_a, start_date=nov(day), text=f"Note {day}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = caller.get(url)
    assert len(response.json()["annotations"]) == 4 + 1 + 28  # Nov 5 - 30 adds the flight end
