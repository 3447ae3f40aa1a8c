"""Query parameters shared by the operations endpoints: dates, and django-filter filter sets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django_filters import FilterSet
from rest_framework.exceptions import ValidationError


def optional_date(params: Mapping[str, str], name: str) -> dt.date | None:
    """``params[name]`` as a date, None when absent; a 400 naming the parameter otherwise."""
    value = params.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: [f"Use YYYY-MM-DD, not '{value}'."]}) from None


def apply_filters(
    filterset_class: type[FilterSet], params: QueryDict, queryset: QuerySet[Any]
) -> QuerySet[Any]:
    """``queryset`` narrowed by a django-filter ``FilterSet``; a 400 naming each bad parameter
    (an unknown choice, say) instead of an empty list."""
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs
