"""Sales models, split by subject: the pipeline (leads, opportunities, activities) and the
order side (quotes, sales orders)."""

from crm.sales.models.orders import OrderEvent, Quote, QuoteLine, SalesOrder, SalesOrderLine

__all__ = ["OrderEvent", "Quote", "QuoteLine", "SalesOrder", "SalesOrderLine"]
