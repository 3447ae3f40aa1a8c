"""Model building blocks shared by every app."""

from django.db import models


class TimestampedModel(models.Model):
    """Adds creation and last-change times to every model of the product."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
