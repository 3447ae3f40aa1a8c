"""Who is making the current request and from where, for the audit log.

Services take the acting user explicitly; the IP address and user agent come from here so that
services need no ``request`` argument. Commands and tasks run without a request: both stay empty.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar, Token
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""


_current: ContextVar[RequestContext] = ContextVar("request_context", default=RequestContext())  # noqa: B039 (frozen)


def current_request_context() -> RequestContext:
    return _current.get()


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as seen by the outermost of ``TRUSTED_PROXY_COUNT`` proxies.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    with N trusted proxies the client is the N-th entry from the right; entries further left were
    written by the client and prove nothing. With no trusted proxy (the default) the header is
    ignored and REMOTE_ADDR is the client. A header shorter than the configured chain, or an entry
    that is no IP address, falls back to REMOTE_ADDR rather than to anything the client wrote.

    (django-ipware was tried: its ``proxy_count`` counts proxies *listed in* the header, and in
    non-strict mode it returns the left-most, client-written entry; see the README.)
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    chain = [
        entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()
    ]
    if len(chain) < trusted:
        return remote
    return _address(chain[-trusted]) or remote


def bind_request(request: HttpRequest) -> Token[RequestContext]:
    context = RequestContext(
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
    )
    return _current.set(context)


def unbind_request(token: Token[RequestContext]) -> None:
    _current.reset(token)
