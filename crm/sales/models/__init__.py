"""The ``sales`` app's models: the pipeline's (leads, opportunities, activities) here, the order
side's (quotes, sales orders) in ``crm.sales.orders.models``, imported here so that Django finds
them with the app."""

from crm.sales.models.pipeline import (
    Activity,
    AssignmentRule,
    Lead,
    Opportunity,
    PipelineStage,
    StageChange,
)
from crm.sales.orders.models import OrderEvent, Quote, QuoteEmail, QuoteLine, SalesOrder, SalesOrderLine
from crm.sales.orders.prices.models import PriceList, PriceListLine, PriceSource, Promotion

__all__ = [
    "Activity",
    "AssignmentRule",
    "Lead",
    "Opportunity",
    "OrderEvent",
    "PipelineStage",
    "PriceList",
    "PriceListLine",
    "PriceSource",
    "Promotion",
    "Quote",
    "QuoteEmail",
    "QuoteLine",
    "SalesOrder",
    "SalesOrderLine",
    "StageChange",
]
