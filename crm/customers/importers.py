"""Import specs for customers and contacts (see ``core.tabular``), offered by the customers' import
page (group ``"customers"``) and registered with ``core.imports`` by ``install()``.

A customers file gives each customer with its primary contact (``contact_*`` columns: a contact
is written when its name is given) and its invoicing details (开票信息, ``invoice_*``; the tax id
checked by ``core.taxid``), so one file is all a new company needs.

An import writes on behalf of the user who imports it, under the same rules as the forms and the
API: a contact goes only to a customer the user may edit (``customers_editable_by``), and a
customer the user cannot see reads exactly like a missing one; owner, team and credit limit are
set only by whom ``customer_assignment_allowed`` lets (a rep's rows may name only themselves as
owner and their own teams). What the rows refer to is loaded in a few queries (``prepare``).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import imports
from core.money import decimal_input
from core.people import people_by_name
from core.roles import MANAGER, SALES
from core.tabular import ImportSpec
from core.taxid import tax_id_input
from crm.customers import selectors, services
from crm.customers.models import Contact, Customer, Region, Team

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
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_role",
    "invoice_title",
    "invoice_tax_id",
    "invoice_address_phone",
    "invoice_bank_account",
]
CONTACT_COLUMNS = ["customer", "name", "role", "phone", "email", "is_primary"]
# The primary contact's columns of a customers file, by the contact's field.
PRIMARY_CONTACT = {
    "contact_name": "name",
    "contact_phone": "phone",
    "contact_email": "email",
    "contact_role": "role",
}
INVOICE_COLUMNS = ("invoice_title", "invoice_tax_id", "invoice_address_phone", "invoice_bank_account")
# Who imports customers, contacts and leads: the customers' import page's roles.
ROLES = (SALES, MANAGER)
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
CUSTOMER_LABELS = {
    "code": "客户编码",
    "name": "客户名称",
    "kind": "客户类型",
    "industry": "行业",
    "region": "区域",
    "address": "地址",
    "phone": "电话",
    "email": "邮箱",
    "tags": "标签",
    "source": "来源",
    "owner": "负责人",
    "team": "团队",
    "credit_limit": "信用额度",
    "payment_terms_days": "账期（天）",
    "stage": "阶段",
    "notes": "备注",
    "contact_name": "联系人",
    "contact_phone": "联系人电话",
    "contact_email": "联系人邮箱",
    "contact_role": "联系人职务",
    "invoice_title": "开票抬头",
    "invoice_tax_id": "纳税人识别号",
    "invoice_address_phone": "开票地址电话",
    "invoice_bank_account": "开户行及账号",
}
CUSTOMER_EXAMPLE = {
    "code": "KH0001",
    "name": "上海恒信贸易有限公司",
    "kind": "company",
    "industry": "批发零售",
    "address": "上海市浦东新区张杨路500号",
    "phone": "02158880001",
    "email": "purchase@hengxin.example.cn",
    "tags": "重点客户",
    "source": "展会",
    "payment_terms_days": 30,
    "stage": "customer",
    "notes": "每月初集中下单",
    "contact_name": "王丽",
    "contact_phone": "13800138000",
    "contact_email": "wangli@hengxin.example.cn",
    "contact_role": "采购经理",
    "invoice_title": "上海恒信贸易有限公司",
    "invoice_tax_id": "91310000MA1FL8XQ37",
    "invoice_address_phone": "上海市浦东新区张杨路500号 021-58880001",
    "invoice_bank_account": "中国工商银行上海张杨路支行 1001234509000012345",
}
CUSTOMER_NOTES = {
    "code": gettext_lazy("Left blank: numbered automatically. A code in use is an error."),
    "kind": gettext_lazy("company or person"),
    "region": gettext_lazy("A region's code or name"),
    "tags": gettext_lazy("Several separated by commas"),
    "owner": gettext_lazy("A user name; only managers may name another user than themselves"),
    "team": gettext_lazy("A team's name"),
    "credit_limit": gettext_lazy("An amount in yuan; managers only"),
    "payment_terms_days": gettext_lazy("Whole days"),
    "stage": gettext_lazy("lead, prospect, customer, repeat or inactive"),
    "contact_name": gettext_lazy("The primary contact; the other contact columns need it"),
    "invoice_tax_id": gettext_lazy("Unified social credit code, 18 characters"),
    "invoice_address_phone": gettext_lazy("As printed on VAT invoices"),
    "invoice_bank_account": gettext_lazy("Bank and account number, as printed on VAT invoices"),
}


_CHUNK = 500
# The import page of customers, contacts and leads.
GROUP = "customers"


def _codes_among(queryset, codes) -> set[str]:
    codes = sorted(codes)
    found: set[str] = set()
    for start in range(0, len(codes), _CHUNK):
        found.update(queryset.filter(code__in=codes[start : start + _CHUNK]).values_list("code", flat=True))
    return found


def _lookups(context):
    if "regions" not in context:
        regions = {}
        for r in Region.objects.all():
            regions[r.code.lower()] = r
            regions[r.name.lower()] = r
        context["regions"] = regions
        context["teams"] = {t.name.lower(): t for t in Team.objects.all()}
        context["users"] = people_by_name(get_user_model().objects.filter(is_active=True))
        context["codes"] = set()
        user = context.get("user")
        context["may_assign"] = user is None or selectors.customer_assignment_allowed(user)
        if not context["may_assign"]:
            context["own_teams"] = set(selectors.teams_assignable_by(user).values_list("pk", flat=True))
    return context


def prepare_customers(rows: list[dict], context: dict) -> None:
    """The codes of the file that are taken already, in one query per few hundred."""
    codes = {str(r.get("code", "")).strip() for r in rows} - {""}
    context["taken_codes"] = _codes_among(Customer.objects.all(), codes)


def _assignment_errors(out: dict, data: dict, ctx: dict, errors: dict) -> None:
    """A rep's row may not choose the owner (but themselves), another team or a credit limit."""
    if ctx["may_assign"]:
        return
    user = ctx["user"]
    if out.get("owner") is not None and out["owner"].pk != user.pk:
        errors.setdefault("owner", []).append(_("Only a manager can give a customer another owner."))
    if out.get("team") is not None and out["team"].pk not in ctx["own_teams"]:
        errors.setdefault("team", []).append(_("Only a manager can put a customer in another team."))
    if str(data.get("credit_limit", "")).strip():
        errors.setdefault("credit_limit", []).append(_("Only a manager can set a credit limit."))


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
    for key in (
        "code",
        "name",
        "industry",
        "address",
        "phone",
        "email",
        "tags",
        "source",
        "notes",
        "invoice_title",
        "invoice_address_phone",
        "invoice_bank_account",
    ):
        if key in data:
            out[key] = str(data[key])
    if not out.get("name"):
        errors.setdefault("name", []).append(_("This field is required."))
    if "invoice_tax_id" in data:
        try:
            out["invoice_tax_id"] = tax_id_input(data["invoice_tax_id"], field="invoice_tax_id")
        except ValidationError as exc:
            errors.setdefault("invoice_tax_id", []).extend(exc.message_dict["invoice_tax_id"])
    contact = _primary_contact(data, errors)
    code = out.get("code", "")
    if code:
        taken = ctx["taken_codes"] if "taken_codes" in ctx else _codes_among(Customer.objects.all(), {code})
        if code in ctx["codes"] or code in taken:
            errors.setdefault("code", []).append(_("A customer with this code already exists."))
        ctx["codes"].add(code)
    for key, lookup in (("region", "regions"), ("owner", "users"), ("team", "teams")):
        raw = str(data.get(key, "") or "").strip()
        if raw:
            found = ctx[lookup].get(raw.lower())
            if found is None:
                errors.setdefault(key, []).append(_("“%(value)s” was not found.") % {"value": raw})
            out[key] = found
    _assignment_errors(out, data, ctx, errors)
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
    if str(data.get("credit_limit", "")).strip() and "credit_limit" not in errors:
        try:
            limit = decimal_input(data["credit_limit"], field="credit_limit")
        except ValidationError:
            limit = None
        if limit is None or limit < 0:
            errors.setdefault("credit_limit", []).append(_("Enter a number of 0 or more."))
        else:
            out["credit_limit"] = limit
    if str(data.get("payment_terms_days", "")).strip():
        try:
            days = decimal_input(data["payment_terms_days"], field="payment_terms_days")
            if days < 0 or days != days.to_integral_value() or days > 3650:
                raise ValueError
            out["payment_terms_days"] = int(days)
        except (ValueError, ValidationError):
            errors.setdefault("payment_terms_days", []).append(_("Enter a whole number of days."))
    probe = Customer(**{k: v for k, v in out.items() if k not in errors and k != "tags"})
    try:
        # Region, owner and team were found above: no query per row to check them again.
        probe.full_clean(
            exclude=["code", "region", "owner", "team", *errors],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            if k not in errors:
                errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)
    if contact is not None:
        out["contacts"] = [contact]
    return out


def _primary_contact(data: dict, errors: dict) -> dict | None:
    """The row's primary contact (its ``contact_*`` columns), or None when it names none; a
    contact's phone, e-mail or role without its name is an error on ``contact_name``."""
    given = {field: str(data.get(column, "") or "").strip() for column, field in PRIMARY_CONTACT.items()}
    if not given["name"]:
        if any(given.values()):
            errors.setdefault("contact_name", []).append(_("Give the contact's name."))
        return None
    contact = {**given, "is_primary": True}
    try:
        Contact(customer=Customer(), **contact).full_clean(exclude=["customer"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(f"contact_{field}", []).extend(messages)
    return contact


def write_customer(data: dict, actor) -> None:
    """One customer, with its primary contact when the row names one (one service call)."""
    if data.get("owner") is None:
        data.pop("owner", None)
    services.customer_create(actor=actor, **data)


def prepare_contacts(rows: list[dict], context: dict) -> None:
    """The customers the rows name that the user may edit, and those they only read: a customer
    the user cannot see is left out, so it reads exactly like a missing one."""
    codes = {str(r.get("customer", "") or "").strip() for r in rows} - {""}
    user = context.get("user")
    editable = Customer.objects.all() if user is None else selectors.customers_editable_by(user)
    visible = Customer.objects.all() if user is None else selectors.customers_visible_to(user)
    found: dict[str, Customer] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), _CHUNK):
        for c in editable.filter(code__in=ordered[start : start + _CHUNK]):
            found[c.code] = c
    context["customers"] = found
    context["readable_codes"] = _codes_among(visible, codes - set(found))


def clean_contact(values: dict, context: dict) -> dict:
    """A contact row (``prepare_contacts`` has loaded the customers the file names)."""
    errors: dict[str, list] = {}
    code = str(values.get("customer", "") or "").strip()
    customer = context["customers"].get(code) if code else None
    if customer is None and code in context["readable_codes"]:
        errors["customer"] = [_("You may not add contacts to the customer “%(value)s”.") % {"value": code}]
    elif customer is None:
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


def contacts_example_setup(actor) -> None:
    """The customer the contacts template's example names (the customers template's example)."""
    if not Customer.objects.filter(code=CUSTOMER_EXAMPLE["code"]).exists():
        services.customer_create(actor=actor, code=CUSTOMER_EXAMPLE["code"], name=CUSTOMER_EXAMPLE["name"])


CUSTOMERS = ImportSpec(
    kind="customers",
    columns=CUSTOMER_COLUMNS,
    required=["name"],
    clean=clean_customer,
    write=write_customer,
    aliases=ALIASES,
    prepare=prepare_customers,
    group=GROUP,
    label=gettext_lazy("Customers"),
    labels=CUSTOMER_LABELS,
    example=CUSTOMER_EXAMPLE,
    notes=CUSTOMER_NOTES,
    roles=ROLES,
)
CONTACTS = ImportSpec(
    kind="contacts",
    columns=CONTACT_COLUMNS,
    required=["customer", "name"],
    clean=clean_contact,
    write=write_contact,
    prepare=prepare_contacts,
    group=GROUP,
    aliases={**ALIASES, "名称": "name", "姓名": "name"},
    label=gettext_lazy("Contacts"),
    labels={
        "customer": "客户编码",
        "name": "姓名",
        "role": "职务",
        "phone": "电话",
        "email": "邮箱",
        "is_primary": "主要联系人",
    },
    example={
        "customer": CUSTOMER_EXAMPLE["code"],
        "name": "李强",
        "role": "财务主管",
        "phone": "13900139000",
        "email": "liqiang@hengxin.example.cn",
        "is_primary": "否",
    },
    notes={
        "customer": gettext_lazy("The code of a customer you may edit"),
        "is_primary": gettext_lazy("是 or 否 (yes or no); a new primary contact replaces the old one"),
    },
    roles=ROLES,
    example_setup=contacts_example_setup,
)


def register(spec: ImportSpec) -> None:
    """Upper modules (sales: leads) add their import kinds to the customers' import page."""
    imports.register(spec)


def install() -> None:
    register(CUSTOMERS)
    register(CONTACTS)
