"""Pagination of lists."""

from __future__ import annotations

from django.core import paginator


class Paginator(paginator.Paginator):
    """Django's paginator, counting the rows with a query only when the page itself does not tell.

    The first page is read with one row more than it shows: when no more than a page comes back, those rows are
    all there is and their number is the count. A search that finds a few people then costs one query, not two
    (the count and the rows each scanned every candidate).
    """

    def get_page(self, number) -> paginator.Page:
        if str(number or 1) != "1" or self.orphans or "count" in self.__dict__:
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.count = len(rows)  # count is a cached_property: this is its value from now on
        return self._get_page(rows[: self.per_page], 1, self)
