"""Import and export of clients and CPM history (django-import-export, in the admin).

Every imported row is written by the clients services, never by a raw ``save()``: a new client
comes with its first CPM through ``client_create``, a new CPM rate re-prices the days it governs
and leaves an audit entry through ``cpm_rate_add``. Rows the services refuse, and rows that would
change a stored rate without its spend impact being shown (``CpmRateAdmin`` previews that), are
reported per row as validation errors; the admin's dry run shows them before anything is kept.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from import_export import fields, resources, widgets

from accounts.models import User
from clients import services
from clients.models import Client, ClientStatus, CpmRate
from metrics import cpm as cpm_services
from metrics.cpm_impact import cpm_impact, impact_display

DATE_FORMAT = "%Y-%m-%d"


class CpmWidget(widgets.DecimalWidget):
    """A CPM: a plain number (``15``, ``15.00``); anything else is a per-row error."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | None:
        try:
            return super().clean(value, row, **kwargs)
        except (InvalidOperation, ValueError):
            raise ValueError(f"'{value}' is not a number; write the CPM like 15.00.") from None


class DayWidget(widgets.DateWidget):
    """A date as YYYY-MM-DD (or a spreadsheet date cell)."""

    def __init__(self) -> None:
        super().__init__(format=DATE_FORMAT)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> dt.date | None:
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(f"'{value}' is not a date; use YYYY-MM-DD.") from None


class ClientSlugWidget(widgets.ForeignKeyWidget):
    """A client named by its slug; an unknown slug is a per-row error, not a crash."""

    def __init__(self) -> None:
        super().__init__(Client, field="slug")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Client | None:
        try:
            return super().clean(value, row, **kwargs)
        except Client.DoesNotExist:
            raise ValueError(
                f"No client has the slug '{value}'. Import the client first."
            ) from None


def importing_user(kwargs: dict[str, Any]) -> User | None:
    """The admin running the import (django-import-export passes ``user``)."""
    user = kwargs.get("user")
    return user if isinstance(user, User) else None


def _require(instance: Any, required: dict[str, tuple[str, str]]) -> None:
    """Per-row errors for empty values: ``{column: (attribute, message)}``."""
    missing = {
        column: message
        for column, (attribute, message) in required.items()
        if getattr(instance, attribute, None) in (None, "")
    }
    if missing:
        raise ValidationError(missing)


class ClientResource(resources.ModelResource):
    """Clients by slug, with their current CPM. A new client needs ``cpm`` and
    ``cpm_effective_date`` (its first rate); for an existing client a CPM from a date it has no
    rate for is added as a new rate, and one that contradicts a stored rate is refused."""

    name = fields.Field(attribute="name", column_name="name")
    slug = fields.Field(attribute="slug", column_name="slug")
    status = fields.Field(attribute="status", column_name="status")
    cpm = fields.Field(attribute="cpm", column_name="cpm", widget=CpmWidget())
    cpm_effective_date = fields.Field(
        attribute="cpm_effective_date", column_name="cpm_effective_date", widget=DayWidget()
    )

    class Meta:
        model = Client
        fields = ("name", "slug", "status", "cpm", "cpm_effective_date")
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def get_queryset(self) -> QuerySet[Client]:
        """Clients with the rate in effect today (the one an export shows)."""
        current = CpmRate.objects.filter(
            client=OuterRef("pk"), effective_date__lte=timezone.localdate()
        ).order_by("-effective_date")
        return Client.objects.annotate(
            cpm=Subquery(current.values("cpm")[:1]),
            cpm_effective_date=Subquery(current.values("effective_date")[:1]),
        ).order_by("name")

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        """The spend impact of the file's new rates for existing clients, before any row is
        written (shown on the admin's confirm page)."""
        self.cpm_impacts = import_impacts(
            dataset, client_column="slug", date_column="cpm_effective_date"
        )

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        result.cpm_impacts = getattr(self, "cpm_impacts", [])

    def init_instance(self, row: Any = None) -> Client:
        client = Client(status=ClientStatus.ACTIVE)
        client.cpm = None  # type: ignore[attr-defined]
        client.cpm_effective_date = None  # type: ignore[attr-defined]
        return client

    def validate_instance(
        self,
        instance: Any,
        import_validation_errors: dict[str, Any] | None = None,
        validate_unique: bool = True,
    ) -> None:
        super().validate_instance(instance, import_validation_errors, validate_unique)
        _require(
            instance,
            {
                "name": ("name", "A client needs a name."),
                "slug": ("slug", "A client needs a slug."),
            },
        )
        if instance.status not in ClientStatus.values:
            raise ValidationError(
                {"status": f"Status must be one of: {', '.join(ClientStatus.values)}."}
            )
        if instance.pk is None:
            _require(
                instance,
                {
                    "cpm": ("cpm", "A new client needs its first CPM."),
                    "cpm_effective_date": (
                        "cpm_effective_date",
                        "A new client needs the date its first CPM starts.",
                    ),
                },
            )

    def save_instance(self, instance: Any, is_create: bool, row: Any, **kwargs: Any) -> None:
        by = importing_user(kwargs)
        if is_create:
            created = services.client_create(
                name=instance.name,
                slug=instance.slug,
                cpm=instance.cpm,
                cpm_effective_date=instance.cpm_effective_date,
                status=instance.status,
                by=by,
            )
            instance.pk = created.pk
            return
        saved = Client.objects.get(pk=instance.pk)
        if instance.name != saved.name:
            services.client_update(client=saved, by=by, name=instance.name)
        if instance.status != saved.status:
            services.client_set_status(client=saved, status=instance.status, by=by)
        if instance.cpm is not None and instance.cpm_effective_date is not None:
            _add_rate_unless_stored(saved, instance.cpm, instance.cpm_effective_date, by, "")


def _add_rate_unless_stored(
    client: Client, cpm: Decimal, effective_date: dt.date, by: User | None, note: str
) -> CpmRate:
    """A rate the client has not got yet goes through ``cpm_rate_add`` (re-pricing, audit); the
    same rate again is nothing to do; a different CPM for a stored date is refused."""
    stored = CpmRate.objects.filter(client=client, effective_date=effective_date).first()
    if stored is None:
        return cpm_services.cpm_rate_add(
            client=client, cpm=cpm, effective_date=effective_date, by=by, note=note
        )
    if stored.cpm != cpm:
        raise ValidationError(
            {
                "cpm": f"{client} already has a CPM of {stored.cpm} from {effective_date}. "
                "Change it on its CPM rate page, which shows the spend it would change before "
                "re-pricing."
            }
        )
    return stored


def import_impacts(dataset: Any, *, client_column: str, date_column: str) -> list[dict[str, Any]]:
    """Per client of the file: the CPM impact of adding its new rates (rows that do not parse,
    name a new client, or name a date the client already has a rate for are left to the
    per-row checks)."""
    proposed: dict[Client, dict[dt.date, Decimal]] = {}
    for row in dataset.dict:
        try:
            client = ClientSlugWidget().clean(row.get(client_column))
            effective_date = DayWidget().clean(row.get(date_column))
            cpm = CpmWidget().clean(row.get("cpm"))
        except (ValueError, ValidationError):
            continue
        if client is None or effective_date is None or cpm is None:
            continue
        if client not in proposed:
            proposed[client] = dict(
                CpmRate.objects.filter(client=client).values_list("effective_date", "cpm")
            )
        proposed[client].setdefault(effective_date, cpm)
    return [
        {
            "client": client,
            **impact_display(cpm_impact(client_id=client.pk, rates=sorted(history.items()))),
        }
        for client, history in proposed.items()
    ]


class CpmRateResource(resources.ModelResource):
    """CPM history rows (client slug, effective date, CPM, note). New rates are added through
    ``cpm_rate_add``; a row for a stored rate may change only its note."""

    client = fields.Field(attribute="client", column_name="client", widget=ClientSlugWidget())
    effective_date = fields.Field(
        attribute="effective_date", column_name="effective_date", widget=DayWidget()
    )
    cpm = fields.Field(attribute="cpm", column_name="cpm", widget=CpmWidget())
    note = fields.Field(attribute="note", column_name="note", widget=widgets.CharWidget())
    set_by = fields.Field(attribute="set_by__username", column_name="set_by", readonly=True)

    class Meta:
        model = CpmRate
        fields = ("client", "effective_date", "cpm", "note", "set_by")
        import_id_fields = ("client", "effective_date")
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def get_queryset(self) -> QuerySet[CpmRate]:
        return CpmRate.objects.select_related("client", "set_by").order_by(
            "client__name", "effective_date"
        )

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        """Before any row is written: what the file's new rates would change, per client (the
        admin's confirm page shows it; nothing is applied until the import is confirmed)."""
        self.cpm_impacts = import_impacts(
            dataset, client_column="client", date_column="effective_date"
        )

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        result.cpm_impacts = getattr(self, "cpm_impacts", [])

    def get_instance(self, instance_loader: Any, row: Any) -> CpmRate | None:
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            # An unknown client or a bad date: a new row, whose fields then report the error.
            return None

    def validate_instance(
        self,
        instance: Any,
        import_validation_errors: dict[str, Any] | None = None,
        validate_unique: bool = True,
    ) -> None:
        super().validate_instance(instance, import_validation_errors, validate_unique)
        _require(
            instance,
            {
                "client": ("client_id", "Name the client by its slug."),
                "effective_date": ("effective_date", "A rate needs the date it starts."),
                "cpm": ("cpm", "A rate needs a CPM."),
            },
        )

    def save_instance(self, instance: Any, is_create: bool, row: Any, **kwargs: Any) -> None:
        by = importing_user(kwargs)
        if is_create:
            created = _add_rate_unless_stored(
                instance.client, instance.cpm, instance.effective_date, by, instance.note or ""
            )
            instance.pk = created.pk
            return
        saved = CpmRate.objects.select_related("client").get(pk=instance.pk)
        if saved.cpm != instance.cpm:
            _add_rate_unless_stored(saved.client, instance.cpm, saved.effective_date, by, "")
        if (instance.note or "") != saved.note:
            cpm_services.cpm_rate_change(rate=saved, by=by, note=instance.note or "")
