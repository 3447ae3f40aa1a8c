"""Authentication endpoints: JWT login, refresh (rotating), logout (blacklisting) and ``me``."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import login_guard
from accounts.audit import audit_record
from accounts.filters import AuditLogFilter
from accounts.models import AuditAction, AuditLog, User
from accounts.request_context import client_ip
from accounts.tokens import RefreshRefused, refresh_rotate, refresh_token_for
from core.api import examples as ex
from core.api.pagination import PageNumberPagination
from core.api.params import apply_filters, optional_date
from core.api.permissions import IsAgencyAdmin
from core.api.serializers import StrictSerializer
from core.api.views import AuthenticatedAPIView, PublicAPIView


class AccountAPIView(AuthenticatedAPIView):
    """Base of the endpoints about the requesting user: no tenant's data, so no client scope."""

    @property
    def user(self) -> User:
        return cast(User, self.request.user)


class LoginInput(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class RefreshInput(StrictSerializer):
    refresh = serializers.CharField()


TokenPair = inline_serializer(
    "TokenPair", {"access": serializers.CharField(), "refresh": serializers.CharField()}
)


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    role = serializers.CharField()
    client_id = serializers.IntegerField(allow_null=True)
    client_name = serializers.CharField(source="client.name", allow_null=True, default=None)


class LoginView(PublicAPIView):
    """Exchange a username and password for an access and a refresh token."""

    @extend_schema(
        request=LoginInput,
        responses={200: TokenPair},
        examples=[
            OpenApiExample(
                "Login", value={"username": "ana", "password": "s3cret-pass"}, request_only=True
            ),
            ex.response("Tokens", ex.TOKENS),
        ],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        ip_address = client_ip(request._request)
        wait = login_guard.begin_attempt(username, ip_address)
        if wait:
            return Response(
                {"detail": login_guard.wait_message(wait)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(wait)},
            )
        user = authenticate(
            request._request, username=username, password=data.validated_data["password"]
        )
        if user is None:
            return Response(
                {"detail": "Wrong username or password, or the account is disabled."},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        login_guard.record_success(username, ip_address)
        refresh = refresh_token_for(user)
        audit_record(actor=user, action=AuditAction.LOGIN, entity=user, new={"via": "api"})
        User.objects.filter(pk=user.pk).update(last_login=refresh.current_time)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class RefreshView(PublicAPIView):
    """Trade a refresh token for a new access token and a new refresh token (the old one dies)."""

    @extend_schema(
        request=RefreshInput,
        responses={200: TokenPair},
        tags=["auth"],
        examples=[
            OpenApiExample(
                "Refresh", value={"refresh": "eyJhbGciOiJIUzI1NiIs..."}, request_only=True
            ),
            ex.response("New tokens", ex.TOKENS),
        ],
    )
    def post(self, request: Request) -> Response:
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            tokens = refresh_rotate(data.validated_data["refresh"])
        except RefreshRefused:
            return Response(
                {"detail": "This refresh token is invalid, expired or already used. Log in again."},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        return Response(tokens)


class LogoutView(AccountAPIView):
    """Blacklist the given refresh token so it can never be used again."""

    @extend_schema(
        request=RefreshInput,
        responses={200: inline_serializer("LoggedOut", {"detail": serializers.CharField()})},
        tags=["auth"],
        examples=[
            OpenApiExample(
                "Logout", value={"refresh": "eyJhbGciOiJIUzI1NiIs..."}, request_only=True
            ),
            ex.response("Logged out", {"detail": "Logged out."}),
        ],
    )
    def post(self, request: Request) -> Response:
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = RefreshToken(data.validated_data["refresh"])
        except TokenError:
            return Response(
                {"detail": "This refresh token is invalid or already expired."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if str(token.get("user_id")) != str(self.user.pk):
            return Response(
                {"detail": "This refresh token belongs to another user."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token.blacklist()
        audit_record(actor=self.user, action=AuditAction.LOGOUT, entity=self.user)
        return Response({"detail": "Logged out."})


class MeView(AccountAPIView):
    """Who the bearer of the token is."""

    @extend_schema(responses={200: MeOutput}, tags=["auth"], examples=[ex.response("Me", ex.ME)])
    def get(self, request: Request) -> Response:
        return Response(MeOutput(self.user).data)


class AuditLogOutput(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = [
            "id",
            "created_at",
            "username",
            "action",
            "entity_type",
            "entity_id",
            "entity_label",
            "old_values",
            "new_values",
            "ip_address",
            "user_agent",
        ]


class AuditLogListView(AccountAPIView):
    """Who did what (admins only), newest first; filter by user, action, entity and date."""

    permission_classes = [IsAgencyAdmin]

    @extend_schema(
        parameters=[
            OpenApiParameter("username", str),
            OpenApiParameter("action", str, enum=AuditAction.values),
            OpenApiParameter("entity_type", str, description="e.g. clients.Client"),
            OpenApiParameter("date_from", dt.date),
            OpenApiParameter("date_to", dt.date),
        ],
        responses={200: AuditLogOutput(many=True)},
        tags=["admin"],
        examples=[ex.response("Audit log", ex.page(ex.AUDIT_ENTRY))],
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        entries = apply_filters(AuditLogFilter, params, AuditLog.objects.all())
        if first := optional_date(params, "date_from"):
            entries = entries.filter(created_at__date__gte=first)
        if last := optional_date(params, "date_to"):
            entries = entries.filter(created_at__date__lte=last)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            entries.order_by("-created_at", "-id"), request, view=self
        )
        return paginator.get_paginated_response(AuditLogOutput(page, many=True).data)
