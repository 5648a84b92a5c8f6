"""List pages' paging: the page sizes a reader may choose, and a paginator whose count stops
at a cap (counting 100,000 rows on every page view costs more than the page itself, and nobody
pages past the thousandth customer or supplier: they search)."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from core.sql import as_id

COUNT_CAP = 1000
PAGE_SIZES = (25, 50, 100)


def page_size(request) -> int:
    """The ``page_size`` asked for, if it is one of ``PAGE_SIZES``; else the first."""
    size = as_id(request.GET.get("page_size"))
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self):
        # COUNT over a LIMITed subquery: reads at most cap + 1 rows.
        # Without ORDER BY: counting needs no sort.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def page(self, number):
        number = self.validate_number(number)
        if not self.capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        # Past the cap the count is unknown: never trim a page to it.
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


def list_order(queryset, ordering: str, sorts: dict[str, str], default: str):
    """``queryset`` sorted as a list page's ``ordering`` parameter asks ("name", "-owner"), by
    the column ``sorts`` names for that key (a name sorts by its pinyin column, a person by
    ``core.people.name_order``); an unknown key sorts by ``default``. Ties by id."""
    key = (ordering or "").lstrip("-")
    if key not in sorts:
        key, ordering = default, default
    column = sorts[key]
    return queryset.order_by(f"-{column}" if ordering.startswith("-") else column, "pk")
