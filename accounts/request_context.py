"""Who is making the current request and from where, for the audit log.

Services take the acting user explicitly; the IP address and user agent come from here so that
services need no ``request`` argument. Commands and tasks run without a request: both stay empty.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""


_current: ContextVar[RequestContext] = ContextVar("request_context", default=RequestContext())  # noqa: B039 (frozen)


def current_request_context() -> RequestContext:
    return _current.get()


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as seen by the first proxy we trust (REMOTE_ADDR otherwise)."""
    return request.META.get("REMOTE_ADDR") or None


def bind_request(request: HttpRequest) -> Token[RequestContext]:
    context = RequestContext(
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
    )
    return _current.set(context)


def unbind_request(token: Token[RequestContext]) -> None:
    _current.reset(token)
