from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm

from accounts import login_guard
from accounts.request_context import client_ip
from accounts.services import user_password_change


class GuardedAuthenticationForm(AuthenticationForm):
    """The login form of the pages and the admin, with the shared failed-login throttle."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip_address = client_ip(self.request) if self.request is not None else None
        wait = login_guard.begin_attempt(username, ip_address)
        if wait:
            raise forms.ValidationError(login_guard.wait_message(wait), code="throttled")
        cleaned = super().clean()
        login_guard.record_success(username, ip_address)
        return cleaned


class PasswordResetByAdminForm(forms.Form):
    """An admin sets a new password for a client user."""

    new_password1 = forms.CharField(
        label="New password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    new_password2 = forms.CharField(
        label="New password (again)",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("new_password1") != cleaned.get("new_password2"):
            raise forms.ValidationError("The two passwords do not match.")
        return cleaned


class OwnPasswordChangeForm(PasswordChangeForm):
    """A user changes their own password (old one checked) through the audited service."""

    def save(self, commit: bool = True) -> Any:
        user_password_change(user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user


class EmailedPasswordSetForm(SetPasswordForm):
    """The new password from a reset link; the link proved who it is, the service audits it."""

    def save(self, commit: bool = True) -> Any:
        user_password_change(user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user
