"""Session pages of the portal: login, logout, and people changing or resetting their own
password. Django's auth views, with our templates and forms that write through the services."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from accounts.forms import EmailedPasswordSetForm, GuardedAuthenticationForm, OwnPasswordChangeForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = GuardedAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    extra_context = {
        "page_title": "Change your password",
        "submit_label": "Change password",
        "nav": "account",
    }
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
    extra_context = {"page_title": "Password changed", "nav": "account"}


class PasswordResetView(auth_views.PasswordResetView):
    """Sends a reset link to the address on file. The page says the same thing whether or not
    the address is known, so it cannot be used to find out who has an account."""

    template_name = "accounts/password_reset.html"
    extra_context = {"page_title": "Reset your password", "submit_label": "Send the link"}
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"page_title": "Check your email"}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    extra_context = {"page_title": "Choose a new password", "submit_label": "Set password"}
    form_class = EmailedPasswordSetForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"page_title": "Password set"}
