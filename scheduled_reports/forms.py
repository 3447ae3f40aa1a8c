"""The schedule forms: a client user's (their team only) and an admin's (any client, plus
outside addresses). Both leave every rule to ``scheduled_reports.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import Role, User
from clients.models import Client
from reports.models import PeriodType
from scheduled_reports.models import ReportSchedule, Section
from scheduled_reports.services import parse_emails


def client_team(client: Client) -> QuerySet[User]:
    """The users a schedule of ``client`` may go to: its active client users with an address."""
    return (
        User.objects.filter(client=client, role=Role.CLIENT, is_active=True)
        .exclude(email="")
        .order_by("first_name", "last_name", "username")
    )


class RecipientChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        name = obj.get_full_name() or obj.username
        return f"{name} <{obj.email}>"


class ScheduleForm(forms.Form):
    """What a client user sets on the portal page."""

    name = forms.CharField(max_length=120)
    frequency = forms.ChoiceField(choices=PeriodType.choices, widget=forms.RadioSelect)
    sections = forms.MultipleChoiceField(
        choices=Section.choices, widget=forms.CheckboxSelectMultiple
    )
    recipients = RecipientChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active (untick to pause)")

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = client_team(client)  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(schedule: ReportSchedule) -> dict[str, Any]:
        return {
            "name": schedule.name,
            "frequency": schedule.frequency,
            "sections": list(schedule.sections),
            "recipients": list(schedule.recipients.values_list("pk", flat=True)),
            "is_active": schedule.is_active,
        }


class OutsideEmailsField(forms.CharField):
    """Addresses one per line (or separated by commas): a list, each checked by the service."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return parse_emails(str(value or ""))


def _user_and_client(user: User) -> str:
    return f"{user.username} ({user.client.name if user.client else 'no client'})"


class AdminScheduleForm(forms.ModelForm):
    """The admin's form: any client's schedule, with outside addresses."""

    sections = forms.MultipleChoiceField(
        choices=Section.choices, widget=forms.CheckboxSelectMultiple
    )
    outside_emails = OutsideEmailsField(
        required=False,
        help_text="One address per line. Only agency admins add outside addresses.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recipients = self.fields["recipients"]
        assert isinstance(recipients, forms.ModelMultipleChoiceField)
        # Client users only; the service refuses one of another client than the schedule's.
        recipients.queryset = (
            User.objects.filter(role=Role.CLIENT, is_active=True)
            .select_related("client")
            .order_by("client__name", "username")
        )
        recipients.label_from_instance = _user_and_client  # type: ignore[method-assign, assignment]

    class Meta:
        model = ReportSchedule
        fields = [
            "client",
            "name",
            "frequency",
            "sections",
            "recipients",
            "outside_emails",
            "is_active",
            "starts_on",
        ]
