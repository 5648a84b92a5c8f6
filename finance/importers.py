"""Import kinds of the finance import page (group ``"finance"``, see ``core.tabular`` and
``core.imports``): opening receivables per customer and opening payables per supplier, what a
company moving to Tandem was owed and owed on its old books.

A row names its customer or supplier by code, else by exact name, among those the importing user
may see (``finance.selectors.visible_customers``, ``scm.purchasing.selectors.
suppliers_visible_to``): one they may not see reads exactly like a missing one. A document
number may appear once: twice in the file, or already entered (a second import of the same
file), is an error on its row. Rows are written through ``finance.services.
opening_invoice_create`` and ``finance.payables.bills.opening_bill_create``, all or none.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import imports
from core.roles import FINANCE
from core.tabular import ImportSpec
from crm.customers.models import Customer
from finance import selectors, services
from finance.models import Invoice
from finance.payables import bills
from finance.payables.models import Bill
from scm.purchasing.models import Supplier
from scm.purchasing.selectors import suppliers_visible_to

GROUP = "finance"
_CHUNK = 500

RECEIVABLE_COLUMNS = ["customer", "document", "issue_date", "due_date", "amount", "note"]
PAYABLE_COLUMNS = ["supplier", "document", "issue_date", "due_date", "amount", "note"]

RECEIVABLE_LABELS = {
    "customer": "客户编码",
    "document": "原单号",
    "issue_date": "开票日期",
    "due_date": "到期日",
    "amount": "期初金额",
    "note": "备注",
}
PAYABLE_LABELS = {
    "supplier": "供应商编码",
    "document": "供应商发票号",
    "issue_date": "开票日期",
    "due_date": "到期日",
    "amount": "期初金额",
    "note": "备注",
}
_COMMON_ALIASES = {
    "单号": "document",
    "原单号": "document",
    "单据号": "document",
    "发票号": "document",
    "日期": "issue_date",
    "开票日期": "issue_date",
    "单据日期": "issue_date",
    "到期日": "due_date",
    "到期日期": "due_date",
    "金额": "amount",
    "期初金额": "amount",
    "余额": "amount",
    "备注": "note",
    "notes": "note",
}
RECEIVABLE_ALIASES = {
    **_COMMON_ALIASES,
    "客户": "customer",
    "客户编码": "customer",
    "客户名称": "customer",
    "应收金额": "amount",
    "期初应收": "amount",
}
PAYABLE_ALIASES = {
    **_COMMON_ALIASES,
    "供应商": "supplier",
    "供应商编码": "supplier",
    "供应商名称": "supplier",
    "供应商发票号": "document",
    "应付金额": "amount",
    "期初应付": "amount",
}


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _merge(errors: dict, exc: ValidationError) -> None:
    for key, messages in exc.message_dict.items():
        errors.setdefault(key, []).extend(messages)


def _parties(queryset, keys) -> tuple[dict, dict]:
    """The parties of ``queryset`` named by ``keys`` (codes or names): by code, and by name
    (a list: names need not be unique). A few queries per thousand keys."""
    by_code: dict = {}
    by_name: dict = {}
    for chunk in _chunks(keys):
        for party in queryset.filter(Q(code__in=chunk) | Q(name__in=chunk)).order_by("pk"):
            by_code[party.code] = party
            by_name.setdefault(party.name, []).append(party)
    return by_code, by_name


def _party_of(key: str, context: dict, column: str, errors: dict):
    """The party a row names, by code first, else by exact name; errors on ``column``."""
    if not key:
        errors.setdefault(column, []).append(_("This field is required."))
        return None
    found = context["by_code"].get(key)
    if found is not None:
        return found
    named = context["by_name"].get(key, [])
    if len(named) == 1:
        return named[0]
    if column == "customer":
        message = (
            _("Several customers are named “%(value)s”; give the code.")
            if named
            else _("No customer with the code or name “%(value)s”.")
        )
    else:
        message = (
            _("Several suppliers are named “%(value)s”; give the code.")
            if named
            else _("No supplier with the code or name “%(value)s”.")
        )
    errors.setdefault(column, []).append(message % {"value": key})
    return None


def _clean_common(values: dict, party, default_due, errors: dict) -> dict:
    """Amount, dates, document and note of a row (the services' own rules), errors by column."""
    out: dict = {}
    for key, parse in (
        ("amount", lambda: services.opening_amount_input(values.get("amount", ""))),
        ("document", lambda: services.opening_document_input(values.get("document", ""))),
        ("note", lambda: services.opening_note_input(values.get("note", ""))),
    ):
        try:
            out[key] = parse()
        except ValidationError as exc:
            _merge(errors, exc)
    try:
        # Without the party the default due date is not known yet: the issue date stands in.
        out["issue_date"], out["due_date"] = services.opening_dates_input(
            values.get("issue_date"),
            values.get("due_date"),
            default_due=(lambda day: default_due(party, day)) if party is not None else (lambda day: day),
        )
    except ValidationError as exc:
        _merge(errors, exc)
    return out


# --- opening receivables --------------------------------------------------------------------


def prepare_receivables(rows: list[dict], context: dict) -> None:
    """The customers the rows name that the user may see, and the invoices already carrying the
    rows' document numbers, in a few queries."""
    user = context.get("user")
    visible = Customer.objects.all() if user is None else selectors.visible_customers(user)
    keys = {str(r.get("customer", "") or "").strip() for r in rows} - {""}
    context["by_code"], context["by_name"] = _parties(visible, keys)
    documents = {str(r.get("document", "") or "").strip() for r in rows} - {""}
    taken: dict[str, int] = {}
    for chunk in _chunks(documents):
        taken.update(
            Invoice.objects.filter(source_reference__in=chunk).values_list("source_reference", "customer_id")
        )
    context["taken"] = taken
    context["seen"] = set()


def clean_receivable(values: dict, context: dict) -> dict:
    errors: dict[str, list] = {}
    customer = _party_of(str(values.get("customer", "") or "").strip(), context, "customer", errors)
    out = _clean_common(values, customer, services.due_date_for, errors)
    document = out.get("document")
    if document:
        # An invoice's reference is unique across customers: the old books' invoice numbers are.
        owner = context["taken"].get(document)
        if document in context["seen"]:
            errors.setdefault("document", []).append(_("This document number is in the file twice."))
        elif owner is not None:
            same = customer is not None and owner == customer.pk
            errors.setdefault("document", []).append(
                services.opening_document_taken(document, same_customer=same)
            )
        context["seen"].add(document)
    if errors:
        raise ValidationError(errors)
    return {"customer": customer, **out}


def write_receivable(data: dict, actor) -> None:
    services.opening_invoice_create(user=actor, **data)


# --- opening payables -----------------------------------------------------------------------


def prepare_payables(rows: list[dict], context: dict) -> None:
    """The suppliers the rows name that the user may see, and the bills of theirs already
    carrying the rows' document numbers, in a few queries."""
    user = context.get("user")
    visible = Supplier.objects.all() if user is None else suppliers_visible_to(user)
    keys = {str(r.get("supplier", "") or "").strip() for r in rows} - {""}
    context["by_code"], context["by_name"] = _parties(visible, keys)
    documents = {str(r.get("document", "") or "").strip() for r in rows} - {""}
    taken: set[tuple[int, str]] = set()
    for chunk in _chunks(documents):
        taken.update(
            Bill.objects.filter(supplier_invoice_number__in=chunk).values_list(
                "supplier_id", "supplier_invoice_number"
            )
        )
    context["taken"] = taken
    context["seen"] = set()


def clean_payable(values: dict, context: dict) -> dict:
    errors: dict[str, list] = {}
    supplier = _party_of(str(values.get("supplier", "") or "").strip(), context, "supplier", errors)
    out = _clean_common(values, supplier, bills.due_date_for, errors)
    document = out.get("document")
    if "document" in out and not document:
        errors.setdefault("document", []).append(_("Enter the supplier's invoice number."))
    if document and supplier is not None:
        key = (supplier.pk, document)
        if key in context["seen"]:
            errors.setdefault("document", []).append(_("This document number is in the file twice."))
        elif key in context["taken"]:
            errors.setdefault("document", []).append(
                _("This supplier's invoice %(number)s is already entered.") % {"number": document}
            )
        context["seen"].add(key)
    if errors:
        raise ValidationError(errors)
    return {"supplier": supplier, **out}


def write_payable(data: dict, actor) -> None:
    bills.opening_bill_create(user=actor, **data)


def _notes(party: str, document: str) -> dict:
    """The template's hint per column (lazy: read in the reader's language)."""
    return {
        **{party: gettext_lazy("A code, or the exact name.")},
        "document": document,
        "issue_date": gettext_lazy("YYYY-MM-DD."),
        "due_date": gettext_lazy("YYYY-MM-DD; when empty, the issue date plus the payment terms."),
        "amount": gettext_lazy("What is still open: more than 0, no currency sign."),
        "note": gettext_lazy("Optional."),
    }


def receivables_example_setup(actor) -> None:
    """The customer the opening receivables template's example names (the customers
    template's example)."""
    from crm.customers import services as customer_services
    from crm.customers.importers import CUSTOMER_EXAMPLE

    if not Customer.objects.filter(code=CUSTOMER_EXAMPLE["code"]).exists():
        customer_services.customer_create(
            actor=actor, code=CUSTOMER_EXAMPLE["code"], name=CUSTOMER_EXAMPLE["name"]
        )


def payables_example_setup(actor) -> None:
    """The supplier the opening payables template's example names (the suppliers template's
    example)."""
    from scm.purchasing import services as purchasing_services
    from scm.purchasing.importers import SUPPLIER_EXAMPLE

    if not Supplier.objects.filter(code=SUPPLIER_EXAMPLE["code"]).exists():
        purchasing_services.supplier_create(
            actor=actor, code=SUPPLIER_EXAMPLE["code"], name=SUPPLIER_EXAMPLE["name"]
        )


OPENING_RECEIVABLES = ImportSpec(
    kind="opening_receivables",
    columns=RECEIVABLE_COLUMNS,
    required=["customer", "document", "issue_date", "amount"],
    clean=clean_receivable,
    write=write_receivable,
    aliases=RECEIVABLE_ALIASES,
    prepare=prepare_receivables,
    group=GROUP,
    label=gettext_lazy("Opening receivables (per customer)"),
    labels=RECEIVABLE_LABELS,
    notes=_notes("customer", gettext_lazy("The old invoice number: required, and once only.")),
    example={
        "customer": "KH0001",
        "document": "XS-2025-1186",
        "issue_date": "2025-12-18",
        "due_date": "2026-01-17",
        "amount": 12800,
        "note": "2025年12月货款",
    },
    example_setup=receivables_example_setup,
    roles=(FINANCE,),
)
OPENING_PAYABLES = ImportSpec(
    kind="opening_payables",
    columns=PAYABLE_COLUMNS,
    required=["supplier", "document", "issue_date", "amount"],
    clean=clean_payable,
    write=write_payable,
    aliases=PAYABLE_ALIASES,
    prepare=prepare_payables,
    group=GROUP,
    label=gettext_lazy("Opening payables (per supplier)"),
    labels=PAYABLE_LABELS,
    notes=_notes("supplier", gettext_lazy("The supplier's invoice number (once per supplier).")),
    example={
        "supplier": "GYS0001",
        "document": "88120456",
        "issue_date": "2025-12-05",
        "due_date": "2026-01-04",
        "amount": 36500,
        "note": "12月采购货款",
    },
    example_setup=payables_example_setup,
    roles=(FINANCE,),
)


def install() -> None:
    imports.register(OPENING_RECEIVABLES)
    imports.register(OPENING_PAYABLES)
