"""Model building blocks shared by every app."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models


class TimestampedModel(models.Model):
    """Adds creation and last-change times to every model of the product."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# PostgreSQL's SQLSTATE codes of the integrity violations.
UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"


def violation(error: IntegrityError) -> tuple[str, str]:
    """The SQLSTATE and the constraint name of an ``IntegrityError`` from PostgreSQL (empty strings
    when the driver did not report them), so a caller can tell *which* rule a write broke."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    return getattr(cause, "sqlstate", None) or "", getattr(diag, "constraint_name", None) or ""


def is_unique_violation(error: IntegrityError, constraint: str) -> bool:
    """True when ``error`` is a unique violation of the named constraint and nothing else."""
    return violation(error) == (UNIQUE_VIOLATION, constraint)


class WriteConflict(ValidationError):
    """A write refused because something else changed the same data at the same time (or removed
    what it refers to). Nothing was saved; trying again is expected to work. A ``ValidationError``
    so every caller that shows a refusal shows this one; the API answers it with 409."""
