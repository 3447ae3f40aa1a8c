"""Session login and logout pages for client users and admins."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from accounts.forms import GuardedAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = GuardedAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
