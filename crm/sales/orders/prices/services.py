"""Changes to price lists and promotions. Each function is one transaction; bad input raises one
``ValidationError`` naming the fields (``valid_until``, ``lines[2].price`` …) and writes nothing.
Every change is audited (``core.audit``): prices are money."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.audit import audit
from core.dates import date_input, optional_date_input
from core.money import MAX_QUANTITY, decimal_input, money
from core.sql import as_id, by_ids
from crm.customers.models import Customer, CustomerGroup
from crm.customers.selectors import customer_check_writable
from crm.sales.orders.prices.models import PriceList, PriceListLine, Promotion
from scm.inventory.models import Product, ProductUnit

HUNDRED = Decimal(100)
# The most lines one price list may have (forms, API and services).
MAX_PRICE_LINES = 1000


def _text(value, *, field: str, required: bool = True, max_length: int = 100) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("Enter at most %(count)s characters.") % {"count": max_length}})
    return text


def _dates(valid_from, valid_until, *, end_required: bool) -> tuple[date, date | None]:
    """The validity of a price list or promotion: a start, and an end not before it (required
    for a promotion: an offer without an end is refused)."""
    start = date_input(valid_from, field="valid_from")
    if end_required and (valid_until is None or (isinstance(valid_until, str) and not valid_until.strip())):
        raise ValidationError(
            {"valid_until": _("A promotion needs an end date: enter the last day it is valid.")}
        )
    end = optional_date_input(valid_until, field="valid_until")
    if end is not None and end < start:
        raise ValidationError({"valid_until": _("The end date cannot be before the start date.")})
    return start, end


def _instance(model, value, *, field: str, message: str):
    """``value`` as a ``model`` row: an instance, an id, or None (empty)."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    pk = as_id(value)
    found = model.objects.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({field: message})
    return found


# --- price lists ------------------------------------------------------------------------------


def _owner(customer, group, user):
    """The customer or the group a price list is for (one of them), the customer one ``user``
    may read (``customer_check_writable``)."""
    customer = _instance(Customer, customer, field="customer", message=_("No such customer."))
    group = _instance(CustomerGroup, group, field="group", message=_("No such customer group."))
    if customer is None and group is None:
        raise ValidationError({"customer": _("Choose a customer or a customer group.")})
    if customer is not None and group is not None:
        raise ValidationError({"group": _("A price list is for one customer or for one group, not both.")})
    if customer is not None:
        customer_check_writable(user, customer)
    return customer, group


def _price_lines(lines, field: str = "lines") -> list[PriceListLine]:
    """The price list's lines, checked: a product, a unit of that product (or the base unit), a
    quantity break ≥ 0 and a price ≥ 0; one price per product, unit and break."""
    lines = list(lines or [])
    if not lines:
        raise ValidationError({field: _("Add at least one price.")})
    if len(lines) > MAX_PRICE_LINES:
        raise ValidationError(
            {field: _("A price list has at most %(count)s lines.") % {"count": MAX_PRICE_LINES}}
        )
    products = {str(p.pk): p for p in by_ids(Product, {ln.get("product") for ln in lines})}
    for raw in lines:
        if isinstance(raw.get("product"), Product):
            products[str(raw["product"].pk)] = raw["product"]
    unit_ids = {
        ln.get("unit") for ln in lines if ln.get("unit") and not isinstance(ln.get("unit"), ProductUnit)
    }
    units = {str(u.pk): u for u in by_ids(ProductUnit, unit_ids)}
    # Units typed by name (the page's form): read in one query.
    names = {str(ln.get("unit_name") or "").strip() for ln in lines} - {""}
    by_name = {}
    if names:
        product_ids = [p.pk for p in products.values()]
        for unit in ProductUnit.objects.filter(product_id__in=product_ids, name__in=names):
            by_name[(unit.product_id, unit.name)] = unit
    errors: dict[str, str] = {}
    result: list[PriceListLine] = []
    seen: dict[tuple, int] = {}
    for i, raw in enumerate(lines):
        try:
            line = _price_line(raw, products, units, by_name)
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            errors[f"{field}[{i}].{name}"] = " ".join(messages)
            continue
        key = (line.product_id, line.unit_id, line.min_quantity)
        if key in seen:
            errors[f"{field}[{i}].min_quantity"] = _(
                "The list already prices this product from this quantity in this unit (line %(line)s)."
            ) % {"line": seen[key] + 1}
            continue
        seen[key] = i
        result.append(line)
    if errors:
        raise ValidationError(errors)
    return result


def _price_line(raw: dict, products: dict, units: dict, by_name: dict) -> PriceListLine:
    product = raw.get("product")
    product = products.get(str(getattr(product, "pk", product))) if product not in (None, "") else None
    if product is None:
        raise ValidationError({"product": _("Choose a product.")})
    if product.is_template:
        raise ValidationError({"product": _("Choose a variant: a template product cannot be sold.")})
    unit = raw.get("unit") or None
    if unit is not None and not isinstance(unit, ProductUnit):
        unit = units.get(str(unit))
        if unit is None:
            raise ValidationError({"unit": _("Choose one of the product's units.")})
    name = str(raw.get("unit_name") or "").strip()
    if unit is None and name and name != product.base_unit:
        unit = by_name.get((product.pk, name))
        if unit is None:
            raise ValidationError(
                {"unit": _("%(sku)s has no unit %(unit)s.") % {"sku": product.sku, "unit": name}}
            )
    if unit is not None and unit.product_id != product.pk:
        raise ValidationError({"unit": _("This unit does not belong to the product.")})
    min_quantity = decimal_input(raw.get("min_quantity"), field="min_quantity", blank=0, limit=MAX_QUANTITY)
    if min_quantity < 0:
        raise ValidationError({"min_quantity": _("The quantity cannot be negative.")})
    price = decimal_input(raw.get("price"), field="price")
    if price < 0:
        raise ValidationError({"price": _("The price cannot be negative.")})
    return PriceListLine(
        product=product, unit=unit, min_quantity=min_quantity.quantize(Decimal("0.001")), price=money(price)
    )


def _overlapping(price_list: PriceList, lines: list[PriceListLine]) -> dict[int, PriceList]:
    """Product id → another active list of the same customer (or group) whose dates overlap
    ``price_list``'s and that prices that product: the overlap rule (one query)."""
    if not price_list.is_active:
        return {}
    owner = (
        Q(customer_id=price_list.customer_id) if price_list.customer_id else Q(group_id=price_list.group_id)
    )
    dates = Q(valid_until__isnull=True) | Q(valid_until__gte=price_list.valid_from)
    if price_list.valid_until is not None:
        dates &= Q(valid_from__lte=price_list.valid_until)
    others = (
        PriceListLine.objects.filter(
            price_list__in=PriceList.objects.filter(owner, dates, is_active=True).exclude(pk=price_list.pk),
            product_id__in={line.product_id for line in lines},
        )
        .select_related("price_list")
        .order_by("price_list_id")
    )
    found: dict[int, PriceList] = {}
    for line in others:
        found.setdefault(line.product_id, line.price_list)
    return found


def _period(price_list: PriceList) -> str:
    if price_list.valid_until is None:
        return _("from %(start)s on") % {"start": price_list.valid_from.isoformat()}
    return _("from %(start)s to %(end)s") % {
        "start": price_list.valid_from.isoformat(),
        "end": price_list.valid_until.isoformat(),
    }


@transaction.atomic
def price_list_save(
    *,
    user,
    price_list: PriceList | None = None,
    name=None,
    customer=None,
    group=None,
    valid_from=None,
    valid_until=None,
    is_active: bool = True,
    notes: str = "",
    lines: list[dict] | None = None,
) -> PriceList:
    """Create a price list (or replace ``price_list``'s header and lines) for one customer or
    one customer group. Lines: ``product``, ``unit`` (id or instance; or ``unit_name``; empty:
    the base unit), ``min_quantity`` (the quantity break, in that unit; 0 by default) and
    ``price`` (per that unit).

    Refused, naming the field: no customer nor group, or both; a customer ``user`` may not read;
    an end before the start (``valid_until``); a negative price or break; the same product, unit
    and break twice; and — the overlap rule — a product that another active list of the same
    customer (or group) prices on a day this one is valid too (``lines[i].product``). Saves of
    lists of one customer (or group) are serialised on that customer's (group's) row, so two
    overlapping lists saved at once cannot both pass."""
    name = _text(name, field="name")
    notes = _text(notes, field="notes", required=False, max_length=300)
    customer, group = _owner(customer, group, user)
    start, end = _dates(valid_from, valid_until, end_required=False)
    checked = _price_lines(lines)
    # Serialise saves for one customer or group (the overlap check reads, then writes).
    if customer is not None:
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
    else:
        CustomerGroup.objects.select_for_update().filter(pk=group.pk).first()
    created = price_list is None
    if created:
        price_list = PriceList(created_by=user)
    else:
        price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    price_list.name, price_list.notes, price_list.is_active = name, notes, bool(is_active)
    price_list.customer, price_list.group = customer, group
    price_list.valid_from, price_list.valid_until = start, end
    clash = _overlapping(price_list, checked)
    if clash:
        errors = {}
        for i, line in enumerate(checked):
            other = clash.get(line.product_id)
            if other is not None:
                errors[f"lines[{i}].product"] = _(
                    "Price list “%(name)s” (#%(id)s) already prices %(sku)s for this %(whom)s %(period)s: "
                    "change the dates or leave the product out."
                ) % {
                    "name": other.name,
                    "id": other.pk,
                    "sku": line.product.sku,
                    "whom": _("customer") if customer is not None else _("customer group"),
                    "period": _period(other),
                }
        raise ValidationError(errors)
    price_list.save()
    if not created:
        PriceListLine.objects.filter(price_list=price_list).delete()
    for line in checked:
        line.price_list = price_list
    PriceListLine.objects.bulk_create(checked)
    audit(
        "sales.price_list_created" if created else "sales.price_list_changed",
        actor=user,
        obj=price_list,
        data={
            "customer": customer.pk if customer else None,
            "group": group.pk if group else None,
            "valid_from": start.isoformat(),
            "valid_until": end.isoformat() if end else None,
            "active": price_list.is_active,
            "lines": [[ln.product_id, ln.unit_id, str(ln.min_quantity), str(ln.price)] for ln in checked],
        },
    )
    return price_list


# --- promotions -------------------------------------------------------------------------------


def _percent(value, *, field: str, blank=None) -> Decimal | None:
    """A discount percent: more than 0, at most 100 (a negative one or one over 100 is refused)."""
    if value in (None, "") and blank is not None:
        return blank
    if value in (None, ""):
        return None
    number = decimal_input(value, field=field)
    if not Decimal(0) < number <= HUNDRED:
        raise ValidationError({field: _("The discount must be more than 0 and at most 100 percent.")})
    return number.quantize(Decimal("0.01"))


def _quantity(value, *, field: str) -> Decimal:
    number = decimal_input(value, field=field, limit=MAX_QUANTITY)
    if number <= 0:
        raise ValidationError({field: _("Enter a quantity above 0.")})
    return number.quantize(Decimal("0.001"))


def _product(value, *, field: str, message: str, required: bool = True) -> Product | None:
    product = _instance(Product, value, field=field, message=_("No such product."))
    if product is None and required:
        raise ValidationError({field: message})
    if product is not None and product.is_template:
        raise ValidationError({field: _("Choose a variant: a template product cannot be sold.")})
    return product


@transaction.atomic
def promotion_save(
    *,
    user,
    promotion: Promotion | None = None,
    name=None,
    kind=Promotion.Kind.ORDER,
    valid_from=None,
    valid_until=None,
    is_active: bool = True,
    group=None,
    threshold=None,
    discount_percent=None,
    discount_amount=None,
    buy_product=None,
    buy_quantity=None,
    get_product=None,
    get_quantity=None,
    get_discount_percent=None,
    stock_product=None,
    min_available=None,
) -> Promotion:
    """Create a promotion (or change ``promotion``).

    - ``kind="order"``: once an order's net amount reaches ``threshold``, ``discount_percent``
      off it or ``discount_amount`` off (one of the two, not both);
    - ``kind="buy_get"``: for every ``buy_quantity`` of ``buy_product`` (base units), the order
      gets ``get_quantity`` of ``get_product`` at ``get_discount_percent`` off its list price
      (100: free, the default).

    Both: valid from ``valid_from`` to ``valid_until`` (an end is required), optionally only for
    customers of ``group``, and only while ``stock_product`` has more than nothing and at least
    ``min_available`` available to promise. Refused, naming the field: no end date, an end before
    the start, a discount that is negative or over 100 %, a negative amount or threshold."""
    name = _text(name, field="name")
    if kind not in Promotion.Kind.values:
        raise ValidationError({"kind": _("Choose an order discount or buy X get Y.")})
    start, end = _dates(valid_from, valid_until, end_required=True)
    group = _instance(CustomerGroup, group, field="group", message=_("No such customer group."))
    fields = {
        "name": name,
        "kind": kind,
        "valid_from": start,
        "valid_until": end,
        "is_active": bool(is_active),
        "group": group,
        "threshold": Decimal(0),
        "discount_percent": None,
        "discount_amount": None,
        "buy_product": None,
        "buy_quantity": None,
        "get_product": None,
        "get_quantity": None,
        "get_discount_percent": HUNDRED,
    }
    if kind == Promotion.Kind.ORDER:
        fields.update(_order_terms(threshold, discount_percent, discount_amount))
    else:
        fields.update(
            _buy_get_terms(buy_product, buy_quantity, get_product, get_quantity, get_discount_percent)
        )
    fields["stock_product"] = _product(stock_product, field="stock_product", message="", required=False)
    minimum = decimal_input(min_available, field="min_available", blank=0, limit=MAX_QUANTITY)
    if minimum < 0:
        raise ValidationError({"min_available": _("The quantity cannot be negative.")})
    fields["min_available"] = minimum.quantize(Decimal("0.001"))
    created = promotion is None
    if created:
        promotion = Promotion(created_by=user)
    else:
        promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    for key, value in fields.items():
        setattr(promotion, key, value)
    promotion.save()
    audit(
        "sales.promotion_created" if created else "sales.promotion_changed",
        actor=user,
        obj=promotion,
        data={
            key: (getattr(value, "pk", value) if not isinstance(value, Decimal | date) else str(value))
            for key, value in fields.items()
        },
    )
    return promotion


def _order_terms(threshold, discount_percent, discount_amount) -> dict:
    threshold = decimal_input(threshold, field="threshold", blank=0)
    if threshold < 0:
        raise ValidationError({"threshold": _("The amount cannot be negative.")})
    percent = _percent(discount_percent, field="discount_percent")
    amount = None
    if discount_amount not in (None, ""):
        amount = decimal_input(discount_amount, field="discount_amount")
        if amount <= 0:
            raise ValidationError({"discount_amount": _("The amount off must be more than 0.")})
        amount = money(amount)
    if percent is None and amount is None:
        raise ValidationError({"discount_percent": _("Enter a discount percent or an amount off.")})
    if percent is not None and amount is not None:
        raise ValidationError({"discount_amount": _("Enter a discount percent or an amount off, not both.")})
    if amount is not None and threshold > 0 and amount > threshold:
        raise ValidationError(
            {"discount_amount": _("The amount off cannot be more than the order amount it starts from.")}
        )
    return {"threshold": money(threshold), "discount_percent": percent, "discount_amount": amount}


def _buy_get_terms(buy_product, buy_quantity, get_product, get_quantity, get_discount_percent) -> dict:
    return {
        "buy_product": _product(buy_product, field="buy_product", message=_("Choose the product to buy.")),
        "buy_quantity": _quantity(buy_quantity, field="buy_quantity"),
        "get_product": _product(get_product, field="get_product", message=_("Choose the product given.")),
        "get_quantity": _quantity(get_quantity, field="get_quantity"),
        "get_discount_percent": _percent(get_discount_percent, field="get_discount_percent", blank=HUNDRED),
    }
