"""The leads import kind, added to the shared import page (``crm.customers.importers``)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.tabular import ImportSpec
from crm.customers.importers import ALIASES, GROUP, ROLES, register
from crm.customers.models import Region
from crm.sales import services
from crm.sales.models import Lead

COLUMNS = ["name", "company", "phone", "email", "region", "source", "message"]


def clean_lead(values: dict, context: dict) -> dict:
    if "regions" not in context:
        context["regions"] = {k.lower(): r for r in Region.objects.all() for k in (r.code, r.name)}
    errors: dict[str, list] = {}
    out = {k: str(values.get(k, "") or "") for k in COLUMNS if k != "region"}
    raw_region = str(values.get("region", "") or "").strip()
    out["region"] = context["regions"].get(raw_region.lower()) if raw_region else None
    if raw_region and out["region"] is None:
        errors["region"] = [_("“%(value)s” was not found.") % {"value": raw_region}]
    if not out["phone"] and not out["email"]:
        errors.setdefault("phone", []).append(_("Give a phone number or an e-mail address."))
    try:
        Lead(**out).full_clean(exclude=["products"])
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)
    out["source"] = out["source"] or "import"
    return out


def write_lead(data: dict, actor) -> None:
    services.lead_create(actor=actor, **data)


LEADS = ImportSpec(
    kind="leads",
    columns=COLUMNS,
    required=["name"],
    clean=clean_lead,
    write=write_lead,
    group=GROUP,
    aliases={**ALIASES, "姓名": "name", "公司": "company", "留言": "message"},
    label=gettext_lazy("Leads"),
    labels={
        "name": "姓名",
        "company": "公司",
        "phone": "电话",
        "email": "邮箱",
        "region": "区域",
        "source": "来源",
        "message": "留言",
    },
    example={
        "name": "赵敏",
        "company": "杭州佳禾日用品有限公司",
        "phone": "13700137000",
        "email": "zhaomin@jiahe.example.cn",
        "source": "官网",
        "message": "想了解整箱采购价格",
    },
    notes={
        "phone": gettext_lazy("A phone number or an e-mail address is required"),
        "region": gettext_lazy("A region's code or name"),
        "source": gettext_lazy("Left blank: import"),
    },
    roles=ROLES,
)


def install() -> None:
    register(LEADS)
