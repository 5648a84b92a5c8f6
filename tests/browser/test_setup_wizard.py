"""The set-up wizard in a real browser, from the home page's banner to the checklist
(screenshots in test-artifacts/)."""

import io

import pytest

from tests.browser.conftest import DESKTOP, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGBA", (200, 200), (255, 255, 255, 0))
    ImageDraw.Draw(picture).ellipse((10, 10, 190, 190), outline=(200, 16, 46, 255), width=10)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def test_an_admin_walks_the_wizard(admin_user, open_page, screenshot, settings, tmp_path):
    from core.taxid import check_character

    settings.MEDIA_ROOT = tmp_path / "media"
    page = open_page(DESKTOP)
    login(page, admin_user.username)
    page.wait_for_selector("[data-banner='setup.continue']")
    screenshot(page, "setup-home-banner")

    page.click("[data-banner='setup.continue'] a")
    page.wait_for_selector("[data-testid=wizard-step][data-step=profile]")
    screenshot(page, "setup-profile-empty")
    page.fill("#id_legal_name", "上海华通贸易有限公司")
    page.fill("#id_short_name", "华通贸易")
    page.fill("#id_tax_id", "12345")
    page.fill("#id_address", "上海市静安区南京西路1266号")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-field-error=tax_id]")
    screenshot(page, "setup-profile-error")
    page.fill("#id_tax_id", "91310000MA1FL5GX2" + check_character("91310000MA1FL5GX2"))
    page.fill("#id_phone", "021-6288 0000")
    page.fill("#id_bank_name", "中国工商银行上海静安支行")
    page.fill("#id_bank_account", "1001 2345 6789 0123 456")
    page.set_input_files("#id_logo", {"name": "logo.png", "mimeType": "image/png", "buffer": png()})
    page.set_input_files("#id_seal", {"name": "seal.png", "mimeType": "image/png", "buffer": png()})
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=wizard-step][data-step=template]")
    assert page.locator("[data-step=profile][data-state=done]").count() == 1
    page.click("[data-testid=skip]")
    page.wait_for_selector("[data-testid=wizard-step][data-step=warehouses]")

    for code, name, region in (("SH01", "上海浦东仓", "华东"), ("BJ01", "北京大兴仓", "华北")):
        page.fill("#id_code", code)
        page.fill("#id_name", name)
        page.fill("#id_region", region)
        page.click("[data-testid=save-warehouse]")
        page.wait_for_selector(f"[data-warehouse={code}]")
    page.click("[data-warehouse=SH01] [data-testid=edit]")
    page.wait_for_selector("#warehouse-form input[name=warehouse]", state="attached")
    screenshot(page, "setup-warehouses")
    page.click("[data-testid=continue]")
    page.wait_for_selector("[data-testid=wizard-step][data-step=users]")
    page.click("[data-testid=skip]")

    page.wait_for_selector("[data-testid=wizard-step][data-step=customers]")
    bad = "name,credit_limit\n甲公司,100\n,abc\n".encode()
    page.set_input_files("#id_file", {"name": "customers.csv", "mimeType": "text/csv", "buffer": bad})
    page.click("[data-testid=wizard-step] form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_selector("[data-testid=import-errors]")
    screenshot(page, "setup-import-errors")
    good = "name,phone\n上海华联超市,021-1\n北京物美商业,010-2\n".encode()
    page.set_input_files("#id_file", {"name": "customers.csv", "mimeType": "text/csv", "buffer": good})
    page.click("[data-testid=wizard-step] form[enctype='multipart/form-data'] button[type=submit]")
    page.click("[data-testid=import-confirm]")
    page.wait_for_selector("[data-testid=import-done]")
    screenshot(page, "setup-import-done")

    page.click("[data-step=opening_stock]")
    page.wait_for_selector("[data-testid=wizard-step][data-step=opening_stock]")
    screenshot(page, "setup-opening-stock")
    page.click("[data-step=checklist]")
    page.wait_for_selector("[data-testid=checklist]")
    screenshot(page, "setup-checklist")
    assert page.locator("[data-item=warehouses][data-done=true]").count() == 1
    page.click("[data-testid=finish]")
    page.wait_for_selector("[data-testid=main-nav]", state="attached")
    assert page.locator("[data-banner='setup.continue']").count() == 0
    page.goto("/company/")
    page.wait_for_selector("[data-testid=current-logo]")
    screenshot(page, "setup-company-profile")
