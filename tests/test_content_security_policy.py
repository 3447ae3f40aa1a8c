"""Every page sends a Content-Security-Policy without ``unsafe-inline``, and holds nothing that
policy would block: no inline script, no ``<style>`` element, no ``style`` attribute, no event
handler attribute, no ``javascript:`` link. Pages come from the URL-conf walk's cases."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client as BrowserClient

from clients.models import CpmRate
from ingestion.models import IngestionRun
from tests.test_page_isolation import CASES, PUBLIC_ROUTES, call, logged_in, world  # noqa: F401

EXPECTED_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class InlineCode(HTMLParser):
    """Collects what a CSP without ``unsafe-inline`` would block."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self._in_inline_script = True
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().startswith(
                "javascript:"
            ):
                self.found.append(f'<{tag} {name}="{value}">')

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


def directives(policy: str) -> set[str]:
    return {directive.strip() for directive in policy.split(";")}


def assert_policy_holds(response) -> None:
    policy = response["Content-Security-Policy"]
    assert directives(policy) == directives(EXPECTED_POLICY)
    assert "unsafe" not in policy
    if response.get("Content-Type", "").startswith("text/html"):
        parser = InlineCode()
        parser.feed(response.content.decode())
        assert parser.found == []


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_every_walked_page_has_the_policy_and_no_inline_code(world, user_a, case):  # noqa: F811
    response = call(logged_in(user_a), case, world)
    assert response.status_code == case.owner
    assert_policy_holds(response)
    if response.status_code == 302:
        assert_policy_holds(logged_in(user_a).get(response["Location"]))


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(PUBLIC_ROUTES))
def test_public_pages_have_the_policy_and_no_inline_code(route):
    path = "/" + route.replace("<uidb64>/<token>", "MQ/set-password")
    assert_policy_holds(BrowserClient().get(path))


ADMIN_PAGES = [
    "/admin/",
    "/admin/metrics/margin/",
    "/admin/ingestion/health/",
    "/admin/clients/client/",
    "/admin/clients/client/{client}/change/",
    "/admin/clients/cpmrate/{rate}/delete/",
    "/admin/ingestion/ingestionrun/{run}/change/",
    "/admin/accounts/user/{user}/change/",
    "/api/v1/docs",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_and_api_docs_have_the_policy_and_no_inline_code(
    path, admin_user, user_a, client_a
):
    from ingestion.pipeline import start_run

    run = start_run(client=client_a, source="surfside", trigger="manual", triggered_by=admin_user)
    ids = {
        "client": client_a.pk,
        "rate": CpmRate.objects.filter(client=client_a).first().pk,
        "run": IngestionRun.objects.get(pk=run.pk).pk,
        "user": user_a.pk,
    }
    browser = BrowserClient()
    browser.force_login(admin_user)
    response = browser.get(path.format(**ids))
    assert response.status_code == 200
    assert_policy_holds(response)


@pytest.mark.django_db
def test_the_api_docs_start_up_script_is_a_separate_file():
    response = BrowserClient().get("/api/v1/docs?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


@pytest.mark.django_db
def test_api_responses_carry_the_policy_too(api, user_a):
    policy = api(user_a).get("/api/v1/auth/me")["Content-Security-Policy"]
    assert directives(policy) == directives(EXPECTED_POLICY)
