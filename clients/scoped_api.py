"""Base classes for every view under ``/api/v1/``.

Each API view that reads or writes a tenant's data derives from ``ScopedAPIView`` (or
``ScopedGenericViewSet``) so that tenant scoping cannot be forgotten: querysets come from
``scoped()``, single objects from ``get_scoped_or_404()``. ``ScopedGenericViewSet`` refuses
subclasses that override ``get_queryset`` directly. The few endpoints that need no user derive
from ``core.api.views.PublicAPIView``, the three about the requesting user or the agency's own
audit log from ``AuthenticatedAPIView``; ``tests/test_api_scoping.py`` walks the URL conf and
fails on any API view outside these, and on any public or unscoped view not listed there.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.db.models import Model, QuerySet
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.viewsets import GenericViewSet

from accounts.models import User
from clients.models import Client
from clients.scoping import (
    clients_in_scope,
    get_client_or_404,
    get_scoped_or_404,
    scope_queryset,
    visible_clients,
)
from core.api.views import AuthenticatedAPIView


class ScopedAPIView(AuthenticatedAPIView):
    """Base class for every authenticated API view: gives it the requesting user's client scope.

    The client named by the URL (``client_url_kwarg``) or by ``?client_id=``, and the objects
    named by ``url_objects``, are resolved against the user's scope before permissions are
    checked: another tenant's client or object is a 404 even on admin-only endpoints, so a client
    user learns nothing about other clients from the status code.

    The scoping methods below are the only way an API view reaches a tenant's data; a subclass
    that overrides one of them is refused when it is defined (``__init_subclass__``).
    """

    SCOPING_METHODS = (
        "initial",
        "visible_clients",
        "requested_clients",
        "client_or_404",
        "scoped",
        "get_scoped_or_404",
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = [name for name in cls.SCOPING_METHODS if name in cls.__dict__]
        if overridden:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(overridden)}: tenant scoping happens in "
                "ScopedAPIView only. Use its methods instead."
            )

    permission_classes = [IsAuthenticated]
    client_url_kwarg = "client_pk"
    url_client: Client | None = None
    # URL kwargs that name a tenant's object: kwarg -> (model, path from the model to its client).
    url_objects: ClassVar[dict[str, tuple[type[Model], str]]] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.perform_authentication(request)
        self.found: dict[str, Any] = {}
        if request.user and request.user.is_authenticated:
            if self.client_url_kwarg in kwargs:
                self.url_client = get_client_or_404(self.user, kwargs[self.client_url_kwarg])
            if "client_id" in request.query_params:
                self._requested_clients = clients_in_scope(
                    self.user, request.query_params["client_id"]
                )
            for kwarg, (model, client_field) in self.url_objects.items():
                if kwarg in kwargs:
                    self.found[kwarg] = get_scoped_or_404(
                        model._default_manager.all(), self.user, client_field, pk=kwargs[kwarg]
                    )
        super().initial(request, *args, **kwargs)

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def visible_clients(self) -> QuerySet[Client]:
        return visible_clients(self.user)

    _requested_clients: QuerySet[Client] | None = None

    def requested_clients(self) -> QuerySet[Client]:
        """Visible clients, narrowed by ``?client_id=`` (404 when it is not visible)."""
        if self._requested_clients is not None:
            return self._requested_clients
        return clients_in_scope(self.user, self.request.query_params.get("client_id"))

    def client_or_404(self, client_id: object) -> Client:
        """The client named by ``client_id`` (a body field, say) if the user may see it."""
        return get_client_or_404(self.user, client_id)

    def scoped(self, queryset: QuerySet[Any], client_field: str) -> QuerySet[Any]:
        return scope_queryset(queryset, self.user, client_field)

    def get_scoped_or_404(
        self, queryset: QuerySet[Any], client_field: str, **lookup: object
    ) -> Any:
        return get_scoped_or_404(queryset, self.user, client_field, **lookup)


class ScopedGenericViewSet(ScopedAPIView, GenericViewSet):
    """Base for model viewsets: the queryset is always scoped through ``client_field``.

    Subclasses set ``client_field`` (the path from the model to its client) and ``base_queryset``
    (or override ``get_base_queryset``), never ``get_queryset``.
    """

    client_field: str
    base_queryset: QuerySet[Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("get_queryset", "get_object"):
            if name in cls.__dict__:
                raise TypeError(
                    f"{cls.__name__} overrides {name}; override get_base_queryset instead so "
                    "tenant scoping still applies."
                )

    def get_base_queryset(self) -> QuerySet[Any]:
        return self.base_queryset.all()

    def get_queryset(self) -> QuerySet[Any]:
        return self.scoped(self.get_base_queryset(), self.client_field)

    def get_object(self) -> Model:
        queryset = self.filter_queryset(self.get_queryset())
        lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        obj = get_scoped_or_404(queryset, self.user, self.client_field, **lookup)
        self.check_object_permissions(self.request, obj)
        return cast(Model, obj)
