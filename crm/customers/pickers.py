"""The customers picker (``core.pickers``): the search behind every customer field and filter,
with the customer list's record rule (``selectors.customers_visible_to``): a rep finds own and
team customers only, whatever is typed."""

from core.pickers import PICKER_LIMIT, named_records_search, picker_widget, secondary
from crm.customers.models import Customer
from crm.customers.selectors import customers_visible_to

URL_NAME = "customer-picker"


def customer_row(customer: Customer) -> dict:
    return {"id": customer.pk, "text": customer.name, "secondary": secondary(customer.code, customer.phone)}


def customer_picker_search(
    *, user, query: str, include_inactive: bool = False, limit: int = PICKER_LIMIT
) -> list[dict]:
    """Customers ``user`` may read, found by code, name, phone, e-mail, pinyin or initials
    (``core.search``): the code typed in full first, then those starting with what was typed,
    each group by pinyin; active customers only unless ``include_inactive`` (list filters).
    One query, served by the search indexes whatever the number of customers."""
    return named_records_search(
        customers_visible_to(user),
        query=query,
        row=customer_row,
        include_inactive=include_inactive,
        limit=limit,
    )


def customer_picker(*, include_inactive: bool = False, **kwargs):
    """The widget of a customer field (the field's queryset, the customers the user may read,
    still decides what may be posted) or of a list filter (``queryset=`` the same rule).
    ``kwargs``: ``placeholder``, ``attrs``, ``multiple``, ``queryset`` (``core.pickers``)."""
    params = {"inactive": "1"} if include_inactive else None
    return picker_widget(URL_NAME, customer_row, params=params, **kwargs)
