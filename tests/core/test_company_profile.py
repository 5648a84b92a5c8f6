"""The company profile: the one service that changes it (checks first, nothing half-saved), its
page for admins and its API."""

import io
import json
import random
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder

from core.company import company_name, company_profile, company_profile_update
from core.models import AuditLog, CompanyProfile
from core.taxid import check_character

pytestmark = pytest.mark.django_db

TAX_ID = "91110105MA01K7TQ8" + check_character("91110105MA01K7TQ8")
BAD_TAX_ID = TAX_ID[:-1] + ("0" if TAX_ID[-1] != "0" else "1")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image(name="logo.png", fmt="PNG", size=(16, 16), noise=False):
    from PIL import Image

    if noise:  # incompressible: the file is about as large as its pixels
        picture = Image.frombytes("RGB", size, random.Random(7).randbytes(size[0] * size[1] * 3))
    else:
        picture = Image.new("RGB", size, (13, 110, 253))
    buffer = io.BytesIO()
    picture.save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def text_as_png():
    return SimpleUploadedFile("logo.png", b"not a picture, only words\n" * 20, content_type="image/png")


def png_claiming(width, height):
    """A tiny PNG whose header claims a huge picture (a decompression bomb's first bytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    data = zlib.compress(b"\x00" * 64)
    idat = struct.pack(">I", len(data)) + b"IDAT" + data + struct.pack(">I", zlib.crc32(b"IDAT" + data))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return SimpleUploadedFile("bomb.png", b"\x89PNG\r\n\x1a\n" + ihdr + idat + end, content_type="image/png")


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


# --- the service ---------------------------------------------------------------------------------


def test_the_first_save_creates_the_profile_row(admin_user):
    company_profile_update(actor=admin_user, data={"legal_name": "北京同行商贸有限公司", "tax_id": TAX_ID})
    profile = CompanyProfile.objects.get()
    assert (profile.pk, profile.legal_name, profile.tax_id) == (1, "北京同行商贸有限公司", TAX_ID)
    assert company_name() == "北京同行商贸有限公司"


def test_a_tax_id_is_kept_without_spaces_in_capitals(admin_user):
    spaced = f"{TAX_ID[:6]} {TAX_ID[6:12].lower()} {TAX_ID[12:]}"
    assert company_profile_update(actor=admin_user, data={"tax_id": spaced}).tax_id == TAX_ID


def test_only_the_fields_given_change(admin_user):
    company_profile_update(actor=admin_user, data={"legal_name": "甲公司", "phone": "010-1"})
    company_profile_update(actor=admin_user, data={"phone": "010-2"})
    profile = company_profile()
    assert (profile.legal_name, profile.phone) == ("甲公司", "010-2")


def test_a_bad_tax_id_names_the_field_and_saves_nothing(admin_user):
    errors = errors_of(
        lambda: company_profile_update(actor=admin_user, data={"legal_name": "甲公司", "tax_id": BAD_TAX_ID})
    )
    assert list(errors) == ["tax_id"]
    assert not CompanyProfile.objects.exists()


@pytest.mark.parametrize("month", [0, 13, "²", "1.5", True, "", None])
def test_a_fiscal_month_outside_1_to_12_is_refused(admin_user, month):
    errors = errors_of(lambda: company_profile_update(actor=admin_user, data={"fiscal_year_start": month}))
    assert list(errors) == ["fiscal_year_start"]


@pytest.mark.parametrize("currency", ["RMB1", "¥", "US", "", 156])
def test_a_currency_that_is_not_a_three_letter_code_is_refused(admin_user, currency):
    errors = errors_of(lambda: company_profile_update(actor=admin_user, data={"base_currency": currency}))
    assert list(errors) == ["base_currency"]


def test_a_currency_is_kept_in_capitals(admin_user):
    assert company_profile_update(actor=admin_user, data={"base_currency": "usd"}).base_currency == "USD"


def test_every_bad_field_is_named_at_once(admin_user):
    errors = errors_of(
        lambda: company_profile_update(
            actor=admin_user,
            data={"tax_id": "123", "fiscal_year_start": 13, "legal_name": ["a list"]},
            logo=text_as_png(),
        )
    )
    assert set(errors) == {"tax_id", "fiscal_year_start", "legal_name", "logo"}


def test_a_nul_character_in_a_name_is_refused(admin_user):
    errors = errors_of(lambda: company_profile_update(actor=admin_user, data={"address": "北京\x00"}))
    assert list(errors) == ["address"]


def test_a_name_over_its_length_is_refused(admin_user):
    errors = errors_of(lambda: company_profile_update(actor=admin_user, data={"legal_name": "名" * 201}))
    assert list(errors) == ["legal_name"]
    assert not CompanyProfile.objects.exists()


def test_a_logo_and_a_seal_are_kept_named_for_their_format(admin_user):
    profile = company_profile_update(
        actor=admin_user, data={}, logo=image("whatever.exe"), seal=image("seal", fmt="JPEG")
    )
    assert profile.logo.name.startswith("company/logo") and profile.logo.name.endswith(".png")
    assert profile.seal.name.endswith(".jpg")
    assert profile.logo.storage.exists(profile.logo.name)


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(text_as_png, id="a text file renamed .png"),
        pytest.param(lambda: image(fmt="GIF"), id="a GIF"),
        pytest.param(lambda: image(size=(1000, 1000), noise=True), id="a 3 MB image"),
        pytest.param(lambda: png_claiming(20000, 20000), id="a decompression bomb"),
        pytest.param(
            lambda: SimpleUploadedFile("logo.png", b"", content_type="image/png"), id="an empty file"
        ),
    ],
)
def test_a_logo_that_is_not_a_small_image_names_the_field_and_keeps_the_old_one(admin_user, upload):
    before = company_profile_update(actor=admin_user, data={"legal_name": "甲公司"}, logo=image())
    errors = errors_of(
        lambda: company_profile_update(actor=admin_user, data={"legal_name": "乙公司"}, logo=upload())
    )
    assert list(errors) == ["logo"]
    after = company_profile()
    assert (after.legal_name, after.logo.name) == ("甲公司", before.logo.name)
    assert after.logo.storage.exists(after.logo.name)


def test_the_3_mb_image_is_refused_for_its_size(admin_user):
    upload = image(size=(1000, 1000), noise=True)
    assert upload.size > 2 * 1024 * 1024
    with translation.override("en"):
        errors = errors_of(lambda: company_profile_update(actor=admin_user, data={}, seal=upload))
    assert errors == {"seal": ["The image is too large (at most 2.0 MB)."]}


def test_a_replaced_logo_file_is_deleted_after_the_commit(admin_user, django_capture_on_commit_callbacks):
    old = company_profile_update(actor=admin_user, data={}, logo=image()).logo.name
    with django_capture_on_commit_callbacks(execute=True):
        new = company_profile_update(actor=admin_user, data={}, logo=image("new.webp", fmt="WEBP")).logo.name
    storage = company_profile().logo.storage
    assert new.endswith(".webp") and storage.exists(new)
    assert not storage.exists(old)


def test_clearing_the_seal_removes_it(admin_user, django_capture_on_commit_callbacks):
    name = company_profile_update(actor=admin_user, data={}, seal=image()).seal.name
    with django_capture_on_commit_callbacks(execute=True):
        profile = company_profile_update(actor=admin_user, data={}, clear_seal=True)
    assert not profile.seal and not profile.seal.storage.exists(name)


def test_a_change_is_audited_with_the_fields_it_changed(admin_user):
    company_profile_update(actor=admin_user, data={"legal_name": "甲公司", "phone": ""}, logo=image())
    entry = AuditLog.objects.get(action="company.profile_updated")
    assert entry.actor == admin_user
    assert entry.data["changed"] == ["legal_name", "logo"]
    assert entry.data["legal_name"] == "甲公司"


# --- the page ------------------------------------------------------------------------------------


def test_an_admin_saves_the_profile_on_its_page(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("company-profile"),
        {
            "legal_name": "北京同行商贸有限公司",
            "tax_id": TAX_ID,
            "fiscal_year_start": "4",
            "base_currency": "CNY",
            "logo": image(),
        },
    )
    assert response.status_code == 302
    profile = company_profile()
    assert (profile.legal_name, profile.fiscal_year_start, bool(profile.logo)) == (
        "北京同行商贸有限公司",
        4,
        True,
    )


def test_the_page_shows_the_logo_and_seal_as_kept(client, admin_user):
    company_profile_update(actor=admin_user, data={}, logo=image(), seal=image("s.webp", fmt="WEBP"))
    client.force_login(admin_user)
    page = client.get(reverse("company-profile")).content.decode()
    assert 'data-testid="current-logo"' in page and 'data-testid="current-seal"' in page
    served = client.get(reverse("company-image", args=["seal"]))
    assert served["Content-Type"] == "image/webp"


def test_a_bad_tax_id_on_the_page_is_shown_next_to_the_field_and_nothing_is_saved(client, admin_user):
    client.force_login(admin_user)
    with translation.override("en"):
        response = client.post(
            reverse("company-profile"),
            {"legal_name": "甲公司", "tax_id": BAD_TAX_ID, "fiscal_year_start": "1", "base_currency": "CNY"},
        )
    assert response.status_code == 200
    assert 'data-field-error="tax_id"' in response.content.decode()
    assert not CompanyProfile.objects.exists()


def test_a_text_file_as_logo_on_the_page_keeps_the_old_logo(client, admin_user):
    kept = company_profile_update(actor=admin_user, data={"legal_name": "甲公司"}, logo=image()).logo.name
    client.force_login(admin_user)
    response = client.post(
        reverse("company-profile"),
        {"legal_name": "乙公司", "fiscal_year_start": "1", "base_currency": "CNY", "logo": text_as_png()},
    )
    assert 'data-field-error="logo"' in response.content.decode()
    assert (company_profile().legal_name, company_profile().logo.name) == ("甲公司", kept)


def test_after_saving_the_page_returns_to_a_next_url_of_this_site(client, admin_user):
    client.force_login(admin_user)
    data = {"legal_name": "甲公司", "fiscal_year_start": "1", "base_currency": "CNY"}
    back = client.post(reverse("company-profile"), {**data, "next": "/setup/"})
    away = client.post(reverse("company-profile"), {**data, "next": "https://evil.example/"})
    assert back["Location"] == "/setup/"
    assert away["Location"] == reverse("company-profile")


@pytest.mark.parametrize("role", ["sales", "manager"])
def test_only_admins_open_the_profile_page(client, user_with_role, role):
    client.force_login(user_with_role(role))
    assert client.get(reverse("company-profile")).status_code == 403
    assert client.post(reverse("company-profile"), {"legal_name": "x"}).status_code == 403
    assert not CompanyProfile.objects.exists()


# --- the API -------------------------------------------------------------------------------------

URL = "/api/v1/company-profile/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_role_reads_the_profile_before_and_after_set_up(sales_user, admin_user):
    assert api(sales_user).get(URL).json()["logo"] is None
    company_profile_update(actor=admin_user, data={"legal_name": "甲公司"}, logo=image())
    answer = api(sales_user).get(URL).json()
    assert answer["legal_name"] == "甲公司"
    assert answer["logo"].startswith("http://testserver/company/image/logo/")


def test_an_admin_patches_the_profile_in_json(admin_user):
    response = api(admin_user).patch(URL, {"short_name": "同行", "tax_id": TAX_ID}, format="json")
    assert response.status_code == 200, response.content
    assert (company_profile().short_name, response.json()["tax_id"]) == ("同行", TAX_ID)


def test_an_admin_uploads_a_seal_in_a_multipart_put(admin_user):
    response = api(admin_user).put(URL, {"legal_name": "甲公司", "seal": image()}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["seal"] and company_profile().seal


@pytest.mark.parametrize("role", ["sales", "manager"])
def test_only_admins_change_the_profile_through_the_api(user_with_role, role):
    response = api(user_with_role(role)).patch(URL, {"legal_name": "x"}, format="json")
    assert response.status_code == 403
    assert not CompanyProfile.objects.exists()


def test_a_bad_tax_id_through_the_api_answers_400_naming_it_and_saves_nothing(admin_user):
    response = api(admin_user).patch(URL, {"legal_name": "甲公司", "tax_id": BAD_TAX_ID}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["tax_id"]
    assert not CompanyProfile.objects.exists()


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(text_as_png, id="text"),
        pytest.param(lambda: image(size=(1000, 1000), noise=True), id="3 MB"),
    ],
)
def test_a_bad_logo_through_the_api_answers_400_and_keeps_the_old_one(admin_user, upload):
    kept = company_profile_update(actor=admin_user, data={}, logo=image()).logo.name
    response = api(admin_user).patch(URL, {"logo": upload(), "legal_name": "乙"}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()) == ["logo"]
    assert (company_profile().logo.name, company_profile().legal_name) == (kept, "")


@pytest.mark.parametrize(
    "body",
    [{"fiscal_year_start": 13}, {"fiscal_year_start": "NaN"}, {"legal_name": None}, {"logo": "a string"}],
)
def test_nonsense_through_the_api_answers_400(admin_user, body):
    assert api(admin_user).patch(URL, body, format="json").status_code == 400


def test_the_answers_are_as_documented(admin_user):
    from tests.core.test_api_schema import assert_answers_as_documented

    generated = SchemaGenerator().get_schema(request=None, public=True)
    document = json.loads(json.dumps(generated, cls=JSONEncoder))
    client = api(admin_user)
    assert_answers_as_documented(document, client.get(URL), "get", URL)
    patched = client.patch(URL, {"legal_name": "甲公司", "logo": image()}, format="multipart")
    assert_answers_as_documented(document, patched, "patch", URL)
    assert_answers_as_documented(document, client.patch(URL, {"tax_id": "1"}, format="json"), "patch", URL)


def test_a_line_break_in_the_company_name_is_refused_and_nothing_saved(admin_user):
    from django.core.exceptions import ValidationError

    from core.company import company_profile_update
    from core.models import CompanyProfile

    with pytest.raises(ValidationError) as caught:
        company_profile_update(actor=admin_user, data={"legal_name": "北京同行\nBcc: x@example.com"})
    assert "legal_name" in caught.value.message_dict
    assert not CompanyProfile.objects.exists()
