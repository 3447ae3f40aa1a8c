"""Tenant scoping: the one place that decides which clients' data a user may see.

Every API view (through ``clients.scoped_api``) and every page view goes through these
functions. A client user sees only their own client, and only while it is active; an agency admin
sees every client and may narrow to one with ``client_id``. A missing object and an object of
another client give the same 404, so ids of other tenants cannot be probed.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from accounts.models import User
from clients.models import Client, ClientStatus

M = TypeVar("M", bound=Model)

NOT_FOUND_MESSAGE = "Not found."


def visible_clients(user: User | None) -> QuerySet[Client]:
    """The clients whose data ``user`` may read."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Client.objects.none()
    if user.is_admin:
        return Client.objects.all()
    if user.client_id is None:
        return Client.objects.none()
    return Client.objects.filter(pk=user.client_id, status=ClientStatus.ACTIVE)


def clients_in_scope(user: User | None, client_id: object = None) -> QuerySet[Client]:
    """The clients a request is about: all visible ones, or the one named by ``client_id``.

    A ``client_id`` that is malformed, missing or not visible to the user raises 404.
    """
    clients = visible_clients(user)
    if client_id in (None, ""):
        return clients
    try:
        pk = int(str(client_id))
    except ValueError:
        raise Http404(NOT_FOUND_MESSAGE) from None
    narrowed = clients.filter(pk=pk)
    if not narrowed.exists():
        raise Http404(NOT_FOUND_MESSAGE)
    return narrowed


def scope_queryset(queryset: QuerySet[M], user: User | None, client_field: str) -> QuerySet[M]:
    """``queryset`` restricted to rows whose ``client_field`` is a client the user may see."""
    return queryset.filter(**{f"{client_field}__in": visible_clients(user)})


def get_scoped_or_404(
    queryset: QuerySet[M], user: User | None, client_field: str, **lookup: object
) -> M:
    """One object the user may see, or 404 alike for missing, malformed and foreign lookups."""
    try:
        # distinct: a path through a many-to-many field may reach the object more than once.
        return scope_queryset(queryset, user, client_field).distinct().get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND_MESSAGE) from None


def get_client_or_404(user: User | None, client_id: object) -> Client:
    """The client named by ``client_id`` if the user may see it."""
    return get_scoped_or_404(Client.objects.all(), user, "pk", pk=client_id)
