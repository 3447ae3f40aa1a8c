"""Which JWTs still count, and the refresh-token rotation.

simplejwt checks a token's signature, expiry and blacklist; this module adds what the product
needs on top: the user must still exist and be active, the token must carry the current password
(``CHECK_REVOKE_TOKEN``'s claim, which simplejwt checks on access tokens only) and the user's
current ``token_generation`` (raised when their client is disabled, so that tokens issued before
stay dead after the client is enabled again).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.models import User

GENERATION_CLAIM = "gen"


class RefreshRefused(Exception):
    """The refresh token is invalid, expired, already used, or its user may no longer log in."""


def refresh_token_for(user: User) -> RefreshToken:
    """A new refresh token (its access token copies the claims) for ``user``."""
    token = RefreshToken.for_user(user)
    token[GENERATION_CLAIM] = user.token_generation
    return token


def token_is_current(token: Token, user: User) -> bool:
    """True when ``token`` (already verified by simplejwt) may still act for ``user``."""
    if not user.is_active:
        return False
    if token.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
        return False
    return bool(token.get(GENERATION_CLAIM, 0) == user.token_generation)


def refresh_rotate(raw_token: str) -> dict[str, Any]:
    """Trade a refresh token for a new pair; the old one is blacklisted in the same transaction.

    The outstanding-token row is locked (``SELECT ... FOR UPDATE``) before the blacklist entry
    is written, so of N concurrent refreshes of one token exactly one wins; the others wait for
    the lock, then find the token blacklisted. The blacklist's unique key is the backstop.
    """
    try:
        old = RefreshToken(raw_token)  # type: ignore[arg-type]  # the stubs miss str
    except TokenError:
        raise RefreshRefused from None
    jti = old.get(api_settings.JTI_CLAIM)
    with transaction.atomic():
        outstanding = (
            OutstandingToken.objects.select_for_update().filter(jti=jti).order_by().first()
        )
        if outstanding is None:
            raise RefreshRefused
        try:
            with transaction.atomic():
                _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
        except IntegrityError:
            created = False
        if not created:
            raise RefreshRefused
        user = User.objects.filter(pk=old.get(api_settings.USER_ID_CLAIM)).first()
        if user is None or not token_is_current(old, user):
            raise RefreshRefused
        new = refresh_token_for(user)
    return {"access": str(new.access_token), "refresh": str(new)}
