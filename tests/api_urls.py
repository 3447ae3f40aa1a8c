"""Walks the URL conf and yields every API endpoint with its view class."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


def api_endpoints() -> Iterator[tuple[str, Any]]:
    """(route, view class) for every pattern under ``api/v1/``."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                view = pattern.callback
                yield route, getattr(view, "cls", None) or getattr(view, "view_class", None)

    yield from walk(get_resolver().url_patterns, "")
