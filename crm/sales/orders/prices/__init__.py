"""Prices and promotions of the order side of ``crm.sales``: price lists per customer or customer
group with validity dates and quantity breaks, promotions (an order-level discount over a
threshold, buy X get Y), the one resolution of a line's price (``selectors.prices_resolve``) and
the bulk change of list prices (``bulk``).

Part of the ``sales`` Django app (its models keep the app's label and migrations)."""
