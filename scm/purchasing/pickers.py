"""The suppliers picker (``core.pickers``): suppliers by code, name, phone, pinyin or initials,
under the purchasing read rule (``selectors.suppliers_visible_to``)."""

from core.pickers import PICKER_LIMIT, named_records_search, picker_widget, secondary
from scm.purchasing.models import Supplier
from scm.purchasing.selectors import suppliers_visible_to

URL_NAME = "supplier-picker"


def supplier_row(supplier: Supplier) -> dict:
    return {"id": supplier.pk, "text": supplier.name, "secondary": secondary(supplier.code, supplier.phone)}


def supplier_picker_search(
    *, user, query: str, include_inactive: bool = False, limit: int = PICKER_LIMIT
) -> list[dict]:
    """Suppliers ``user`` may read: the code typed in full first, then those starting with what
    was typed, each group by pinyin; active ones only unless ``include_inactive`` (list
    filters). One query."""
    return named_records_search(
        suppliers_visible_to(user),
        query=query,
        row=supplier_row,
        include_inactive=include_inactive,
        limit=limit,
    )


def supplier_picker(*, include_inactive: bool = False, **kwargs):
    """The widget of a supplier field or list filter (``core.pickers``)."""
    params = {"inactive": "1"} if include_inactive else None
    return picker_widget(URL_NAME, supplier_row, params=params, **kwargs)
