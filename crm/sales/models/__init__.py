"""Sales models, split by subject: the pipeline (leads, opportunities, activities) and the
order side (quotes, sales orders)."""
