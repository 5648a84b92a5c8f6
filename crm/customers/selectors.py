"""Reads of customers and contacts, with the record rules every page, API, search and export
uses: a sales rep sees own customers and reads the team's; managers, admins and the back office
(service, finance, purchasing) read all; only the owner, managers and admins edit.

The same rules hold for every owned record (leads, opportunities, quotes, orders): their
selectors build on ``is_rep_only``, ``owned_or_team_q`` and ``owners_editable_by``."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.money import decimal_input, money
from core.pagination import list_order
from core.people import name_order
from core.preferences import CREDIT_POLICY, CUSTOMER_TAGS, PAYMENT_TERMS, preference
from core.roles import ADMIN, MANAGER, SALES, user_roles
from core.search import pinyin_key, search_filter
from core.sql import as_id
from crm.customers.models import Contact, Customer, MergeSuggestion, Team

# The list's sort keys (its ``ordering`` parameter) and the column each sorts by: a name by its
# pinyin (阿强, 李娜, 王芳, 张伟; the column is indexed), the owner by the pinyin of their name.
# "owner__username" is an older link's word for the owner column.
SORTS = {
    "name": "search_pinyin",
    "code": "code",
    "created_at": "created_at",
    "credit_limit": "credit_limit",
    "stage": "stage",
    "owner": name_order("owner"),
    "owner__username": name_order("owner"),
    "region__name": "region__name",
}


def is_rep_only(user) -> bool:
    """Record rules restrict users whose only role is sales: a role beyond it (managing, or a
    back-office job that works on every customer) reads all."""
    roles = user_roles(user)
    return SALES in roles and not roles - {SALES}


def team_ids_of(user):
    """The teams a user is in: those they are a member of, and those they manage."""
    return Team.objects.filter(Q(members=user) | Q(manager=user)).values("pk")


def teammates_of(user):
    return Team.members.through.objects.filter(team__in=team_ids_of(user)).values("user_id")


def owned_or_team_q(user, *, owner_field: str = "owner", team_field: str | None = "team") -> Q:
    """Records a rep may read: own, the team's, or a teammate's (subqueries, no extra query).
    ``team_field`` None for records that belong to no team themselves (orders, quotes)."""
    q = Q(**{owner_field: user}) | Q(**{f"{owner_field}__in": teammates_of(user)})
    if team_field is not None:
        q |= Q(**{f"{team_field}__in": team_ids_of(user)})
    return q


def owners_editable_by(user) -> tuple[int, ...] | None:
    """Whose records ``user`` may change, as data (for querysets, checks and SQL alike): None
    for anyone's (managers and admins), the user's own for a sales rep, none otherwise."""
    roles = user_roles(user)
    if roles & {MANAGER, ADMIN}:
        return None
    if SALES in roles:
        return (user.pk,)
    return ()


def customer_visible_q(user) -> Q:
    """The read rule as a Q on a customer: empty (``Q()``, everyone's) for managers, admins and
    the back office, the rep's own and team's for a sales-only user, nothing without a role."""
    if not user_roles(user):
        return Q(pk__in=[])
    if is_rep_only(user):
        return owned_or_team_q(user)
    return Q()


def customers_visible_to(user) -> QuerySet[Customer]:
    return Customer.objects.filter(customer_visible_q(user))


def customer_is_visible(user, customer) -> bool:
    """May ``user`` read ``customer`` (an instance or an id)? The read rule of
    ``customers_visible_to``; no query for a user who reads every customer or owns this one.
    Every write made on behalf of a user about a customer (an order, a quote, a contact, an
    activity) asks this first and treats a customer it may not read as one that does not exist."""
    q = customer_visible_q(user)
    if not q:
        return True
    # The rule's first branch read from the instance in hand: the owner reads their customer.
    if user_roles(user) and getattr(customer, "owner_id", None) == user.pk:
        return True
    pk = getattr(customer, "pk", customer)
    return Customer.objects.filter(q, pk=pk).exists()


def customer_check_writable(user, customer) -> None:
    """A record written on behalf of ``user`` may name only a customer they may read (the read
    rule, ``customer_is_visible``); any other answers as one that does not exist, so a guessed
    id tells nothing. Raises a ``ValidationError`` on ``customer``."""
    if not customer_is_visible(user, customer):
        raise ValidationError({"customer": _("No such customer.")})


def customers_editable_by(user) -> QuerySet[Customer]:
    owners = owners_editable_by(user)
    return Customer.objects.all() if owners is None else Customer.objects.filter(owner_id__in=owners)


def customer_assignment_allowed(user) -> bool:
    """Whether ``user`` may choose a customer's owner and credit limit and put it in any team:
    managers and admins. A rep's customers are their own, in the rep's own teams, and get their
    credit limit from a manager. The customer form, the API and the import all ask this."""
    return owners_editable_by(user) is None


def teams_assignable_by(user, *, keeping: Customer | None = None) -> QuerySet[Team]:
    """The teams ``user`` may put a customer in: any for managers and admins, a rep's own; and,
    for an edit of ``keeping``, the team it is in (a rep may leave it where a manager put it)."""
    if customer_assignment_allowed(user):
        return Team.objects.all()
    allowed = Q(pk__in=team_ids_of(user))
    if keeping is not None and keeping.team_id is not None:
        allowed |= Q(pk=keeping.team_id)
    return Team.objects.filter(allowed)


def record_editable_by(user, record) -> bool:
    """The edit rule for one owned record in hand (a customer, lead, opportunity, order,
    quote; no query): reps edit their own, managers and admins all (``owners_editable_by``)."""
    owners = owners_editable_by(user)
    return owners is None or record.owner_id in owners


def customer_can_edit(user, customer: Customer) -> bool:
    return record_editable_by(user, customer)


def customer_list(
    *,
    user,
    q: str = "",
    stage: str = "",
    region: str = "",
    owner: str = "",
    team: str = "",
    tag: str = "",
    ordering: str = "",
) -> QuerySet[Customer]:
    """The customer list: record rules, search and filters, in a fixed number of queries."""
    qs = customers_visible_to(user).select_related("owner", "region", "team")
    if q:
        qs = qs.filter(search_filter(q))
    if stage:
        qs = qs.filter(stage=stage)
    if region:
        region_id = as_id(region)
        qs = qs.filter(region_id=region_id) if region_id is not None else qs.filter(region__code=region)
    if owner:
        owner_id = as_id(owner)
        qs = qs.filter(owner_id=owner_id) if owner_id is not None else qs.filter(owner__username=owner)
    if as_id(team) is not None:
        qs = qs.filter(team_id=as_id(team))
    if tag:
        qs = qs.filter(tags__icontains=tag.strip())
    return list_order(qs, ordering, SORTS, "name")


def customer_get(*, user, pk) -> Customer:
    """One customer the user may read; anything else is 404 (an id guess tells nothing)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        customers_visible_to(user).select_related("owner", "region", "team", "group"), pk=as_id(pk)
    )


def customer_contacts(customer: Customer) -> list[Contact]:
    """A customer's contacts (a handful, one query): the primary first, then by the pinyin of
    their names."""
    return sorted(customer.contacts.all(), key=lambda c: (not c.is_primary, pinyin_key(c.name), c.pk))


def contacts_visible_to(user) -> QuerySet[Contact]:
    return Contact.objects.filter(customer__in=customers_visible_to(user))


def duplicates_of(
    *, name: str = "", phone: str = "", email: str = "", exclude_pk=None
) -> list[tuple[Customer, str]]:
    """Existing customers that look like these details, each with the reason (ignores rules:
    de-duplication must see the whole company's customers)."""
    from core.search import normalize_name

    found: dict[int, tuple[Customer, list[str]]] = {}
    checks = []
    if phone and phone.strip():
        checks.append(("phone", Q(phone=phone.strip())))
    if email and email.strip():
        checks.append(("email", Q(email__iexact=email.strip())))
    norm = normalize_name(name)
    if norm:
        checks.append(("name", Q(name_normalized=norm)))
    if not checks:
        return []
    cond = Q()
    for _field, c in checks:
        cond |= c
    qs = Customer.objects.filter(cond)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    for cust in qs.order_by("pk")[:20]:
        reasons = []
        if phone and cust.phone == phone.strip():
            reasons.append("phone")
        if email and cust.email.lower() == email.strip().lower():
            reasons.append("email")
        if norm and cust.name_normalized == norm:
            reasons.append("name")
        found[cust.pk] = (cust, reasons)
    return [(c, ",".join(r)) for c, r in found.values()]


def merge_suggestions_open(*, user) -> QuerySet[MergeSuggestion]:
    return (
        MergeSuggestion.objects.filter(state=MergeSuggestion.State.OPEN)
        .filter(customer__in=customers_visible_to(user))
        .select_related("customer", "candidate", "customer__owner", "candidate__owner")
    )


def customer_defaults() -> dict:
    """What a new customer gets when the caller gives none (the industry template's, or an
    admin's, preferences): ``{"payment_terms_days": int, "credit_limit": Decimal}``, each key
    only when the company has set it. The default payment term is the entry of ``payment_terms``
    marked ``default``; the credit limit is ``credit_policy.default_limit``. Two small queries."""
    found = {}
    for term in preference(PAYMENT_TERMS):
        if isinstance(term, dict) and term.get("default"):
            try:
                days = int(term.get("days"))
            except (TypeError, ValueError):
                break
            if days >= 0:
                found["payment_terms_days"] = days
            break
    policy = preference(CREDIT_POLICY)
    limit = policy.get("default_limit") if isinstance(policy, dict) else None
    if limit not in (None, ""):
        try:
            value = money(decimal_input(str(limit), field="credit_limit"))
        except ValidationError:
            value = None
        if value is not None and value >= 0:
            found["credit_limit"] = value
    return found


def customer_tags_offered() -> list[str]:
    """The customer tags the company names (its ``customer_tags`` preference): offered by the
    customer form; any other tag is still taken."""
    return [t for t in preference(CUSTOMER_TAGS) if isinstance(t, str) and t.strip()]
