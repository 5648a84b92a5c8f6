from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from crm.service.models import Visit
from scm.inventory.models import Warehouse
from tests.crm.service.factories import TicketFactory
from tests.factories import UserFactory

# Three warehouses where the source material has them, and a customer in 广州.
CITIES = {
    "北京": (Decimal("39.904200"), Decimal("116.407400")),
    "上海": (Decimal("31.230400"), Decimal("121.473700")),
    "广州": (Decimal("23.129100"), Decimal("113.264400")),
}
GUANGZHOU_CUSTOMER = (Decimal("23.120000"), Decimal("113.300000"))


def city_warehouses() -> dict[str, Warehouse]:
    out = {}
    for i, (city, (lat, lon)) in enumerate(CITIES.items()):
        out[city] = Warehouse.objects.create(code=f"W{i + 1}", name=f"{city}仓", latitude=lat, longitude=lon)
    return out


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    ticket = factory.SubFactory(TicketFactory)
    engineer = factory.SubFactory(UserFactory, roles=["service"])
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda v: v.starts_at + timedelta(hours=2))
