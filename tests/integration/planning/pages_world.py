"""What the planning pages' and API's tests share: the planning run stubbed (its engine is its
own tests' business), and suggestions that can be accepted (a purchase from a supplier who
sells the product, a transfer between two stock warehouses)."""

from decimal import Decimal

from integration.planning.models import Suggestion
from tests.integration.planning.factories import SuggestionFactory
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory
from tests.scm.purchasing.factories import SupplierPriceFactory, SupplierProductFactory


def purchase_suggestion(**kwargs) -> Suggestion:
    product = kwargs.pop("product", None) or ProductFactory()
    sp = SupplierProductFactory(product=product)
    SupplierPriceFactory(supplier_product=sp, unit_price=Decimal("5"))
    return SuggestionFactory(product=product, supplier=sp.supplier, supplier_product=sp, **kwargs)


def transfer_suggestion(**kwargs) -> Suggestion:
    from tests.integration.fulfilment.factories import receive

    source = WarehouseFactory(code="SRC", name="Source")
    product = kwargs.pop("product", None) or ProductFactory()
    receive(product, source, Decimal("100"))
    return SuggestionFactory(
        kind=Suggestion.Kind.TRANSFER,
        product=product,
        source_warehouse=source,
        quantity=Decimal("30"),
        order_quantity=None,
        **kwargs,
    )
