"""Error pages that say what happened in words a client user can act on."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.defaults import bad_request as django_bad_request

from ingestion.sources.facebook.upload_limits import too_large_message


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400, except an upload over the size limit: 413 with the reason and the way back.

    Oversized bodies are refused by ``ingestion.sources.facebook.upload_limits``'s handler as soon
    as the CSRF check starts reading them, before any view runs, so this is where the page answers.
    """
    if isinstance(exception, RequestDataTooBig):
        return render(
            request, "errors/too_large.html", {"message": too_large_message()}, status=413
        )
    return django_bad_request(request, exception)
