"""The customer 360 "balance" panel."""

from finance import selectors
from finance.models import Invoice


def balance_panel_context(customer, user) -> dict:
    if not selectors.visible_customers(user).filter(pk=customer.pk).exists():
        return {"hidden": True, "customer_id": customer.pk, "last_invoices": []}
    open_orders = selectors.open_orders_total(customer_id=customer.pk)
    return {
        "customer_id": customer.pk,
        "balance": selectors.customer_balance(customer_id=customer.pk),
        "exposure": selectors.credit_exposure(customer_id=customer.pk, open_orders_total=open_orders),
        "last_invoices": list(
            Invoice.objects.filter(customer_id=customer.pk).order_by("-issue_date", "-id")[:5]
        ),
    }
