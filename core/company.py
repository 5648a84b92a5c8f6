"""The company's profile (``CompanyProfile``, one row): read by every document and page that
names the company. ``company_profile()`` never fails for want of a row: before set-up it is an
unsaved profile whose name is ``COMPANY_NAME`` (setting) or "Tandem"."""

from django.conf import settings

from core.models import CompanyProfile

PROFILE_PK = 1


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
