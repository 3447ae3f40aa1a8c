from collections.abc import Mapping
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from rest_framework import pagination

# The column a list query may carry with the number of rows of the whole list.
FULL_COUNT = "full_count"


class OnePassPaginator(Paginator):
    """A paginator that takes the count from the page's own rows when they carry it.

    An aggregated list (performance per strategy, say) annotates each row with ``full_count``,
    a ``count(*) OVER ()`` over the grouped rows: the page and the count then come from one
    query instead of the aggregation run twice (count, then page). Rows without it, and a page
    past the end, fall back to a plain count.
    """

    def page(self, number: Any) -> Page:
        if "count" in self.__dict__:
            return super().page(number)
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if wanted < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (wanted - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if rows and isinstance(rows[0], Mapping) and FULL_COUNT in rows[0]:
            self.__dict__["count"] = rows[0][FULL_COUNT]
        elif not rows and wanted == 1:
            self.__dict__["count"] = 0
        return Page(rows, self.validate_number(wanted), self)

    def get_page(self, number: Any) -> Page:
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)


class PageNumberPagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` pages of ``page_size`` (at most 500)."""

    django_paginator_class = OnePassPaginator
    page_size_query_param = "page_size"
    max_page_size = 500
