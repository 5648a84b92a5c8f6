"""Customers' invoicing details (开票信息): the taxpayer id is checked by the one rule
(``core.taxid``) in the services, so the form, the API and imports refuse a bad one alike, naming
the field and saving nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from crm.customers import services
from crm.customers.models import Customer
from tests.crm.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db

VALID = "91350100M000100Y43"
WRONG_CHECK = "91350100M000100Y44"


def test_a_valid_taxpayer_id_is_saved_in_capitals_without_spaces(sales_user):
    customer = services.customer_create(
        actor=sales_user, name="福州闽江贸易有限公司", invoice_tax_id=" 91350100m000100y43 "
    )
    customer.refresh_from_db()
    assert customer.invoice_tax_id == VALID


def test_a_taxpayer_id_with_a_wrong_check_character_is_refused_and_nothing_saved(sales_user):
    with pytest.raises(ValidationError) as refused:
        services.customer_create(actor=sales_user, name="福州闽江贸易有限公司", invoice_tax_id=WRONG_CHECK)
    assert "invoice_tax_id" in refused.value.message_dict
    assert not Customer.objects.exists()


def test_changing_to_a_bad_taxpayer_id_keeps_the_customers_details(manager_user):
    customer = CustomerFactory(invoice_title="旧抬头", invoice_tax_id=VALID)
    with pytest.raises(ValidationError) as refused:
        services.customer_update(
            customer=customer, actor=manager_user, invoice_title="新抬头", invoice_tax_id="123"
        )
    assert "invoice_tax_id" in refused.value.message_dict
    customer.refresh_from_db()
    assert (customer.invoice_title, customer.invoice_tax_id) == ("旧抬头", VALID)


def test_the_form_shows_a_bad_taxpayer_id_next_to_its_field_and_creates_nothing(client, sales_user):
    client.force_login(sales_user)
    with translation.override("en"):
        response = client.post(
            reverse("customers:create"),
            {
                "name": "福州闽江贸易有限公司",
                "kind": "company",
                "payment_terms_days": 30,
                "stage": "lead",
                "invoice_tax_id": WRONG_CHECK,
            },
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field-error="invoice_tax_id"' in html and "校验位不符" in html  # the page speaks zh-hans
    assert not Customer.objects.exists()


def test_the_form_saves_the_invoicing_details(client, sales_user):
    client.force_login(sales_user)
    response = client.post(
        reverse("customers:create"),
        {
            "name": "福州闽江贸易有限公司",
            "kind": "company",
            "payment_terms_days": 30,
            "stage": "lead",
            "invoice_title": "福州闽江贸易有限公司",
            "invoice_tax_id": VALID,
            "invoice_address_phone": "福州市鼓楼区五四路1号 0591-87654321",
            "invoice_bank_account": "中国银行福州分行 4012 3456 7890",
        },
    )
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.invoice_tax_id == VALID
    assert customer.invoice_bank_account == "中国银行福州分行 4012 3456 7890"


def test_the_form_puts_the_invoicing_details_in_a_fieldset_of_their_own(client, sales_user):
    client.force_login(sales_user)
    html = client.get(reverse("customers:create")).content.decode()
    fieldset = html.split('data-testid="invoicing-details"', 1)[1].split("</fieldset>")[0]
    for name in ("invoice_title", "invoice_tax_id", "invoice_address_phone", "invoice_bank_account"):
        assert f'name="{name}"' in fieldset


def test_the_api_refuses_a_bad_taxpayer_id_naming_the_field(api_client, sales_user):
    api_client.force_authenticate(sales_user)
    response = api_client.post(
        "/api/v1/customers/", {"name": "福州闽江贸易有限公司", "invoice_tax_id": WRONG_CHECK}
    )
    assert response.status_code == 400 and "invoice_tax_id" in response.json()
    assert not Customer.objects.exists()


def test_the_api_saves_and_shows_the_invoicing_details(api_client, sales_user):
    api_client.force_authenticate(sales_user)
    created = api_client.post(
        "/api/v1/customers/",
        {"name": "福州闽江贸易有限公司", "invoice_title": "福州闽江贸易有限公司", "invoice_tax_id": VALID},
    )
    assert created.status_code == 201, created.json()
    shown = api_client.get(f"/api/v1/customers/{created.json()['id']}/").json()
    assert shown["invoice_tax_id"] == VALID and shown["invoice_title"] == "福州闽江贸易有限公司"


def test_the_customer_page_shows_the_invoicing_details_to_copy(client, manager_user):
    customer = CustomerFactory(invoice_title="福州闽江贸易有限公司", invoice_tax_id=VALID)
    client.force_login(manager_user)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    block = html.split('data-testid="invoicing-details"', 1)[1]
    assert VALID in block and "data-copy-target" in block


def test_merging_takes_the_duplicates_invoicing_details_only_as_a_whole(manager_user):
    target = CustomerFactory(invoice_title="", invoice_tax_id="")
    duplicate = CustomerFactory(invoice_title="福州闽江贸易有限公司", invoice_tax_id=VALID)
    services.customer_merge(target=target, duplicate=duplicate, actor=manager_user)
    target.refresh_from_db()
    assert (target.invoice_title, target.invoice_tax_id) == ("福州闽江贸易有限公司", VALID)

    kept = CustomerFactory(invoice_title="自己的抬头")
    other = CustomerFactory(invoice_tax_id=VALID)
    services.customer_merge(target=kept, duplicate=other, actor=manager_user)
    kept.refresh_from_db()
    assert (kept.invoice_title, kept.invoice_tax_id) == ("自己的抬头", "")
