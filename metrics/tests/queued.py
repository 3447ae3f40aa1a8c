"""Running queued work in tests as the worker would: django-q2 is sync in tests, and a task is
queued once the transaction that asked for it commits."""

from collections.abc import Callable
from typing import Any

from django.test import TestCase

from metrics import cpm


def committed(func: Callable[..., Any], /, **kwargs: Any) -> Any:
    """Call ``func`` (a request's work), then run what it queued on commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return func(**kwargs)


def cpm_rate_add(**kwargs: Any) -> Any:
    return committed(cpm.cpm_rate_add, **kwargs)


def cpm_rate_change(**kwargs: Any) -> Any:
    return committed(cpm.cpm_rate_change, **kwargs)


def cpm_rate_delete(**kwargs: Any) -> Any:
    return committed(cpm.cpm_rate_delete, **kwargs)
