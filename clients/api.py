"""Client management endpoints: CRUD, CPM history, users and the status toggle."""

from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role, User
from clients import services
from clients.models import CPM_DECIMAL_PLACES, CPM_MAX_DIGITS, Client, ClientStatus
from clients.scoped_api import ScopedAPIView, ScopedGenericViewSet
from clients.selectors import clients_with_current_cpm
from clients.services import client_user_create
from core.api import examples as ex
from core.api.permissions import AdminWritesOnly, IsAgencyAdmin
from core.api.serializers import StrictSerializer
from core.validators import validate_business_date


def cpm_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=CPM_MAX_DIGITS, decimal_places=CPM_DECIMAL_PLACES, **kwargs
    )


class ClientOutput(serializers.ModelSerializer):
    current_cpm = serializers.DecimalField(
        max_digits=CPM_MAX_DIGITS,
        decimal_places=CPM_DECIMAL_PLACES,
        read_only=True,
        allow_null=True,
    )

    class Meta:
        model = Client
        fields = ["id", "name", "slug", "status", "current_cpm", "created_at", "updated_at"]


class ClientCreateInput(StrictSerializer):
    name = serializers.CharField(max_length=255)
    slug = serializers.SlugField(max_length=64)
    cpm = cpm_field()
    cpm_effective_date = serializers.DateField(validators=[validate_business_date])


class ClientUpdateInput(StrictSerializer):
    name = serializers.CharField(max_length=255, required=False)
    slug = serializers.SlugField(max_length=64, required=False)


class ClientUserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "client_id",
            "is_active",
            "last_login",
        ]


class ClientUserInput(StrictSerializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
    first_name = serializers.CharField(max_length=150, required=False, default="")
    last_name = serializers.CharField(max_length=150, required=False, default="")


class StatusInput(StrictSerializer):
    status = serializers.ChoiceField(choices=ClientStatus.choices)


def _with_cpm(queryset: Any) -> Any:
    return clients_with_current_cpm(queryset, on=timezone.localdate())


@extend_schema_view(
    list=extend_schema(examples=[ex.response("Clients", ex.page(ex.CLIENT))]),
    retrieve=extend_schema(examples=[ex.response("Client", ex.CLIENT)]),
)
class ClientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedGenericViewSet,
):
    """Clients: everyone sees the clients they may see; only admins create, change and delete."""

    base_queryset = Client.objects.all()
    client_field = "pk"
    client_url_kwarg = "pk"
    serializer_class = ClientOutput
    permission_classes = [AdminWritesOnly]

    def get_base_queryset(self) -> Any:
        return _with_cpm(Client.objects.all())

    @extend_schema(
        request=ClientCreateInput,
        responses={201: ClientOutput},
        examples=[
            OpenApiExample(
                "New client",
                value={
                    "name": "Acme",
                    "slug": "acme",
                    "cpm": "15.00",
                    "cpm_effective_date": "2025-01-01",
                },
            )
        ],
    )
    def create(self, request: Request) -> Response:
        data = ClientCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = services.client_create(**data.validated_data, by=self.user)
        return Response(
            ClientOutput(_with_cpm(Client.objects.filter(pk=client.pk)).get()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=ClientUpdateInput,
        responses={200: ClientOutput},
        examples=[
            OpenApiExample("Rename", value={"name": "Acme Foods Inc."}, request_only=True),
            ex.response("Renamed", {**ex.CLIENT, "name": "Acme Foods Inc."}),
        ],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        client = cast(Client, self.get_object())
        data = ClientUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.client_update(client=client, by=self.user, **data.validated_data)
        return Response(ClientOutput(self.get_object()).data)

    @extend_schema(
        responses={204: None, 400: ex.DETAIL},
        examples=[
            ex.response(
                "Refused",
                {
                    "detail": "This client has users or loaded data. Disable it instead, so "
                    "nothing is lost."
                },
                status=400,
            )
        ],
    )
    def destroy(self, request: Request, pk: str) -> Response:
        client = cast(Client, self.get_object())
        services.client_delete(client=client, by=self.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClientUsersView(ScopedAPIView):
    """The users of a client (admins only)."""

    permission_classes = [IsAgencyAdmin]

    @extend_schema(
        responses={200: ClientUserOutput(many=True)},
        tags=["clients"],
        examples=[ex.response("Users", [ex.CLIENT_USER])],
    )
    def get(self, request: Request, client_pk: str) -> Response:
        users = User.objects.filter(client=self.url_client, role=Role.CLIENT)
        return Response(ClientUserOutput(users, many=True).data)

    @extend_schema(
        request=ClientUserInput,
        responses={201: ClientUserOutput},
        examples=[
            OpenApiExample(
                "New user",
                value={
                    "username": "ana",
                    "email": "ana@acme.example",
                    "password": "a-long-passphrase",
                },
            )
        ],
        tags=["clients"],
    )
    def post(self, request: Request, client_pk: str) -> Response:
        assert self.url_client is not None
        data = ClientUserInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = client_user_create(client=self.url_client, by=self.user, **data.validated_data)
        return Response(ClientUserOutput(user).data, status=status.HTTP_201_CREATED)


class ClientStatusView(ScopedAPIView):
    """Enable or disable a client; disabling locks its users out at once."""

    permission_classes = [IsAgencyAdmin]

    @extend_schema(
        request=StatusInput,
        responses={200: ClientOutput},
        examples=[OpenApiExample("Disable", value={"status": "disabled"})],
        tags=["admin"],
    )
    def put(self, request: Request, client_pk: str) -> Response:
        assert self.url_client is not None
        data = StatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.client_set_status(
            client=self.url_client, status=data.validated_data["status"], by=self.user
        )
        client = _with_cpm(Client.objects.filter(pk=self.url_client.pk)).get()
        return Response(ClientOutput(client).data)
