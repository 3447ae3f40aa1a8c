from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.request_context import bind_request, unbind_request


class RequestContextMiddleware:
    """Makes the request's IP address and user agent available to the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = bind_request(request)
        try:
            return self.get_response(request)
        finally:
            unbind_request(token)
