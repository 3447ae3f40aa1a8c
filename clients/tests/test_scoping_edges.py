"""The scoping functions themselves (clients/scoping.py), at their edges: who sees which client,
and what a ``client_id`` from a query string may look like."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import Role, User
from campaigns.models import Campaign
from campaigns.tests.factories import CampaignFactory
from clients.models import Client, ClientStatus
from clients.scoping import (
    NOT_FOUND_MESSAGE,
    clients_in_scope,
    get_client_or_404,
    get_scoped_or_404,
    scope_queryset,
    visible_clients,
)

pytestmark = pytest.mark.django_db


def slugs(clients):
    return sorted(client.slug for client in clients)


def test_a_client_user_sees_only_their_active_client(user_a, client_a, client_b):
    assert slugs(visible_clients(user_a)) == ["acme"]


def test_an_admin_sees_every_client_disabled_ones_too(admin_user, client_a, client_b):
    Client.objects.filter(pk=client_b.pk).update(status=ClientStatus.DISABLED)
    assert slugs(visible_clients(admin_user)) == ["acme", "borealis"]


def test_a_disabled_client_is_invisible_to_its_users(user_a, client_a, client_b):
    Client.objects.filter(pk=client_a.pk).update(status=ClientStatus.DISABLED)
    user_a.refresh_from_db()
    assert slugs(visible_clients(user_a)) == []


@pytest.mark.parametrize("who", ["none", "anonymous", "inactive client user", "inactive admin"])
def test_nobody_and_inactive_users_see_nothing(who, user_a, admin_user, client_b):
    user = {
        "none": None,
        "anonymous": AnonymousUser(),
        "inactive client user": user_a,
        "inactive admin": admin_user,
    }[who]
    if isinstance(user, User):
        user.is_active = False
    assert slugs(visible_clients(user)) == []
    assert slugs(clients_in_scope(user)) == []
    assert scope_queryset(Campaign.objects.all(), user, "client").count() == 0


def test_a_client_user_without_a_client_sees_nothing(client_a, client_b):
    orphan = User(username="orphan", role=Role.CLIENT, client=None, is_active=True)
    assert slugs(visible_clients(orphan)) == []


@pytest.mark.parametrize("client_id", [None, ""])
def test_no_client_id_means_every_visible_client(admin_user, client_a, client_b, client_id):
    assert slugs(clients_in_scope(admin_user, client_id)) == ["acme", "borealis"]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{pk}", ["borealis"]),
        ("0{pk}", ["borealis"]),  # the same number
        (" {pk}", ["borealis"]),  # int() ignores surrounding spaces
        ("{pk} ", ["borealis"]),
        ("{pk}.9", None),
        ("{pk}.0", None),
        ("1.9", None),
        ("-{pk}", None),
        ("abc", None),
        ("{pk}abc", None),
        ("0", None),
        ("99999999999999999999999", None),
        ("[{pk}]", None),
    ],
)
def test_client_id_values(admin_user, client_a, client_b, template, expected):
    value = template.format(pk=client_b.pk)
    if expected is None:
        with pytest.raises(Http404) as error:
            list(clients_in_scope(admin_user, value))
        assert str(error.value) == NOT_FOUND_MESSAGE
    else:
        assert slugs(clients_in_scope(admin_user, value)) == expected


def test_an_integer_client_id_works_like_its_text(admin_user, client_a, client_b):
    assert slugs(clients_in_scope(admin_user, client_b.pk)) == ["borealis"]


def test_a_client_user_naming_another_client_gets_404(user_a, client_a, client_b):
    assert slugs(clients_in_scope(user_a, str(client_a.pk))) == ["acme"]
    with pytest.raises(Http404):
        clients_in_scope(user_a, str(client_b.pk))


def test_a_disabled_client_named_by_its_own_user_is_404(user_a, client_a):
    Client.objects.filter(pk=client_a.pk).update(status=ClientStatus.DISABLED)
    with pytest.raises(Http404):
        clients_in_scope(user_a, str(client_a.pk))


def test_scope_queryset_keeps_only_visible_clients_rows(user_a, admin_user, client_a, client_b):
    CampaignFactory(client=client_a, name="Same")
    CampaignFactory(client=client_b, name="Same")
    mine = scope_queryset(Campaign.objects.all(), user_a, "client")
    assert list(mine.values_list("client__slug", flat=True)) == ["acme"]
    assert scope_queryset(Campaign.objects.all(), admin_user, "client").count() == 2


@pytest.mark.parametrize("lookup", ["own", "other", "missing", "malformed", "none", "mapping"])
def test_get_scoped_or_404_is_404_alike(user_a, client_a, client_b, lookup):
    own = CampaignFactory(client=client_a, name="Same")
    other = CampaignFactory(client=client_b, name="Same")
    pk = {"own": own.pk, "other": other.pk, "missing": 10**9, "malformed": "x1", "none": None}
    pk["mapping"] = {"pk": own.pk}  # a lookup value of the wrong type: TypeError inside
    if lookup == "own":
        assert get_scoped_or_404(Campaign.objects.all(), user_a, "client", pk=pk[lookup]) == own
        return
    with pytest.raises(Http404) as error:
        get_scoped_or_404(Campaign.objects.all(), user_a, "client", pk=pk[lookup])
    assert str(error.value) == NOT_FOUND_MESSAGE


def test_get_scoped_or_404_through_a_many_valued_path_returns_one_object(admin_user, client_a):
    campaign = CampaignFactory(client=client_a)
    campaign.strategies.create(name="One")
    campaign.strategies.create(name="Two")
    found = get_scoped_or_404(
        Campaign.objects.filter(strategies__name__in=["One", "Two"]),
        admin_user,
        "client",
        pk=campaign.pk,
    )
    assert found == campaign


@pytest.mark.parametrize("value", ["{a}", "{b}", "x", "", None])
def test_get_client_or_404(user_a, client_a, client_b, value):
    client_id = value.format(a=client_a.pk, b=client_b.pk) if value else value
    if client_id == str(client_a.pk):
        assert get_client_or_404(user_a, client_id) == client_a
        return
    with pytest.raises(Http404):
        get_client_or_404(user_a, client_id)
