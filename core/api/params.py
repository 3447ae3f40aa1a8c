"""Query parameters shared by the operations endpoints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

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
