"""Sales models, split by subject: the pipeline (leads, opportunities, activities) and the
order side (quotes, sales orders)."""

from crm.sales.models.orders import OrderEvent, Quote, QuoteLine, SalesOrder, SalesOrderLine
from crm.sales.models.pipeline import (
    Activity,
    AssignmentRule,
    Lead,
    Opportunity,
    PipelineStage,
    StageChange,
)

__all__ = [
    "Activity",
    "AssignmentRule",
    "Lead",
    "Opportunity",
    "OrderEvent",
    "PipelineStage",
    "Quote",
    "QuoteLine",
    "SalesOrder",
    "SalesOrderLine",
    "StageChange",
]
