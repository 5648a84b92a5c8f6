"""Quotes and sales orders: the order side of ``crm.sales`` (the pipeline is the package above).

Part of the ``sales`` Django app (its models keep the app's label and migrations); wired up by
``setup.ready`` from ``SalesConfig.ready``."""
