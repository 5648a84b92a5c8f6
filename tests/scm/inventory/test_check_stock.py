import pytest
from django.core.management import CommandError, call_command

from scm.inventory import reservations, services
from scm.inventory.models import StockLevel
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_check_stock_passes_when_levels_match_the_ledger():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    reservations.stock_reserve(product=product, quantity=2, demand="d")
    call_command("check_stock")


def test_check_stock_fails_when_a_level_differs_from_its_ledger():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    StockLevel.objects.filter(product=product).update(on_hand=6)
    with pytest.raises(CommandError):
        call_command("check_stock")


def test_check_stock_fails_when_reserved_disagrees_with_reservations():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    StockLevel.objects.filter(product=product).update(reserved=1)
    with pytest.raises(CommandError):
        call_command("check_stock")
