"""Vibe API keys at rest: Fernet-encrypted, fingerprinted for the budget, masked for people.

The key itself is only ever decrypted just before a request is sent; it is never logged, audited,
rendered in the admin or returned by the API (only its last four characters are).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

MASK = "••••"


class ApiKeyUnreadable(Exception):
    """A stored key cannot be decrypted (the encryption secret changed): enter it again."""


def _fernet() -> Fernet:
    # HKDF turns any secret (VIBE_KEY_ENCRYPTION_KEY, or SECRET_KEY when it is unset) into the
    # 32 bytes Fernet needs, bound to this one purpose so the derived key is used nowhere else.
    secret = settings.VIBE_KEY_ENCRYPTION_KEY or settings.SECRET_KEY
    derived = HKDF(
        algorithm=SHA256(), length=32, salt=b"vibe-api-key", info=b"dashboard vibe api key v1"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_api_key(api_key: str) -> str:
    return _fernet().encrypt(api_key.encode()).decode()


def decrypt_api_key(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ApiKeyUnreadable(
            "The stored Vibe API key cannot be decrypted (the encryption secret changed). "
            "Enter the key again on the client's Vibe connection."
        ) from None


def api_key_fingerprint(api_key: str) -> str:
    """A stable identifier of the key for the shared budget row, from which the key cannot be
    recovered (API keys are long random strings, so an unsalted hash cannot be guessed back)."""
    return hashlib.sha256(b"vibe-api-key:" + api_key.encode()).hexdigest()


def mask_api_key(last4: str) -> str:
    return f"{MASK}{last4}" if last4 else ""


def redact(text: str, api_key: str) -> str:
    """``text`` with the key replaced, for vendor error bodies that might echo it back."""
    return text.replace(api_key, MASK) if api_key else text
