"""Walks the URL conf and yields every page (not the admin, not the API) with its route."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.urls import URLPattern, URLResolver, get_resolver

NOT_PAGES = ("admin/", "api/v1/")


def page_routes() -> Iterator[str]:
    """The route of every URL pattern outside the admin and the API."""

    def walk(patterns: Sequence[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(NOT_PAGES):
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    yield from walk(get_resolver().url_patterns, "")
