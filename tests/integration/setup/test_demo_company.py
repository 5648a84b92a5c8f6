"""The demo company's profile (name, a valid tax id, bank, a logo and a seal that documents can
draw) and the invoicing details of about half of the demo customers, given once."""

import pytest
from PIL import Image

from core.company import company_profile
from core.models import CompanyProfile
from core.taxid import is_valid
from crm.customers.models import Customer
from integration.setup import demo_company
from integration.setup.demo import DemoContext
from tests.crm.customers.factories import CustomerFactory
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _customers(n=6):
    cities = ["北京市朝阳区建国路1号", "上海市浦东新区世纪大道2号", "广州市天河区天河路3号"]
    return [CustomerFactory(code=f"C{i:05d}", address=cities[i % 3]) for i in range(n)]


def test_the_demo_company_has_a_full_profile_with_a_valid_tax_id(media):
    demo_company.build(DemoContext())
    profile = CompanyProfile.objects.get(pk=1)
    assert profile.legal_name == "北京同行商贸有限公司" and profile.short_name
    assert is_valid(profile.tax_id)
    assert "北京" in profile.address and profile.phone
    assert profile.bank_name == "招商银行北京分行" and profile.bank_account
    assert (profile.fiscal_year_start, profile.base_currency) == (1, "CNY")


def test_the_logo_and_the_seal_are_pictures_in_the_default_storage(media):
    demo_company.build(DemoContext())
    profile = CompanyProfile.objects.get(pk=1)
    for field in (profile.logo, profile.seal):
        with Image.open(media / field.name) as image:
            assert image.format == "PNG" and image.mode == "RGBA"
    with Image.open(media / profile.seal.name) as seal:
        red, green, blue, _alpha = seal.getpixel((seal.width // 2, seal.height // 2))  # the star
        assert red > 180 and green < 60 and blue < 60


def test_loading_twice_keeps_one_logo_and_one_seal_file(media):
    demo_company.build(DemoContext())
    demo_company.build(DemoContext())
    profile = CompanyProfile.objects.get(pk=1)
    assert len(list((media / "company").iterdir())) == 2
    assert {profile.logo.name, profile.seal.name} == {
        f"company/{p.name}" for p in (media / "company").iterdir()
    }


def test_every_other_customer_gets_valid_invoicing_details_once(media):
    _customers(6)
    ctx = DemoContext()
    demo_company.build(ctx)
    given = {c.code: c for c in Customer.objects.exclude(invoice_tax_id="")}
    assert sorted(given) == ["C00000", "C00002", "C00004"]
    assert all(is_valid(c.invoice_tax_id) and c.invoice_title == c.name for c in given.values())
    assert given["C00004"].invoice_tax_id[2:4] == "31"  # a 上海 district, as its address
    before = list(Customer.objects.order_by("code").values_list("invoice_tax_id", "invoice_bank_account"))
    demo_company.build(ctx)
    assert (
        list(Customer.objects.order_by("code").values_list("invoice_tax_id", "invoice_bank_account"))
        == before
    )
    assert ctx.log[-1].endswith("; 3 customers with invoicing details")


def test_a_document_of_the_demo_company_carries_its_logo_and_seal(media):
    from decimal import Decimal

    from core.pdf import render_document

    demo_company.build(DemoContext())
    pdf = render_document(
        title="发票",
        number="INV-1",
        columns=["产品"],
        rows=[["矿泉水"]],
        amount_in_words=Decimal("1"),
        sealed=True,
        profile=company_profile(),
    )
    assert pdf.count(b"/Subtype /Image") >= 2
    assert pdf_text(pdf).startswith("北京同行商贸有限公司\n")
