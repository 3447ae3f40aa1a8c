"""The audit log's API filters (django-filter): an unknown action is a 400, not an empty page."""

from __future__ import annotations

import django_filters

from accounts.models import AuditAction, AuditLog


class AuditLogFilter(django_filters.FilterSet):
    username = django_filters.CharFilter()
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    entity_type = django_filters.CharFilter()

    class Meta:
        model = AuditLog
        fields = ["username", "action", "entity_type"]
