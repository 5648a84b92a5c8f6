"""The set-up wizard: resumable, each step skippable and revisitable, progress on a step bar;
form, link, import and checklist steps; admins only; the home page's banner until finished."""

import re
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.company import company_profile_update
from core.models import AuditLog, ImportPreview
from core.taxid import check_character
from crm.customers.models import Customer
from integration.setup import wizard
from integration.setup.demo import DemoContext
from integration.setup.models import SetupProgress
from scm.inventory.models import Warehouse
from tests.crm.customers.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

TAX_ID = "91310000MA1FL5GX2" + check_character("91310000MA1FL5GX2")


@pytest.fixture(autouse=True)
def _in_english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def step_url(key):
    return reverse("setup:wizard_step", args=[key])


def offered_keys():
    return [step.key for step in wizard.steps_offered()]


def step_bar(page: str) -> dict:
    """The step bar's steps and their states, in order."""
    return dict(re.findall(r'data-step="([^"]+)" data-state="([^"]+)"', page))


def complete_profile(user):
    company_profile_update(
        actor=user, data={"legal_name": "上海华通贸易有限公司", "tax_id": TAX_ID, "address": "上海市静安区"}
    )


# --- resuming, skipping, revisiting ----------------------------------------------------------------


def test_a_new_company_starts_at_the_company_profile(admin):
    assert admin.get(reverse("setup:wizard"))["Location"] == step_url("profile")


def test_reopening_goes_to_the_first_step_not_done(admin, admin_user):
    keys = offered_keys()
    for key in keys[: keys.index("customers")]:
        wizard.step_state_set(key=key, state="done")
    assert admin.get(reverse("setup:wizard"))["Location"] == step_url("customers")


def test_a_step_whose_data_is_there_counts_as_done(admin, admin_user):
    complete_profile(admin_user)
    WarehouseFactory()
    keys = offered_keys()
    resumed = admin.get(reverse("setup:wizard"))["Location"]
    first_open = next(k for k in keys if k not in {"profile", "warehouses"})
    assert resumed == step_url(first_open)
    states = step_bar(admin.get(resumed).content.decode())
    assert states["profile"] == states["warehouses"] == "done"


def test_a_skipped_step_is_passed_over_and_can_be_opened_again(admin):
    response = admin.post(reverse("setup:wizard_skip", args=["profile"]))
    keys = offered_keys()
    assert response["Location"] == step_url(keys[1])
    assert admin.get(reverse("setup:wizard"))["Location"] == step_url(keys[1])
    page = admin.get(step_url("profile")).content.decode()
    assert step_bar(page)["profile"] == "skipped"
    assert 'data-testid="company-profile-form"' in page


def test_a_skipped_step_done_later_is_done(admin):
    admin.post(reverse("setup:wizard_skip", args=["warehouses"]))
    admin.post(reverse("setup:wizard_done", args=["warehouses"]))
    assert SetupProgress.objects.get().state_of("warehouses") == "done"


def test_an_unknown_step_is_not_found(admin):
    assert admin.get(step_url("nonsense")).status_code == 404
    assert admin.post(reverse("setup:wizard_skip", args=["nonsense"])).status_code == 404


def test_the_step_bar_shows_where_the_admin_is_and_what_is_done(admin, admin_user):
    WarehouseFactory()
    admin.post(reverse("setup:wizard_skip", args=["profile"]))
    page = admin.get(step_url("customers")).content.decode()
    total, number = len(offered_keys()), offered_keys().index("customers") + 1
    assert f"Step {number} of {total} · 1 done" in page
    states = step_bar(page)
    assert list(states) == offered_keys()
    assert (states["profile"], states["warehouses"], states["customers"]) == ("skipped", "done", "todo")
    assert re.search(r'data-step="warehouses"[^>]*>.*?1 warehouse<', page, re.S)
    assert 'aria-current="step"' in page.split('data-step="customers"')[1].split(">")[0] + ">"


# --- a form step: the company profile --------------------------------------------------------------


def test_the_profile_step_saves_and_moves_on(admin):
    response = admin.post(
        step_url("profile"),
        {
            "legal_name": "上海华通贸易有限公司",
            "tax_id": TAX_ID,
            "fiscal_year_start": "1",
            "base_currency": "CNY",
        },
    )
    assert response["Location"] == step_url(offered_keys()[1])
    assert SetupProgress.objects.get().state_of("profile") == "done"


def test_a_bad_tax_id_in_the_profile_step_stays_with_the_error(admin):
    response = admin.post(
        step_url("profile"),
        {"legal_name": "甲", "tax_id": "12345", "fiscal_year_start": "1", "base_currency": "CNY"},
    )
    assert response.status_code == 200
    assert 'data-field-error="tax_id"' in response.content.decode()
    assert SetupProgress.objects.get().state_of("profile") == "todo"


# --- the warehouses step ---------------------------------------------------------------------------


def test_the_warehouses_step_adds_a_warehouse(admin, admin_user):
    data = {"code": "bj01", "name": "北京仓", "region": "华北", "address": "北京市大兴区", "is_active": "on"}
    response = admin.post(step_url("warehouses"), data)
    assert response["Location"] == step_url("warehouses")
    warehouse = Warehouse.objects.get()
    assert (warehouse.code, warehouse.name, warehouse.region, warehouse.is_active) == (
        "BJ01",
        "北京仓",
        "华北",
        True,
    )
    assert AuditLog.objects.filter(action="inventory.warehouse_created", actor=admin_user).exists()
    page = admin.get(step_url("warehouses")).content.decode()
    assert 'data-warehouse="BJ01"' in page


def test_the_warehouses_step_changes_a_warehouse(admin):
    warehouse = WarehouseFactory(code="SH01", name="上海仓")
    form = admin.get(step_url("warehouses"), {"edit": warehouse.pk}).content.decode()
    assert 'value="上海仓"' in form
    admin.post(step_url("warehouses"), {"warehouse": warehouse.pk, "code": "SH01", "name": "上海浦东仓"})
    warehouse.refresh_from_db()
    assert (warehouse.name, warehouse.is_active) == ("上海浦东仓", False)


def test_a_taken_warehouse_code_is_shown_next_to_the_code(admin):
    WarehouseFactory(code="GZ01")
    response = admin.post(step_url("warehouses"), {"code": "gz01", "name": "广州二仓", "is_active": "on"})
    page = response.content.decode()
    assert 'data-field-error="code"' in page
    assert "Another warehouse already has the code “GZ01”." in page
    assert Warehouse.objects.count() == 1


def test_the_warehouse_list_costs_the_same_queries_for_more_warehouses(admin, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    WarehouseFactory()
    admin.get(step_url("warehouses"))
    with CaptureQueriesContext(connection) as few:
        admin.get(step_url("warehouses"))
    for _ in range(60):
        WarehouseFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin.get(step_url("warehouses")).content.decode()
    assert page.count("data-warehouse=") == 50


# --- an import step --------------------------------------------------------------------------------


def _upload(client, key, name, text, kind="customers"):
    return client.post(step_url(key), {"kind": kind, "file": SimpleUploadedFile(name, text.encode())})


def test_a_customers_import_runs_inside_the_wizard(admin, django_capture_on_commit_callbacks):
    bad = _upload(admin, "customers", "bad.csv", "name,credit_limit\n甲公司,100\n,abc\n")
    page = bad.content.decode()
    assert 'data-testid="wizard-step" data-step="customers"' in page
    assert 'data-error-row="3"' in page
    assert {(e["row"], e["column"]) for e in bad.context["result"].errors} >= {
        (3, "name"),
        (3, "credit_limit"),
    }
    assert not Customer.objects.exists()

    good = _upload(admin, "customers", "good.csv", "name,phone\n甲公司,010-1\n乙公司,010-2\n")
    assert 'data-testid="import-preview"' in good.content.decode()
    token = good.context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = admin.post(step_url("customers"), {"token": token})
    status_url = reverse("setup:wizard_import_status", args=[token])
    assert confirmed["Location"] == status_url
    status = admin.get(status_url).content.decode()
    assert 'data-testid="wizard-step" data-step="customers"' in status
    assert 'data-state="done"' in status and 'data-testid="import-done"' in status
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["乙公司", "甲公司"]
    assert ImportPreview.objects.get(pk=token).state == ImportPreview.State.DONE
    assert step_bar(status)["customers"] == "done"


def test_the_import_status_polls_only_its_status_part(admin, django_capture_on_commit_callbacks):
    token = _upload(admin, "customers", "c.csv", "name\n甲公司\n").context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(step_url("customers"), {"token": token})
    polled = admin.get(reverse("setup:wizard_import_status", args=[token]), headers={"HX-Request": "true"})
    assert polled.content.decode().lstrip().startswith('<div id="import-status"')


def test_an_import_step_offers_only_its_own_kinds(admin):
    response = _upload(admin, "customers", "l.csv", "name\n张三\n", kind="leads")
    assert response.context["form"].errors["kind"]


def test_kinds_not_registered_are_not_offered_and_the_step_says_so(admin, monkeypatch):
    step = wizard.Step("stock", "Opening stock", "", wizard.IMPORT, kinds=("customers", "no_such_kind"))
    monkeypatch.setattr(wizard, "STEPS", [step, *wizard.STEPS[-1:]])
    page = admin.get(step_url("stock")).content.decode()
    assert re.findall(r'<option value="([^"]+)"', page) == ["customers"]
    assert 'data-testid="kinds-missing"' in page and "no_such_kind" in page


def test_a_step_of_kinds_none_registered_offers_no_upload(admin, monkeypatch):
    step = wizard.Step("stock", "Opening stock", "", wizard.IMPORT, kinds=("no_such_kind",))
    monkeypatch.setattr(wizard, "STEPS", [step, *wizard.STEPS[-1:]])
    page = admin.get(step_url("stock")).content.decode()
    assert 'data-testid="kinds-missing"' in page and 'type="file"' not in page


def test_each_kinds_template_file_is_offered_once(admin):
    page = admin.get(step_url("customers")).content.decode()
    for kind in ("customers", "contacts"):
        assert page.count(f'href="{reverse("import-template", args=[kind])}"') == 1


# --- a link step -----------------------------------------------------------------------------------


@pytest.fixture
def link_step(monkeypatch):
    """A link step to a page that exists (the company profile) and one to a page that does not."""
    linked = wizard.Step("company", "Company page", "", wizard.LINK, url_name="company-profile")
    missing = replace(linked, key="nowhere", url_name="setup:no_such_page")
    monkeypatch.setattr(wizard, "STEPS", [linked, missing, *wizard.STEPS[-1:]])
    return linked


def test_a_link_step_opens_its_page_which_returns_to_the_step(admin, link_step):
    page = admin.get(step_url("company")).content.decode()
    opened = re.search(r'href="([^"]+)" data-testid="open-step-page"', page).group(1)
    assert opened == "/company/?next=%2Fsetup%2Fstep%2Fcompany%2F"
    form = admin.get(opened.replace("&amp;", "&")).content.decode()
    assert 'name="next" value="/setup/step/company/"' in form
    saved = admin.post(
        "/company/",
        {
            "legal_name": "甲公司",
            "fiscal_year_start": "1",
            "base_currency": "CNY",
            "next": "/setup/step/company/",
        },
    )
    assert saved["Location"] == step_url("company")


def test_a_link_step_to_a_page_not_there_is_not_offered(admin, link_step):
    page = admin.get(step_url("company")).content.decode()
    assert list(step_bar(page)) == ["company", "checklist"]
    assert admin.get(step_url("nowhere")).status_code == 404


# --- the checklist ---------------------------------------------------------------------------------


def checklist_done(admin) -> dict:
    page = admin.get(step_url("checklist")).content.decode()
    return {key: done == "true" for key, done in re.findall(r'data-item="([^"]+)" data-done="([^"]+)"', page)}


def test_checklist_items_turn_done_as_the_data_appears(admin, admin_user):
    before = checklist_done(admin)
    assert not any(before[k] for k in ("profile", "warehouses", "customers", "products", "first_order"))
    complete_profile(admin_user)
    WarehouseFactory()
    CustomerFactory()
    ProductFactory()
    after = checklist_done(admin)
    assert after["profile"] and after["warehouses"] and after["customers"] and after["products"]
    assert not after["opening_stock"] and not after["first_order"]


def test_the_checklist_follows_the_first_order_to_its_shipment(admin, sales_user):
    from crm.sales.models import SalesOrder
    from crm.sales.orders import services as order_services

    customer = CustomerFactory(owner=sales_user)
    order = order_services.order_create(
        customer=customer, owner=sales_user, lines=[{"product": ProductFactory(), "quantity": "1"}]
    )
    assert [checklist_done(admin)[k] for k in ("first_order", "order_confirmed", "order_shipped")] == [
        True,
        False,
        False,
    ]
    SalesOrder.objects.filter(pk=order.pk).update(state=SalesOrder.State.CONFIRMED)
    assert checklist_done(admin)["order_confirmed"] and not checklist_done(admin)["order_shipped"]
    SalesOrder.objects.filter(pk=order.pk).update(state=SalesOrder.State.SHIPPED)
    assert checklist_done(admin)["order_shipped"]


def test_the_checklist_links_to_the_order_form(admin):
    page = admin.get(step_url("checklist")).content.decode()
    item = page.split('data-item="first_order"')[1].split("</li>")[0]
    assert f'href="{reverse("sales:orders:order_create")}"' in item


def test_finishing_the_set_up_is_recorded_and_audited(admin, admin_user):
    response = admin.post(reverse("setup:wizard_finish"))
    assert response["Location"] == reverse("home")
    assert SetupProgress.objects.get().finished_at is not None
    assert AuditLog.objects.filter(action="setup.finished", actor=admin_user).exists()
    assert step_bar(admin.get(step_url("checklist")).content.decode())["checklist"] == "done"


# --- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sales", "manager"])
def test_only_admins_use_the_wizard(client, user_with_role, role):
    client.force_login(user_with_role(role))
    assert client.get(reverse("setup:wizard")).status_code == 403
    assert client.get(step_url("warehouses")).status_code == 403
    assert client.post(step_url("warehouses"), {"code": "X", "name": "X"}).status_code == 403
    assert client.post(reverse("setup:wizard_skip", args=["profile"])).status_code == 403
    assert client.post(reverse("setup:wizard_finish")).status_code == 403
    assert not SetupProgress.objects.exists() and not Warehouse.objects.exists()


# --- the home page's banner ------------------------------------------------------------------------


def banner(client) -> str | None:
    page = client.get(reverse("home")).content.decode()
    found = re.search(r'data-banner="setup.continue">.*?<a [^>]*>([^<]+)</a>', page, re.S)
    return found.group(1) if found else None


def test_an_admin_is_asked_to_continue_an_unfinished_set_up(admin):
    total = len(offered_keys())
    assert banner(admin) == f"Start set-up (0 of {total})"
    admin.post(reverse("setup:wizard_skip", args=["profile"]))
    admin.post(reverse("setup:wizard_done", args=["warehouses"]))
    assert banner(admin) == f"Continue set-up (2 of {total})"
    admin.post(reverse("setup:wizard_finish"))
    assert banner(admin) is None


def test_other_roles_never_see_the_set_up_banner(client, sales_user):
    client.force_login(sales_user)
    assert banner(client) is None


def test_the_demo_company_is_set_up_as_finished(admin, admin_user):
    from integration.setup import wizard_demo

    wizard_demo.build(DemoContext(users={"admin": admin_user}))
    assert SetupProgress.objects.get().finished_at is not None
    assert banner(admin) is None


# --- the way back from a step's own pages ------------------------------------------------------


def test_pages_opened_from_a_link_step_lead_back_to_that_step(admin):
    admin.get(step_url("template"))
    detail = admin.get(reverse("setup:template_detail", args=["trade"])).content.decode()
    assert 'data-testid="setup-return"' in detail
    assert f'href="{step_url("template")}"' in detail


def test_the_way_back_is_gone_once_the_admin_is_back_in_the_wizard(admin):
    admin.get(step_url("users"))
    admin.get(step_url("customers"))
    assert 'data-testid="setup-return"' not in admin.get(reverse("setup:users")).content.decode()


def test_a_page_not_opened_from_the_wizard_has_no_way_back(admin):
    assert 'data-testid="setup-return"' not in admin.get(reverse("setup:templates")).content.decode()
