"""Planning records for tests: rows, not the result of a planning run (tests of the run build
history and call the engine)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from integration.planning.models import DemandDay, Plan, PlanOverride, Suggestion
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory


class DemandDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DemandDay

    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    day = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    shipped = Decimal("10")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    computed_at = factory.LazyFunction(timezone.now)
    history_days = 182
    level = Decimal("10")
    weekday_factors = [1, 1, 1, 1, 1, 1, 1]
    sigma = Decimal("3")
    lead_time_days = Decimal("7")
    service_level = Decimal("95")
    z = Decimal("1.6449")
    lead_time_demand = Decimal("70")
    review_demand = Decimal("140")
    safety_stock = Decimal("13")
    reorder_point = Decimal("83")
    order_up_to = Decimal("153")


class PlanOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanOverride

    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    reorder_point = Decimal("20")
    order_up_to = Decimal("60")


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suggestion

    kind = Suggestion.Kind.PURCHASE
    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    quantity = Decimal("48")
    order_quantity = Decimal("48")
    reasons = factory.LazyFunction(
        lambda: {
            "on_hand": "5",
            "reserved": "2",
            "incoming": "0",
            "backordered": "0",
            "position": "3",
            "reorder_point": "20",
            "order_up_to": "50",
            "net_need": "47",
            "short_orders": [],
        }
    )
