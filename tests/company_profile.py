"""A filled company profile (the row every document reads) for document tests."""

from core.models import CompanyProfile

TAX_ID = "91110105MA01R8KQ77"  # valid: its check character is 7


def company_profile_saved(**fields) -> CompanyProfile:
    values = {
        "legal_name": "北京同行商贸有限公司",
        "short_name": "同行商贸",
        "tax_id": TAX_ID,
        "address": "北京市朝阳区建国路88号",
        "phone": "010-85886688",
        "bank_name": "招商银行北京分行",
        "bank_account": "110908652310802",
        **fields,
    }
    profile, _created = CompanyProfile.objects.update_or_create(pk=1, defaults=values)
    return profile
