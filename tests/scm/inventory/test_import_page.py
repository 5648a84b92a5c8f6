"""The inventory import page: each role is offered the kinds it may import (products for the
catalogue's editors, opening stock for the warehouse), a preview writes nothing, and a confirmed
file is written by the task."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.models import ImportPreview
from scm.inventory.models import Product, StockMove
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _kinds(response) -> list[str]:
    return [kind for kind, _label in response.context["kinds"]]


def _upload(client, kind, body: str, name="f.csv"):
    return client.post(
        reverse("inventory:import"), {"kind": kind, "file": SimpleUploadedFile(name, body.encode())}
    )


def test_purchasing_is_offered_products_and_the_warehouse_opening_stock_and_bins(
    client, purchasing_user, warehouse_user
):
    client.force_login(purchasing_user)
    assert _kinds(client.get(reverse("inventory:import"))) == ["products"]
    client.force_login(warehouse_user)
    assert _kinds(client.get(reverse("inventory:import"))) == ["opening_stock", "locations"]


def test_an_admin_is_offered_every_kind(client, admin_user):
    client.force_login(admin_user)
    assert _kinds(client.get(reverse("inventory:import"))) == ["products", "opening_stock", "locations"]


def test_the_warehouse_cannot_import_products(client, warehouse_user):
    client.force_login(warehouse_user)
    response = _upload(client, "products", "sku,name,base_unit\nA,a,个\n")
    assert "kind" in response.context["form"].errors
    assert not ImportPreview.objects.exists()


def test_a_products_file_is_previewed_then_written_on_confirmation(
    client, purchasing_user, django_capture_on_commit_callbacks
):
    client.force_login(purchasing_user)
    response = _upload(client, "products", "商品编码,商品名称,基本单位,单位2,单位2换算\nA-1,绿茶,个,箱,24\n")
    assert response.context["result"].ok, response.context["result"].errors
    assert not Product.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("inventory:import"), {"token": response.context["token"]})
    preview = ImportPreview.objects.get()
    assert confirmed["Location"] == reverse("inventory:import_status", args=[preview.pk])
    assert preview.state == ImportPreview.State.DONE
    assert Product.objects.get(sku="A-1").units.get().name == "箱"


def test_an_opening_stock_file_with_an_error_lists_it_by_row_and_column(client, warehouse_user):
    ProductFactory(sku="A-1")
    WarehouseFactory(code="BJ")
    client.force_login(warehouse_user)
    response = _upload(client, "opening_stock", "sku,warehouse,quantity\nA-1,BJ,5\nA-1,SH,-1\n")
    errors = [(e["row"], e["column"]) for e in response.context["result"].errors]
    assert errors == [(3, "warehouse"), (3, "quantity")]
    assert "token" not in response.context
    assert not StockMove.objects.exists()


def test_the_status_page_shows_the_outcome_to_whoever_imported(
    client, warehouse_user, django_capture_on_commit_callbacks
):
    ProductFactory(sku="A-1")
    WarehouseFactory(code="BJ")
    client.force_login(warehouse_user)
    token = _upload(client, "opening_stock", "sku,warehouse,quantity\nA-1,BJ,5\n").context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inventory:import"), {"token": token})
    response = client.get(reverse("inventory:import_status", args=[token]))
    assert response.status_code == 200 and response.context["preview"].imported == 1
    assert StockMove.objects.get().quantity == 5
