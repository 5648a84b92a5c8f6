"""A customers file gives each customer with its primary contact and its invoicing details
(开票信息), every row checked before any is written."""

import pytest
from django.utils import translation

from core import imports, tabular
from crm.customers.models import Contact, Customer
from tests.crm.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SPEC = imports.SPECS["customers"]
HEADER = [
    "客户编码",
    "客户名称",
    "联系人",
    "联系人电话",
    "联系人邮箱",
    "联系人职务",
    "开票抬头",
    "纳税人识别号",
    "开票地址电话",
    "开户行及账号",
]
TAX_ID = "91310000MA1FL8XQ37"


def _row(code, name, *, contact="", phone="", tax_id=""):
    role = "采购" if contact else ""
    return [code, name, contact, phone, "", role, name, tax_id, "上海市 021-1", "工行 123"]


def _run(rows, actor, *, dry_run=False):
    with translation.override("en"):
        return tabular.import_run(SPEC, HEADER, rows, actor=actor, dry_run=dry_run)


def test_a_customer_row_writes_its_primary_contact_and_invoicing_details(manager_user):
    result = _run([_row("K1", "甲公司", contact="王丽", phone="13800138000", tax_id=TAX_ID)], manager_user)
    assert result.errors == []
    customer = Customer.objects.get(code="K1")
    assert (customer.invoice_title, customer.invoice_tax_id) == ("甲公司", TAX_ID)
    assert customer.invoice_address_phone == "上海市 021-1"
    assert customer.invoice_bank_account == "工行 123"
    contact = Contact.objects.get(customer=customer)
    assert (contact.name, contact.phone, contact.role) == ("王丽", "13800138000", "采购")
    assert contact.is_primary


def test_a_row_without_a_contact_name_writes_no_contact(manager_user):
    assert _run([[*_row("K1", "甲公司")[:2]]], manager_user).errors == []
    assert not Contact.objects.exists()


def test_a_tax_id_is_kept_in_capitals_without_spaces(manager_user):
    _run([_row("K1", "甲公司", tax_id=" 91310000ma1fl8xq37 ")], manager_user)
    assert Customer.objects.get(code="K1").invoice_tax_id == TAX_ID


def test_a_bad_tax_id_in_row_3_is_an_error_there_and_nothing_is_written(manager_user):
    rows = [_row("K1", "甲公司", tax_id=TAX_ID), _row("K2", "乙公司", tax_id="91310000MA1FL8XQ38")]
    result = _run(rows, manager_user)
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "invoice_tax_id")]
    assert "check character" in result.errors[0]["message"]
    assert not Customer.objects.exists()
    assert not Contact.objects.exists()


def test_a_contact_phone_without_the_contacts_name_is_an_error_on_the_name(manager_user):
    result = _run([_row("K1", "甲公司", phone="13800138000")], manager_user)
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "contact_name")]
    assert not Customer.objects.exists()


def test_a_bad_contact_email_is_an_error_on_its_column(manager_user):
    rows = [["K1", "甲公司", "王丽", "", "not-an-email"]]
    result = _run(rows, manager_user)
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "contact_email")]


def test_a_code_twice_in_the_file_and_a_code_in_use_are_errors_naming_row_and_column(manager_user):
    CustomerFactory(code="K0")
    rows = [_row("K1", "甲公司"), _row("K1", "乙公司"), _row("K0", "丙公司")]
    result = _run(rows, manager_user, dry_run=True)
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "code"), (4, "code")]
