"""The customer 360 "shipments" panel (registered in ``FulfilmentConfig.ready``)."""

from core.roles import FINANCE, MANAGER, SALES, WAREHOUSE, has_role
from integration.fulfilment import selectors

# Who may open a shipment's page (the panel shows the list to service too).
SHIPMENT_PAGE_ROLES = (SALES, WAREHOUSE, FINANCE, MANAGER)


def shipments_panel_context(customer, user) -> dict:
    return {
        "shipments": selectors.customer_shipments(customer_id=customer.pk, user=user),
        "can_open": has_role(user, SHIPMENT_PAGE_ROLES),
    }
