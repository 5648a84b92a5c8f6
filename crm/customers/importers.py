"""Import specs for customers and contacts (see ``crm.customers.tabular``)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.money import MAX_AMOUNT, decimal_input
from crm.customers import services
from crm.customers.models import Contact, Customer, Region, Team
from crm.customers.tabular import ImportSpec

CUSTOMER_COLUMNS = [
    "code",
    "name",
    "kind",
    "industry",
    "region",
    "address",
    "phone",
    "email",
    "tags",
    "source",
    "owner",
    "team",
    "credit_limit",
    "payment_terms_days",
    "stage",
    "notes",
]
ALIASES = {
    "编码": "code",
    "客户编码": "code",
    "名称": "name",
    "客户名称": "name",
    "类型": "kind",
    "行业": "industry",
    "区域": "region",
    "地址": "address",
    "电话": "phone",
    "邮箱": "email",
    "标签": "tags",
    "来源": "source",
    "负责人": "owner",
    "团队": "team",
    "信用额度": "credit_limit",
    "账期": "payment_terms_days",
    "阶段": "stage",
    "备注": "notes",
    "客户": "customer",
    "联系人": "contact",
    "职务": "role",
    "角色": "role",
    "主要联系人": "is_primary",
}


def _lookups(context):
    if "regions" not in context:
        regions = {}
        for r in Region.objects.all():
            regions[r.code.lower()] = r
            regions[r.name.lower()] = r
        context["regions"] = regions
        context["teams"] = {t.name.lower(): t for t in Team.objects.all()}
        context["users"] = {u.username.lower(): u for u in get_user_model().objects.filter(is_active=True)}
        context["codes"] = set()
    return context


def _choice(value, choices, column):
    if value in ("", None):
        return None
    text = str(value).strip()
    for key, label in choices:
        if text.lower() in (str(key).lower(), str(label).lower()):
            return key
    raise ValidationError({column: _("“%(value)s” is not one of the choices.") % {"value": text}})


def clean_customer(values: dict, context: dict) -> dict:
    ctx = _lookups(context)
    errors: dict[str, list] = {}
    data = {k: values.get(k, "") for k in CUSTOMER_COLUMNS if k in values}
    out: dict = {}
    for key in ("code", "name", "industry", "address", "phone", "email", "tags", "source", "notes"):
        if key in data:
            out[key] = str(data[key])
    if not out.get("name"):
        errors.setdefault("name", []).append(_("This field is required."))
    code = out.get("code", "")
    if code:
        if code in ctx["codes"] or Customer.objects.filter(code=code).exists():
            errors.setdefault("code", []).append(_("A customer with this code already exists."))
        ctx["codes"].add(code)
    for key, lookup in (("region", "regions"), ("owner", "users"), ("team", "teams")):
        raw = str(data.get(key, "") or "").strip()
        if raw:
            found = ctx[lookup].get(raw.lower())
            if found is None:
                errors.setdefault(key, []).append(_("“%(value)s” was not found.") % {"value": raw})
            out[key] = found
    try:
        kind = _choice(data.get("kind"), Customer.Kind.choices, "kind")
        if kind:
            out["kind"] = kind
        stage = _choice(data.get("stage"), Customer.Stage.choices, "stage")
        if stage:
            out["stage"] = stage
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            errors.setdefault(k, []).extend(v)
    if str(data.get("credit_limit", "")).strip():
        try:
            limit = decimal_input(data["credit_limit"], field="credit_limit")
        except ValidationError:
            limit = None
        if limit is None or limit < 0 or limit >= MAX_AMOUNT:
            errors.setdefault("credit_limit", []).append(_("Enter a number of 0 or more."))
        else:
            out["credit_limit"] = limit
    if str(data.get("payment_terms_days", "")).strip():
        try:
            out["payment_terms_days"] = int(str(data["payment_terms_days"]).split(".")[0])
            if out["payment_terms_days"] < 0:
                raise ValueError
        except ValueError:
            errors.setdefault("payment_terms_days", []).append(_("Enter a whole number of days."))
    probe = Customer(**{k: v for k, v in out.items() if k not in errors and k != "tags"})
    try:
        probe.full_clean(exclude=["code", *errors], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            if k not in errors:
                errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)
    return out


def write_customer(data: dict, actor) -> None:
    if data.get("owner") is None:
        data.pop("owner", None)
    services.customer_create(actor=actor, **data)


def clean_contact(values: dict, context: dict) -> dict:
    errors: dict[str, list] = {}
    code = str(values.get("customer", "") or "").strip()
    customer = Customer.objects.filter(code=code).first() if code else None
    if customer is None:
        errors["customer"] = [_("No customer with the code “%(value)s”.") % {"value": code}]
    out = {
        "name": str(values.get("name", "") or ""),
        "role": str(values.get("role", "") or ""),
        "phone": str(values.get("phone", "") or ""),
        "email": str(values.get("email", "") or ""),
        "is_primary": str(values.get("is_primary", "")).strip().lower() in {"1", "yes", "true", "是", "y"},
    }
    probe = Contact(customer=customer or Customer(), **out)
    try:
        probe.full_clean(exclude=["customer"])
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)
    return {"customer": customer, **out}


def write_contact(data: dict, actor) -> None:
    services.contact_create(actor=actor, **data)


CUSTOMERS = ImportSpec(
    kind="customers",
    columns=CUSTOMER_COLUMNS,
    required=["name"],
    clean=clean_customer,
    write=write_customer,
    aliases=ALIASES,
)
CONTACTS = ImportSpec(
    kind="contacts",
    columns=["customer", "name", "role", "phone", "email", "is_primary"],
    required=["customer", "name"],
    clean=clean_contact,
    write=write_contact,
    aliases={**ALIASES, "名称": "name", "姓名": "name"},
)
SPECS = {"customers": CUSTOMERS, "contacts": CONTACTS}


def register(spec: ImportSpec) -> None:
    """Upper modules (sales: leads) add their import kinds to the same import page."""
    SPECS[spec.kind] = spec
