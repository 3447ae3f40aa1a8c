"""Request checks that apply to every page and endpoint before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL_IN_QUERY = "The query string contains a NUL character (%00); remove it."
NUL_IN_PATH = "The address contains a NUL character (%00); remove it."


class RefuseNulCharactersMiddleware:
    """400 for a NUL character in the path or the query string.

    PostgreSQL cannot store or compare text holding NUL, so a filter like ``?username=a%00b``
    would fail inside the database (a 500) on any view that passes it to a query. Refusing it
    here covers every filter, hand-parsed or not, including ones added later.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            return self._refuse(request, NUL_IN_PATH)
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return self._refuse(request, NUL_IN_QUERY)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
