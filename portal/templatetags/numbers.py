"""Template filters that write numbers for people (``{% load numbers %}``; see
``metrics.formatting``)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import template

from metrics import formatting

register = template.Library()


@register.filter
def count(value: int | Decimal | None) -> str:
    return formatting.count(value)


@register.filter
def money(value: int | Decimal | None) -> str:
    return formatting.money(value)


@register.filter
def percent(value: int | Decimal | None) -> str:
    return formatting.percent(value)


@register.filter
def measure(value: int | Decimal | None, name: str) -> str:
    """``{{ totals.spend|measure:"spend" }}``: the measure written as its kind is written."""
    return formatting.measure_value(name, value)


@register.filter
def measure_in(values: Mapping[str, Any], name: str) -> str:
    """``{{ row|measure_in:"cpc" }}``: a row's measure, a dash for a cost over nothing."""
    return formatting.measure_in(name, values)


@register.filter
def attr(obj: Any, name: str) -> Any:
    """``{{ row|attr:column.key }}``: a value by name (templates cannot index by a variable)."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)
