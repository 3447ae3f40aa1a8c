"""What a page is about: the date range, the source and (for admins) the client, from the URL.

Every link on a page keeps these, so a drill-down, a sort or an export shows the same slice the
person was looking at.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils import timezone

from campaigns.models import Source
from metrics.comparison import (
    COMPARISON_CHOICES,
    DEFAULT_COMPARISON,
    ComparisonMode,
    comparison_error,
)
from metrics.periods import (
    DATE_FORMAT_MESSAGE,
    DateRange,
    RangeError,
    default_end,
    default_start,
    requested_range,
)


class ReportFilterForm(forms.Form):
    """The range and source of a report page. Empty dates mean the 30 days that end yesterday."""

    start_date = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_FORMAT_MESSAGE},
    )
    end_date = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_FORMAT_MESSAGE},
    )
    source = forms.ChoiceField(
        label="Source", required=False, choices=[("", "All sources"), *Source.choices]
    )
    comparison = forms.ChoiceField(
        label="Compare with",
        required=False,
        choices=COMPARISON_CHOICES,
        error_messages={"invalid_choice": comparison_error("%(value)s")},
    )

    def __init__(self, *args: Any, detail: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.detail = detail

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            cleaned["date_range"] = requested_range(
                cleaned.get("start_date"),
                cleaned.get("end_date"),
                today=timezone.localdate(),
                detail=self.detail,
            )
        except RangeError as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned


@dataclass(frozen=True)
class ReportFilters:
    """The slice a page shows; ``client_id`` is kept only when the URL named a client."""

    date_range: DateRange
    source: str | None = None
    client_id: int | None = None
    comparison: ComparisonMode = DEFAULT_COMPARISON

    def params(self, **overrides: object) -> dict[str, str]:
        """The URL parameters for this slice, with ``overrides`` (None drops a parameter)."""
        values: dict[str, object] = {
            "start_date": self.date_range.start.isoformat(),
            "end_date": self.date_range.end.isoformat(),
            "source": self.source,
            "client_id": self.client_id,
            # The default is left out of links: "previous" is what a bare URL means.
            "comparison": None if self.comparison is DEFAULT_COMPARISON else self.comparison.value,
        }
        values.update(overrides)
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    def query(self, **overrides: object) -> str:
        """``?start_date=...&end_date=...`` for links that keep this slice."""
        return "?" + urlencode(self.params(**overrides))

    def with_source(self, source: str | None) -> ReportFilters:
        return replace(self, source=source)


def read_filters(
    data: QueryDict, client_id: int | None, *, detail: bool = False
) -> tuple[ReportFilters, ReportFilterForm]:
    """The page's filters from its query string. Bad input falls back to the default range and
    the form carries the errors, so the page still shows something and says what was wrong.
    ``detail``: the page reads the detail below campaigns (``requested_range``)."""
    form = ReportFilterForm(data, detail=detail)
    comparison = DEFAULT_COMPARISON
    if form.is_valid():
        date_range = form.cleaned_data["date_range"]
        source = form.cleaned_data.get("source") or None
        comparison = ComparisonMode(form.cleaned_data.get("comparison") or DEFAULT_COMPARISON)
    else:
        end = default_end(timezone.localdate())
        date_range = DateRange(default_start(end), end)
        source = None
    filters = ReportFilters(
        date_range=date_range, source=source, client_id=client_id, comparison=comparison
    )
    return filters, form
