"""The company's profile (``CompanyProfile``, one row): read by every document and page that
names the company. ``company_profile()`` never fails for want of a row: before set-up it is an
unsaved profile whose name is ``COMPANY_NAME`` (setting) or "Tandem". ``company_profile_update``
is the one way to change it (the profile page, the set-up wizard and the API call it)."""

import logging
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit
from core.images import FORMATS, image_input
from core.models import CompanyProfile
from core.taxid import tax_id_input

logger = logging.getLogger(__name__)

PROFILE_PK = 1
TEXT_FIELDS = ("legal_name", "short_name", "address", "phone", "bank_name", "bank_account")
FIELDS = (*TEXT_FIELDS, "tax_id", "fiscal_year_start", "base_currency")
IMAGE_FIELDS = ("logo", "seal")
_MONTH = re.compile(r"[0-9]{1,2}")
_CURRENCY = re.compile(r"[A-Z]{3}")


def company_profile() -> CompanyProfile:
    """The profile (one query), or an unsaved blank one before set-up."""
    profile = CompanyProfile.objects.filter(pk=PROFILE_PK).first()
    if profile is None:
        profile = CompanyProfile(pk=PROFILE_PK, legal_name=getattr(settings, "COMPANY_NAME", "") or "")
    return profile


def company_name(profile: CompanyProfile | None = None) -> str:
    """The name documents carry: the legal name, else the short name, else "Tandem"."""
    profile = profile or company_profile()
    return profile.legal_name or profile.short_name or getattr(settings, "COMPANY_NAME", "") or "Tandem"


def company_profile_is_complete(profile: CompanyProfile | None = None) -> bool:
    """What a document needs to carry the company: its legal name, tax id and address."""
    profile = profile or company_profile()
    return bool(profile.pk and profile.legal_name and profile.tax_id and profile.address)


def _month_input(value, *, field: str) -> int:
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if _MONTH.fullmatch(text) and 1 <= int(text) <= 12:
        return int(text)
    raise ValidationError({field: _("Choose a month from 1 to 12.")})


def _currency_input(value, *, field: str) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if _CURRENCY.fullmatch(code):
        return code
    raise ValidationError({field: _("Enter a currency as its three-letter code, such as CNY.")})


def _clean(data: dict) -> dict:
    """The values of ``data`` this service knows, checked; every field's error at once."""
    cleaned, errors = {}, {}
    for name in TEXT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if value is None:
            value = ""
        # One line each: a line break or another control character would break the documents'
        # header and the subjects of the e-mails that name the company.
        if not isinstance(value, str) or any(unicodedata.category(c) == "Cc" for c in value):
            errors[name] = [_("Enter text.")]
            continue
        cleaned[name] = value.strip()
    checks = {
        "tax_id": tax_id_input,
        "fiscal_year_start": _month_input,
        "base_currency": _currency_input,
    }
    for name, check in checks.items():
        if name not in data:
            continue
        try:
            cleaned[name] = check(data[name], field=name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _delete_files(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # a file left behind costs disk space only
            logger.warning("Could not delete the replaced company image %s", name, exc_info=True)


def company_profile_update(
    *, actor, data: dict, logo=None, seal=None, clear_logo: bool = False, clear_seal: bool = False
) -> CompanyProfile:
    """Change the company profile; the row (pk 1) is created by its first save.

    Only the fields named in ``data`` change (``FIELDS``; other keys are ignored), and the images
    given (``logo``, ``seal``: uploaded files) replace the ones kept; ``clear_logo`` /
    ``clear_seal`` remove an image (a new one given at the same time wins). Everything is checked
    before anything is written: a bad value is a ``ValidationError`` naming its field (every
    field's error at once) and nothing is saved, the images kept before included. The tax id is
    checked by ``core.taxid``; images must be PNG, JPEG or WebP of at most 2 MB (``core.images``).

    One transaction: the row is locked while it changes, and the change is audited with it. The
    files of replaced images are deleted after the commit."""
    errors, images = {}, {}
    try:
        cleaned = _clean(data)
    except ValidationError as exc:
        cleaned = {}
        errors.update(exc.message_dict)
    for name, upload in (("logo", logo), ("seal", seal)):
        if upload is None:
            continue
        try:
            images[name] = (upload, image_input(upload, field=name))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    replaced = []
    with transaction.atomic():
        CompanyProfile.objects.get_or_create(
            pk=PROFILE_PK, defaults={"legal_name": getattr(settings, "COMPANY_NAME", "") or ""}
        )
        profile = CompanyProfile.objects.select_for_update().get(pk=PROFILE_PK)
        changed = sorted(name for name, value in cleaned.items() if getattr(profile, name) != value)
        for name, value in cleaned.items():
            setattr(profile, name, value)
        profile.full_clean(exclude=IMAGE_FIELDS)
        for name, clear in (("logo", clear_logo), ("seal", clear_seal)):
            current = getattr(profile, name)
            if name in images:
                upload, kind = images[name]
                if current:
                    replaced.append(current.name)
                # The kept file is named for what it is, whatever the upload was called.
                current.save(f"{name}.{FORMATS[kind][0]}", upload, save=False)
                changed.append(name)
            elif clear and current:
                replaced.append(current.name)
                setattr(profile, name, "")
                changed.append(name)
        profile.save()
        audit(
            "company.profile_updated",
            actor=actor,
            obj=profile,
            data={"changed": changed, **{k: cleaned[k] for k in changed if k in cleaned}},
        )
        if replaced:
            names = tuple(replaced)
            transaction.on_commit(lambda: _delete_files(names))
    return profile
