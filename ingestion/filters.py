"""The ingestion log's API filters (django-filter): an unknown source or status is a 400."""

from __future__ import annotations

import django_filters

from campaigns.models import Source
from ingestion.models.runs import IngestionRun, RunStatus


class IngestionRunFilter(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=Source.choices)
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = IngestionRun
        fields = ["source", "status"]
