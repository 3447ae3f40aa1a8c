"""Every API error is JSON with a ``detail`` a person can act on; never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.db import WriteConflict

logger = logging.getLogger("dashboard_project.api")


def flatten_errors(errors: Any, prefix: str = "") -> list[str]:
    """``{"cpm": ["Too many digits."]}`` -> ``["cpm: Too many digits."]``, nested lists too."""
    if isinstance(errors, dict):
        lines: list[str] = []
        for field, value in errors.items():
            label = "" if field in ("non_field_errors", "__all__") else str(field)
            lines.extend(flatten_errors(value, f"{prefix}{label}: " if label else prefix))
        return lines
    if isinstance(errors, list):
        return [line for item in errors for line in flatten_errors(item, prefix)]
    return [f"{prefix}{errors}"]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, WriteConflict):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": str(exc)}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        lines = flatten_errors(exc.detail)
        return Response(
            {"detail": " ".join(lines) or "Invalid input.", "errors": exc.detail},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    logger.exception("unhandled API error in %s", context.get("view").__class__.__name__)
    return Response(
        {"detail": "Something went wrong on our side. It has been logged; please try again."},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
