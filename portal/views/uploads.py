"""Facebook uploads in the portal: upload an export, see what was loaded and refused, and the
list of past uploads. The upload itself is ``ingestion.facebook_upload_create``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from clients.models import Client
from clients.scoping import get_client_or_404, get_scoped_or_404, visible_clients
from ingestion.files import FileRefused
from ingestion.models import FacebookUpload, UploadStatus
from ingestion.selectors import REFUSED_ROWS_SHOWN, refused_rows, uploads_of
from ingestion.sources.facebook.services import DuplicateUpload, facebook_upload_create
from metrics.periods import DateRange
from portal.filters import ReportFilters
from portal.views.base import ReportPageMixin, requested_client_id

UPLOADS_PER_PAGE = 20
UPLOAD_REFRESH_SECONDS = 3


class UploadForm(forms.Form):
    """The export to load; admins also say which client it is for."""

    client_id = forms.TypedChoiceField(label="Client", coerce=int, required=True)
    file = forms.FileField(
        label="Export file",
        help_text="A .csv or .xlsx export from Meta Ads Manager with a daily breakdown, "
        "at most 50 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, client_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if client_choices:
            field = self.fields["client_id"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [("", "Choose a client"), *client_choices]
        else:
            del self.fields["client_id"]


class UploadsView(ReportPageMixin, View):
    """GET: the form and the past uploads; POST: upload, then the result page."""

    template_name = "portal/uploads.html"

    def _client_choices(self) -> list[tuple[int, str]]:
        if not self.user.is_admin:
            return []
        return list(visible_clients(self.user).order_by("name").values_list("pk", "name"))

    def get(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(
            client_choices=self._client_choices(),
            initial={"client_id": requested_client_id(request)},
        )
        return self._page(form)

    def post(self, request: HttpRequest) -> HttpResponse:
        # A body over the limit never gets here: reading the CSRF token refuses it first, and
        # ``portal.views.errors.bad_request`` answers (413, with the reason).
        form = UploadForm(request.POST, request.FILES, client_choices=self._client_choices())
        if not form.is_valid():
            return self._page(form, status=400)
        client = self._target_client(request, form)
        try:
            upload = facebook_upload_create(
                client=client, upload=form.cleaned_data["file"], by=self.user, queue_large=True
            )
        except DuplicateUpload as duplicate:
            form.add_error("file", self._duplicate_message(duplicate))
            return self._page(form, status=400)
        except FileRefused as refused:
            form.add_error("file", str(refused))
            return self._page(form, status=400)
        return HttpResponseRedirect(reverse("upload", args=[upload.pk]))

    def _duplicate_message(self, duplicate: DuplicateUpload) -> str:
        """Admins can undo the first upload themselves; client users ask the agency to."""
        if self.user.is_admin:
            return str(duplicate)
        first = duplicate.first
        when = timezone.localtime(first.created_at)
        return (
            f"This file was already uploaded as '{first.original_name}' on "
            f"{when:%b} {when.day}, {when.year} (upload #{first.pk}, "
            f"{first.get_status_display().lower()}): its rows are in the dashboard. To load it "
            "again, ask your agency contact to undo that upload first."
        )

    def _target_client(self, request: HttpRequest, form: UploadForm) -> Client:
        """The client the upload is for: the admin's choice, or the user's own client. A
        ``client_id`` the user may not see is a 404 and nothing is stored."""
        client_id = form.cleaned_data.get("client_id") or request.POST.get("client_id")
        if client_id:
            return get_client_or_404(self.user, client_id)
        return self.clients.get()

    def _page(self, form: UploadForm, status: int = 200) -> HttpResponse:
        page = Paginator(uploads_of(clients=self.clients), UPLOADS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context = {
            "nav": "uploads",
            "form": form,
            "max_upload_bytes": settings.MAX_UPLOAD_BYTES,
            "uploads": page,
            "client": None if self.user.is_admin else self.clients.first(),
        }
        return render(self.request, self.template_name, context, status=status)


class UploadDetailView(ReportPageMixin, TemplateView):
    """One upload's outcome: rows loaded and replaced, and each refused row with its reasons."""

    template_name = "portal/upload_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        upload: FacebookUpload = get_scoped_or_404(
            uploads_of(clients=self.clients), self.user, "client", pk=self.kwargs["pk"]
        )
        run = upload.run
        context.update(
            nav="uploads",
            upload=upload,
            run=run,
            files_days_url=self._dashboard_url(upload),
            client=upload.client,
            refused=refused_rows(run) if run and run.rows_failed else [],
            refused_shown=REFUSED_ROWS_SHOWN,
            # A queued upload: the page shows its progress and refreshes until it is done.
            loading=upload.status == UploadStatus.PROCESSING,
            refresh_seconds=UPLOAD_REFRESH_SECONDS,
        )
        return context

    def _dashboard_url(self, upload: FacebookUpload) -> str:
        """The dashboard over the file's own days (any length: the dashboard reads the rollups),
        so a file of past days opens on them, not on the last 30 days."""
        client_id = upload.client_id if self.user.is_admin else None
        run = upload.run
        if run is None or run.date_from is None or run.date_to is None:
            query = f"?client_id={client_id}" if client_id else ""
            return reverse("dashboard") + query
        filters = ReportFilters(
            date_range=DateRange(run.date_from, run.date_to), client_id=client_id
        )
        return reverse("dashboard") + filters.query()
