"""``order_confirm``'s one-statement step (PostgreSQL) against its steps: the usual case (a draft
with lines of active products, a customer without credit limit, a user the order record rule
lets act) writes the same rows, payload and deliveries either way, in one statement; any other
case ends the same either way. Every other test of confirming in the sales order and fulfilment
folders runs both ways too (tests/confirm_ways.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.events import names
from core.events.models import Delivery, Event
from core.roles import user_roles
from crm.sales.models import OrderEvent, SalesOrder
from integration.fulfilment import services
from scm.inventory.models import Product
from tests.crm.sales.factories import TeamFactory
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order
from tests.scm.inventory.factories import ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.compares_confirm_ways]

S = SalesOrder.State
WAYS = {"one statement": True, "steps": False}


def _draft(owner, credit_limit="0"):
    customer = CustomerFactory(owner=owner, credit_limit=Decimal(credit_limit))
    return make_order(
        customer, owner, (ProductFactory(list_price=Decimal("10.00")), 2), (ProductFactory(), 1)
    )


def _confirm(settings, one_statement, order, user):
    """``order_confirm`` one way: its result, or the error it raised (type and messages)."""
    settings.ORDERS_CONFIRM_IN_ONE_STATEMENT = one_statement
    try:
        return services.order_confirm(order=order, user=user)
    except ValidationError as exc:
        return ("ValidationError", exc.message_dict)
    except (PermissionDenied, SalesOrder.DoesNotExist) as exc:
        return (type(exc).__name__,)


def written(order, user):
    """What confirming left behind, without ids, numbers and times."""
    order = SalesOrder.objects.get(pk=order.pk)
    entries = OrderEvent.objects.filter(order=order).exclude(kind="created").order_by("pk")
    events = Event.objects.filter(name=names.ORDER_CONFIRMED, payload__order_id=order.pk)
    return {
        "state": order.state,
        "confirmed": order.confirmed_at is not None and order.updated_at == order.confirmed_at,
        "entries": [(e.kind, e.text, _without_number(e.data, order), e.user_id == user.pk) for e in entries],
        "payloads": [
            {
                **e.payload,
                "order_id": e.payload["order_id"] == order.pk,
                "customer_id": e.payload["customer_id"] == order.customer_id,
            }
            for e in events
        ],
        "deliveries": sorted(Delivery.objects.filter(event__in=events).values_list("handler", "state")),
    }


def _without_number(data: dict, order) -> dict:
    """An entry's data, its order's own number (each case confirms an order of its own) said
    as whether it is the order's."""
    params = data.get("params")
    if not params or "number" not in params:
        return data
    return {**data, "params": {**params, "number": params["number"] == order.number}}


def test_both_ways_write_the_same_rows_payload_and_deliveries(
    settings, sales_user, django_capture_on_commit_callbacks
):
    quick, steps = _draft(sales_user), _draft(sales_user)
    with django_capture_on_commit_callbacks(execute=False):
        confirmed = _confirm(settings, True, quick, sales_user)
        _confirm(settings, False, steps, sales_user)
    assert confirmed.state == S.CONFIRMED and confirmed.confirmed_at is not None
    assert written(quick, sales_user)["payloads"] == [{"order_id": True, "customer_id": True}]
    assert written(quick, sales_user) == written(steps, sales_user)


def test_the_usual_case_is_one_statement(settings, sales_user, django_capture_on_commit_callbacks):
    order = _draft(sales_user)
    user_roles(sales_user)  # read with the user, as a request reads them
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
        _confirm(settings, True, order, sales_user)
    assert len(queries) == 1


def test_the_setting_off_takes_the_steps(settings, sales_user, django_capture_on_commit_callbacks):
    order = _draft(sales_user)
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
        _confirm(settings, False, order, sales_user)
    assert any("FOR UPDATE" in q["sql"] for q in queries)


@pytest.mark.parametrize("one_statement", WAYS.values(), ids=WAYS)
def test_either_way_hands_the_event_to_the_dispatcher_once_on_commit(
    settings, sales_user, one_statement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _confirm(settings, one_statement, _draft(sales_user), sales_user)
    assert len(callbacks) == 1


def _over_the_credit_limit(rep):
    return _draft(rep, credit_limit="1.00"), rep


def _within_the_credit_limit(rep):
    return _draft(rep, credit_limit="100000.00"), rep


def _inactive_product(rep):
    order = _draft(rep)
    Product.objects.filter(pk=order.lines.first().product_id).update(is_active=False)
    return order, rep


def _no_lines(rep):
    order = _draft(rep)
    order.lines.all().delete()
    return order, rep


def _confirmed_already(rep):
    order = _draft(rep)
    services.order_confirm(order=order, user=rep)
    return order, rep


def _another_reps_order(rep):
    return _draft(UserFactory(roles=["sales"])), rep


def _a_teammates_order(rep):
    mate = UserFactory(roles=["sales"])
    TeamFactory().members.add(rep, mate)
    return _draft(mate), rep


def _any_order_for_a_manager(rep):
    return _draft(rep), UserFactory(roles=["manager"])


def _a_user_without_a_role(rep):
    return _draft(rep), UserFactory()


def _no_such_order(rep):
    return "12abc", rep


CASES = [
    _over_the_credit_limit,
    _within_the_credit_limit,
    _inactive_product,
    _no_lines,
    _confirmed_already,
    _another_reps_order,
    _a_teammates_order,
    _any_order_for_a_manager,
    _a_user_without_a_role,
    _no_such_order,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__.strip("_") for c in CASES])
def test_every_case_ends_the_same_either_way(settings, sales_user, case, django_capture_on_commit_callbacks):
    outcomes = []
    for one_statement in WAYS.values():
        order, user = case(sales_user)
        with django_capture_on_commit_callbacks(execute=False):
            result = _confirm(settings, one_statement, order, user)
        if isinstance(result, SalesOrder):
            result = result.state
        outcomes.append((result, written(order, user) if isinstance(order, SalesOrder) else None))
    assert outcomes[0] == outcomes[1]
