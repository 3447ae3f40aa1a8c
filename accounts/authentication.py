"""The API's JWT authentication: simplejwt's, plus the product's rules in ``accounts.tokens``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

from accounts.models import User
from accounts.tokens import token_is_current


class JWTAuthentication(authentication.JWTAuthentication):
    """Refuses tokens whose user was disabled, changed password or had tokens revoked since."""

    def get_user(self, validated_token: Token) -> Any:
        user = super().get_user(validated_token)
        if not isinstance(user, User) or not token_is_current(validated_token, user):
            raise AuthenticationFailed("This token is no longer valid. Log in again.")
        return user


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI description of ``JWTAuthentication``: simplejwt's bearer scheme, unchanged."""

    target_class = "accounts.authentication.JWTAuthentication"
