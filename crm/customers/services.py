"""Changes to customers and contacts. Each function is one transaction; bad input raises a
``ValidationError`` naming the field and writes nothing."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.money import decimal_input, money
from core.numbers import document_number
from core.taxid import tax_id_input
from crm.customers.models import Contact, Customer, CustomerGroup, MergeSuggestion
from crm.customers.selectors import customer_defaults, duplicates_of

# Invoicing details (开票信息): what a VAT invoice to the customer carries.
INVOICE_FIELDS = ("invoice_title", "invoice_tax_id", "invoice_address_phone", "invoice_bank_account")
CUSTOMER_FIELDS = (
    "code",
    "name",
    "kind",
    "industry",
    "region",
    "address",
    "latitude",
    "longitude",
    "phone",
    "email",
    "tags",
    "source",
    "owner",
    "team",
    "group",
    "credit_limit",
    "payment_terms_days",
    "stage",
    "notes",
    "is_active",
    *INVOICE_FIELDS,
)
CONTACT_FIELDS = ("name", "role", "phone", "email", "is_primary")


def normalize_tags(value) -> str:
    parts = value if isinstance(value, list | tuple) else str(value or "").replace("，", ",").split(",")
    seen = []
    for part in parts:
        tag = str(part).strip()
        if tag and tag not in seen:
            seen.append(tag)
    return ", ".join(seen)[:300]


def _new_code() -> str:
    """The next automatic customer code (``C-2026-000042``), drawn from a counter
    (``core.numbers``), so two customers created at once, or the rows of one import, never get
    the same one; a code someone typed that happens to be next is skipped."""
    while True:
        code = document_number(prefix="C")
        if not Customer.objects.filter(code=code).exists():
            return code


def _clean_and_save(obj, *, exclude=()):
    if isinstance(obj, Customer) and obj.credit_limit is not None and Decimal(obj.credit_limit) < 0:
        raise ValidationError({"credit_limit": _("The credit limit cannot be negative.")})
    obj.full_clean(exclude=list(exclude))
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        if "code" in str(exc).lower():
            raise ValidationError({"code": _("A customer with this code already exists.")})
        raise


def _suggest_merges(customer: Customer) -> list[MergeSuggestion]:
    found = duplicates_of(
        name=customer.name, phone=customer.phone, email=customer.email, exclude_pk=customer.pk
    )
    rows = [MergeSuggestion(customer=customer, candidate=c, reason=reason) for c, reason in found]
    MergeSuggestion.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


@transaction.atomic
def customer_create(*, actor=None, contacts: list[dict] | None = None, **data) -> Customer:
    """Create a customer (and its contacts). A look-alike of an existing customer is still
    created, with a merge suggestion for a manager to act on. Payment terms and credit limit
    not given take the company's defaults (``selectors.customer_defaults``)."""
    unknown = set(data) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    data = dict(data)
    data["tags"] = normalize_tags(data.get("tags", ""))
    if "invoice_tax_id" in data:
        data["invoice_tax_id"] = tax_id_input(data["invoice_tax_id"], field="invoice_tax_id")
    if data.get("credit_limit") in (None, "") or data.get("payment_terms_days") in (None, ""):
        for field, value in customer_defaults().items():
            if data.get(field) in (None, ""):
                data[field] = value
    if data.get("payment_terms_days") in (None, ""):
        data.pop("payment_terms_days", None)
    if data.get("credit_limit") in (None, ""):
        data.pop("credit_limit", None)
    else:
        data["credit_limit"] = money(decimal_input(data["credit_limit"], field="credit_limit"))
    if not data.get("code"):
        data["code"] = _new_code()
    if data.get("owner") is None and actor is not None and not data.get("owner_id"):
        data["owner"] = actor
    customer = Customer(**data)
    _clean_and_save(customer)
    for index, contact in enumerate(contacts or []):
        contact_create(customer=customer, actor=actor, _row=index, **contact)
    suggestions = _suggest_merges(customer)
    audit(
        "customer.created",
        actor=actor,
        obj=customer,
        data={"code": customer.code, "possible_duplicates": [s.candidate_id for s in suggestions]},
    )
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, actor=None, **data) -> Customer:
    """Change a customer. Credit-limit changes are audited with the old and new value."""
    unknown = set(data) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    old_limit = locked.credit_limit
    old_owner = locked.owner_id
    old_group = locked.group_id
    if "tags" in data:
        data["tags"] = normalize_tags(data["tags"])
    if "invoice_tax_id" in data:
        data["invoice_tax_id"] = tax_id_input(data["invoice_tax_id"], field="invoice_tax_id")
    if "credit_limit" in data:
        if data["credit_limit"] in (None, ""):
            raise ValidationError({"credit_limit": _("Enter a credit limit (0 for none).")})
        data["credit_limit"] = money(decimal_input(data["credit_limit"], field="credit_limit"))
    for field, value in data.items():
        setattr(locked, field, value)
    _clean_and_save(locked)
    if locked.credit_limit != old_limit:
        audit(
            "customer.credit_limit_changed",
            actor=actor,
            obj=locked,
            data={"old": str(old_limit), "new": str(locked.credit_limit)},
        )
    if locked.group_id != old_group:
        # The group decides which price list applies: a change of prices, audited like one.
        audit(
            "customer.group_changed", actor=actor, obj=locked, data={"old": old_group, "new": locked.group_id}
        )
    if locked.owner_id != old_owner:
        audit(
            "customer.owner_changed", actor=actor, obj=locked, data={"old": old_owner, "new": locked.owner_id}
        )
    for field, value in vars(locked).items():
        if not field.startswith("_"):
            setattr(customer, field, value)
    return locked


@transaction.atomic
def customer_group_save(
    *, group: CustomerGroup | None = None, actor=None, code: str | None = None, name: str | None = None
) -> CustomerGroup:
    """Create a customer group, or change ``group``'s code and name. A code in use is refused on
    ``code``."""
    group = group or CustomerGroup()
    # Left out (None): kept as they are.
    group.code = (group.code if code is None else code or "").strip()
    group.name = (group.name if name is None else name or "").strip()
    group.full_clean(validate_unique=False)
    if CustomerGroup.objects.filter(code=group.code).exclude(pk=group.pk).exists():
        raise ValidationError({"code": _("A customer group with this code already exists.")})
    created = group.pk is None
    group.save()
    audit(
        "customer.group_created" if created else "customer.group_changed_name",
        actor=actor,
        obj=group,
        data={"code": group.code, "name": group.name},
    )
    return group


@transaction.atomic
def customer_group_ensure(*, code: str, name: str, actor=None) -> tuple[CustomerGroup, bool]:
    """The customer group with ``code`` (any letter case), made with ``name`` when missing;
    ``(group, created)``. A group that exists keeps its name (an industry template adds, never
    renames)."""
    group = CustomerGroup.objects.filter(code__iexact=str(code or "").strip()).first()
    if group is not None:
        return group, False
    return customer_group_save(actor=actor, code=code, name=name), True


@transaction.atomic
def customer_ensure(*, code: str, name: str, kind: str = Customer.Kind.COMPANY) -> tuple[Customer, bool]:
    """The customer with ``code``, made when missing (the retail template's walk-in customer
    散客); ``(customer, created)``. Made as the system's own record: no owner, so that the
    back office and managers find it and no rep's book grows by it."""
    customer = Customer.objects.filter(code__iexact=str(code or "").strip()).first()
    if customer is not None:
        return customer, False
    return customer_create(actor=None, code=code, name=name, kind=kind), True


@transaction.atomic
def contact_create(*, customer: Customer, actor=None, _row=None, **data) -> Contact:
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    contact = Contact(customer=customer, **data)
    # The customer is a row the caller read (and checked the rules on): no query to find it again.
    contact.full_clean(exclude=["customer"] if customer.pk else None)
    if contact.is_primary:
        Contact.objects.filter(customer=customer, is_primary=True).update(is_primary=False)
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor=None, **data) -> Contact:
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    for field, value in data.items():
        setattr(contact, field, value)
    contact.full_clean()
    if contact.is_primary:
        Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(
            pk=contact.pk
        ).update(is_primary=False)
    contact.save()
    return contact


def _related_moves(target: Customer, duplicate: Customer) -> dict[str, int]:
    """Point every record that refers to ``duplicate`` at ``target``: generic over the reverse
    relations, so the records of modules added later (orders, tickets, invoices) move too."""
    moved: dict[str, int] = {}
    # include_hidden: relations declared with related_name="+" must move too.
    relations = [
        f for f in Customer._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete
    ]
    for rel in relations:
        model = rel.related_model
        if model is MergeSuggestion:
            continue
        if rel.many_to_many:
            through = rel.through
            src = rel.field.m2m_reverse_field_name()
            other = rel.field.m2m_field_name()
            rows = through._base_manager.filter(**{f"{src}_id": duplicate.pk})
            have = set(
                through._base_manager.filter(**{f"{src}_id": target.pk}).values_list(f"{other}_id", flat=True)
            )
            rows.filter(**{f"{other}_id__in": have}).delete()
            count = rows.update(**{f"{src}_id": target.pk})
        elif rel.one_to_one:
            if model._base_manager.filter(**{rel.field.name: target}).exists():
                count = 0
            else:
                count = model._base_manager.filter(**{rel.field.name: duplicate}).update(
                    **{rel.field.name: target}
                )
        else:
            count = model._base_manager.filter(**{rel.field.name: duplicate}).update(
                **{rel.field.name: target}
            )
        if count:
            moved[model._meta.label_lower] = moved.get(model._meta.label_lower, 0) + count
    return moved


@transaction.atomic
def customer_merge(*, target: Customer, duplicate: Customer, actor=None) -> dict[str, int]:
    """Merge ``duplicate`` into ``target``: every related record moves, empty fields of the
    target are filled from the duplicate, the duplicate is deleted, and the merge is audited.

    Locking: both customers are locked in primary-key order."""
    if target.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("A customer cannot be merged into itself.")})
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(pk__in=[target.pk, duplicate.pk]).order_by("pk")
    }
    if len(locked) != 2:
        raise ValidationError({"duplicate": _("The customer no longer exists.")})
    target, duplicate = locked[target.pk], locked[duplicate.pk]
    moved = _related_moves(target, duplicate)
    for field in ("industry", "address", "phone", "email", "source", "notes"):
        if not getattr(target, field) and getattr(duplicate, field):
            setattr(target, field, getattr(duplicate, field))
    # Invoicing details go together (a title with another company's tax id is a wrong invoice):
    # the duplicate's are taken only when the target has none.
    if not any(getattr(target, f) for f in INVOICE_FIELDS):
        for field in INVOICE_FIELDS:
            setattr(target, field, getattr(duplicate, field))
    target.tags = normalize_tags(target.tag_list + duplicate.tag_list)
    if target.region_id is None:
        target.region_id = duplicate.region_id
    target.save()
    MergeSuggestion.objects.filter(customer=duplicate, candidate=target).update(
        state=MergeSuggestion.State.MERGED
    )
    snapshot = {"code": duplicate.code, "name": duplicate.name, "id": duplicate.pk}
    # Suggestions about the duplicate are settled by the merge.
    MergeSuggestion.objects.filter(customer=duplicate).delete()
    MergeSuggestion.objects.filter(candidate=duplicate).delete()
    duplicate.delete()
    audit("customer.merged", actor=actor, obj=target, data={"merged": snapshot, "moved": moved})
    return moved


@transaction.atomic
def merge_suggestion_dismiss(*, suggestion: MergeSuggestion, actor=None) -> None:
    MergeSuggestion.objects.filter(pk=suggestion.pk).update(state=MergeSuggestion.State.DISMISSED)
    audit(
        "customer.merge_dismissed",
        actor=actor,
        obj=suggestion.customer,
        data={"candidate": suggestion.candidate_id},
    )


@transaction.atomic
def customers_owner_set(*, assignments: dict[int, object], actor=None, reason: str = "") -> int:
    """Give customers new owners ({customer id: user}); used by reassignment. One audit row per
    customer, so who got what and why can be read back."""
    count = 0
    for pk, user in sorted(assignments.items()):
        previous = Customer.objects.filter(pk=pk).values_list("owner_id", flat=True).first()
        count += Customer.objects.filter(pk=pk).update(owner=user, updated_at=timezone.now())
        audit(
            "customer.owner_changed",
            actor=actor,
            obj=Customer(pk=pk),
            data={"old": previous, "new": getattr(user, "pk", user), "reason": reason},
        )
    return count


@transaction.atomic
def user_teams_join(*, user, teams, actor=None) -> int:
    """Make ``user`` a member of each of ``teams`` (sales teams: record rules and reassignment
    over a team read them); teams the user is in already stay as they are. Returns how many
    teams the user joined. Audited per team."""
    joined = 0
    for team in sorted(set(teams), key=lambda t: t.pk):
        if team.members.filter(pk=user.pk).exists():
            continue
        team.members.add(user)
        joined += 1
        audit("customer.team_member_added", actor=actor, obj=team, data={"user": user.pk})
    return joined


# --- lifecycle stage ------------------------------------------------------------------------

# The stages an automatic move may start from, per target stage. Orders only ever move a
# customer up: lead/prospect → customer → repeat; an inactive customer who buys again comes back.
_STAGE_UPGRADES_FROM = {
    Customer.Stage.CUSTOMER: (Customer.Stage.LEAD, Customer.Stage.PROSPECT, Customer.Stage.INACTIVE),
    Customer.Stage.REPEAT: (
        Customer.Stage.LEAD,
        Customer.Stage.PROSPECT,
        Customer.Stage.CUSTOMER,
        Customer.Stage.INACTIVE,
    ),
}


def customer_stage_from_orders(*, customer_id: int, shipped_orders: int) -> str | None:
    """Move a customer's lifecycle stage up from its shipped orders: one shipped order makes a
    lead or prospect a "customer", two or more make it a "repeat" customer; an "inactive"
    customer who buys again returns to "customer" or "repeat".

    The rule only ever upgrades. It never moves a customer down (a customer someone set to
    "repeat" by hand stays "repeat" after its first order here), and a stage that is already
    right is left alone, so running it twice for the same shipment changes nothing. The move is
    one conditional UPDATE (compare-and-set on the old stage), so two rules racing for one
    customer cannot undo each other. Returns the new stage, or None when nothing changed.
    """
    if shipped_orders <= 0:
        return None
    target = Customer.Stage.REPEAT if shipped_orders >= 2 else Customer.Stage.CUSTOMER
    with transaction.atomic():
        old = (
            Customer.objects.filter(pk=customer_id, stage__in=_STAGE_UPGRADES_FROM[target])
            .values_list("stage", flat=True)
            .first()
        )
        if old is None:
            return None
        moved = Customer.objects.filter(pk=customer_id, stage=old).update(
            stage=target, updated_at=timezone.now()
        )
        if not moved:
            return None
        audit(
            "customer.stage_changed",
            obj=Customer(pk=customer_id),
            data={"old": old, "new": target, "shipped_orders": shipped_orders, "by": "orders"},
        )
    return target


def customers_mark_inactive(*, customer_ids) -> int:
    """Mark "inactive" the customers at stage "customer" or "repeat" among ``customer_ids`` (a
    subquery of ids, e.g. customers whose last order is a year old). One UPDATE; leads,
    prospects and customers already inactive are left alone, so a second run changes nothing.
    Returns how many customers were marked."""
    count = Customer.objects.filter(
        pk__in=customer_ids, stage__in=(Customer.Stage.CUSTOMER, Customer.Stage.REPEAT)
    ).update(stage=Customer.Stage.INACTIVE, updated_at=timezone.now())
    if count:
        audit("customer.marked_inactive", data={"count": count})
    return count
