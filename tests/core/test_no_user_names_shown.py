"""People are shown by their names (``core.people.display_name``: 张伟), never by the user name they
sign in with. The demo company is loaded once for this module, every user gets a user name unlike
any name (``u_zhangwei_7``), and every page, partial, PDF, export and API answer is fetched by
every role it is granted to (``ACCESS`` of the permission matrix) and searched for those names.

Left out, knowingly: the admin's user pages and the set-password page (there the user name is the
login being handed out), and the API's ``username`` fields (the login of a user)."""

import io
import json
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from rest_framework.test import APIClient

from core.roles import ALL_ROLES
from tests.core.test_permission_matrix import ACCESS, _granted, _object_for, endpoints
from tests.pdf_text import pdf_text

# One worker builds the module's fixture once (``--dist loadgroup``).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-names")]

# Pages whose subject is the login itself.
LOGIN_PAGES = {"setup:users", "setup:user_detail", "set_password", "login"}
# Nothing to read, or signs the client out.
NOT_READ = {"logout", "set_language", "healthz", "favicon", "events:mark_read"}
# The API's own description (its examples are not people).
API_DOCUMENTS = {"api:api-schema", "api:api-docs"}
# Exports behind a query parameter of a list page.
EXPORTS = {
    "customers:list": ("?export=csv", "?export=xlsx"),
    "sales:lead_list": ("?export=csv",),
    "purchasing:supplier_list": ("?export=csv",),
    "purchasing:order_list": ("?export=csv",),
    "planning:settings": ("?export=csv",),
    "aftersales:recall_export": ("?format=csv", "?format=xlsx"),
}

# Path parameters by route (the permission matrix's rules otherwise), named for ``world`` keys.
ROUTE_PARAMS = {
    "customers:contact_create": {"pk": "customer"},
    "customers:contact_edit": {"pk": "customer", "contact_pk": "contact"},
    "customers:merge_do": {"pk": "merge"},
    "sales:prices:price_list_detail": {"pk": "price_list"},
    "sales:prices:price_list_edit": {"pk": "price_list"},
    "sales:prices:promotion_detail": {"pk": "promotion"},
    "sales:prices:promotion_edit": {"pk": "promotion"},
    "service:visit_complete": {"pk": "ticket", "visit_pk": "visit"},
    "service:ticket_parts": {"ticket_id": "ticket"},
    "inventory:lot_detail": {"pk": "lot"},
    "inventory:transfer_detail": {"pk": "transfer"},
    "inventory:count_detail": {"pk": "count"},
    "inventory:tablet_transfer": {"pk": "transfer"},
    "inventory:tablet_count": {"pk": "count"},
    "purchasing:supplier_contact_edit": {"pk": "supplier", "contact_pk": "supplier_contact"},
    "purchasing:receiving_tablet_count": {"pk": "receipt"},
    "purchasing:receipt_detail": {"pk": "receipt"},
    "finance:invoice_detail": {"pk": "invoice"},
    "finance:invoice_pdf": {"pk": "invoice"},
    "finance:bill_detail": {"pk": "bill"},
    "fulfilment:shipment": {"pk": "shipment"},
    "fulfilment:delivery-note": {"pk": "shipment"},
    "fulfilment:carrier-edit": {"pk": "carrier"},
    "aftersales:lot_trace": {"pk": "lot"},
    "aftersales:alert_detail": {"pk": "alert"},
    "aftersales:recall_detail": {"pk": "recall"},
    "aftersales:recall_export": {"pk": "recall"},
    "setup:template_detail": {"key": "template"},
    "setup:wizard_step": {"key": "wizard_step"},
    "import-template": {"kind": "import_kind"},
    "events:replay": {"pk": "delivery"},
    "company-image": {"which": "image"},
    "purchasing:supplier_product_edit": {"pk": "supplier", "item_pk": "supplier_product"},
    "purchasing:supplier_price_create": {"pk": "supplier", "item_pk": "supplier_product"},
    "purchasing:supplier_price_edit": {"pk": "supplier", "item_pk": "supplier_product", "price_pk": "price"},
}
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _first(model, **filters):
    return model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first()


def _ids(rep) -> dict:
    """An object of each kind the pages show, a sales rep's where records have an owner."""
    from core.events.models import Delivery
    from crm.customers.models import Customer, MergeSuggestion
    from crm.sales.models import Activity, Lead, Opportunity, Quote, SalesOrder, SalesOrderLine
    from crm.sales.orders.prices.models import PriceList, Promotion
    from crm.service.models import Engineer, Ticket, Visit
    from finance.models import Invoice
    from finance.payables.models import Bill
    from integration.aftersales.models import QualityAlert, Recall
    from integration.fulfilment.models import Carrier, Shipment
    from scm.inventory.models import CountSession, Lot, Product, Transfer, Warehouse
    from scm.purchasing.models import (
        PurchaseOrder,
        PurchaseOrderLine,
        Receipt,
        Supplier,
        SupplierPrice,
        SupplierProduct,
    )

    customer = Customer.objects.filter(owner=rep, contacts__isnull=False).order_by("pk").first()
    order = SalesOrder.objects.filter(owner=rep).exclude(state="draft").order_by("-pk").first()
    supplier = (
        Supplier.objects.filter(contacts__isnull=False, products__prices__isnull=False).order_by("pk").first()
    )
    ticket = Ticket.objects.filter(visits__isnull=False).order_by("pk").first() or Ticket.objects.first()
    return {
        "customer": customer.pk,
        "contact": customer.contacts.order_by("pk").first().pk,
        "merge": _first(MergeSuggestion),
        "lead": _first(Lead, owner=rep),
        "opportunity": _first(Opportunity, owner=rep),
        "task": _first(Activity, owner=rep),
        "product": _first(Product, is_template=False),
        "warehouse": _first(Warehouse),
        "quote": _first(Quote, owner=rep),
        "order": order.pk,
        "order_line": _first(SalesOrderLine, order=order),
        "supplier": supplier.pk,
        "supplier_contact": supplier.contacts.order_by("pk").first().pk,
        "purchase_order": _first(PurchaseOrder, receipts__isnull=False),
        "purchase_order_line": _first(PurchaseOrderLine),
        "ticket": ticket.pk,
        "visit": _first(Visit, ticket=ticket),
        "service_team": Engineer.objects.order_by("pk").values_list("team_id", flat=True).first(),
        "engineer": _first(Engineer),
        "price_list": _first(PriceList),
        "promotion": _first(Promotion),
        "lot": _first(Lot, moves__isnull=False),
        "transfer": _first(Transfer),
        "count": _first(CountSession),
        "receipt": _first(Receipt),
        "invoice": _first(Invoice, customer=customer) or _first(Invoice),
        "bill": _first(Bill),
        "shipment": _first(Shipment, order=order) or _first(Shipment),
        "carrier": _first(Carrier),
        "alert": _first(QualityAlert),
        "recall": _first(Recall),
        "delivery": _first(Delivery),
        "template": "trade",
        "wizard_step": "profile",
        "image": "logo",
        "supplier_product": _first(SupplierProduct, supplier=supplier),
        "price": _first(SupplierPrice, supplier_product__supplier=supplier),
        "import_kind": "customers",
    }


def path_of(endpoint, ids: dict) -> str:
    named = ROUTE_PARAMS.get(endpoint.name.removeprefix("api:"), {})

    def fill(match):
        converter, param = match.group(1), match.group(2)
        if converter == "uuid":
            return "00000000-0000-4000-8000-000000000000"
        key = named.get(param) or _object_for(endpoint, param)
        return str(ids.get(key) or 987654)

    return "/" + PARAM.sub(fill, endpoint.route).replace("^", "").replace("$", "")


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo company with user names unlike any name, each role's demo user and the ids the
    paths are filled with."""
    from integration.setup.demo import demo_load

    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        demo_load()
        User = get_user_model()
        before = dict(User.objects.values_list("pk", "username"))
        renamed = {}
        for user in User.objects.select_related("person_name").order_by("pk"):
            user.username = f"u_{user.person_name.search_pinyin or 'user'}_{user.pk}"
            user.save(update_fields=["username"])
            renamed[user.pk] = user.username
        users = {role: User.objects.get(pk=pk) for pk, role in before.items() if role in ALL_ROLES}
        yield {
            "users": users,
            "names": sorted(renamed.values(), key=len, reverse=True),
            "ids": _ids(users["sales"]),
        }
        transaction.set_rollback(True)


def _text(response) -> str:
    """What a person would read of a response: the page, the PDF's text, the sheet's cells."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in content_type:
        return pdf_text(body)
    if "spreadsheet" in content_type or body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as sheet:
            return " ".join(
                sheet.read(name).decode("utf-8", "replace")
                for name in sheet.namelist()
                if name.endswith(".xml")
            )
    return body.decode("utf-8", "replace")


def _shown(text: str, names) -> list[str]:
    return [name for name in names if name in text]


def _api_values(data, key=""):
    """Every string in an API answer, but a user's ``username`` (their login)."""
    if isinstance(data, dict):
        for k, v in data.items():
            if k != "username":
                yield from _api_values(v, k)
    elif isinstance(data, list):
        for v in data:
            yield from _api_values(v, key)
    elif isinstance(data, str):
        yield data


def _pages(ids):
    from integration.insights.figures import FIGURES

    for endpoint in endpoints():
        if endpoint.api or endpoint.name in LOGIN_PAGES | NOT_READ:
            continue
        if endpoint.name == "insights:export":
            for key in FIGURES:
                yield endpoint, f"/insights/export/{key}.xlsx"
            continue
        path = path_of(endpoint, ids)
        yield endpoint, path
        for query in EXPORTS.get(endpoint.name, ()):
            yield endpoint, path + query


def test_the_demo_users_have_names_unlike_their_user_names(company):
    users = company["users"]
    assert set(users) == set(ALL_ROLES)
    assert all(str(u) != u.username and str(u) for u in users.values())


@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_page_pdf_or_export_shows_a_user_name(company, role):
    client = Client(raise_request_exception=False)
    client.force_login(company["users"][role])
    found, read = [], 0
    for endpoint, path in _pages(company["ids"]):
        if not _granted(ACCESS[endpoint.name][0], role):
            continue
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200:
            continue
        read += 1
        shown = _shown(_text(response), company["names"])
        if shown:
            found.append(f"{path}: {shown}")
    assert read > 40
    assert found == []


@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_api_answer_shows_a_user_name_but_as_a_login(company, role):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(company["users"][role])
    found, read = [], 0
    for endpoint in endpoints():
        if not endpoint.api or "GET" not in endpoint.methods or endpoint.name in API_DOCUMENTS:
            continue
        if not _granted(ACCESS[endpoint.name][0], role):
            continue
        path = path_of(endpoint, company["ids"])
        response = client.get(path, HTTP_ACCEPT="application/json")
        if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
            continue
        read += 1
        values = " ".join(_api_values(json.loads(response.content)))
        shown = _shown(values, company["names"])
        if shown:
            found.append(f"{path}: {shown}")
    assert read > 20
    assert found == []
