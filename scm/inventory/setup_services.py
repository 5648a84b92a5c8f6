"""Setting up inventory's master data from an industry template: product categories and
warehouses, each added when missing and never changed when there (a template adds, never
renames). One transaction each; the caller serialises concurrent set-ups (the template's lock),
since a category at the top level has no unique constraint the database could hold it to (its
parent is NULL)."""

from django.db import transaction

from core.audit import audit
from scm.inventory.models import Category, Warehouse
from scm.inventory.warehouses import warehouse_save


@transaction.atomic
def category_ensure(*, name: str, parent: Category | None = None, actor=None) -> tuple[Category, bool]:
    """The category ``name`` (any letter case) under ``parent`` (None: at the top), made when
    missing; ``(category, created)``."""
    name = str(name or "").strip()
    category = Category.objects.filter(name__iexact=name, parent=parent).order_by("pk").first()
    if category is not None:
        return category, False
    category = Category(name=name, parent=parent)
    category.full_clean()
    category.save()
    audit(
        "inventory.category_created",
        actor=actor,
        obj=category,
        data={"name": name, "parent": parent.pk if parent else None},
    )
    return category, True


@transaction.atomic
def warehouse_ensure(
    *, code: str, name: str, region: str = "", address: str = "", actor=None
) -> tuple[Warehouse, bool]:
    """The warehouse with ``code`` (any letter case), made as a stock warehouse when missing
    (through ``warehouses.warehouse_save``, the one way a warehouse is added); ``(warehouse,
    created)``. One that exists keeps its name, region and address."""
    code = str(code or "").strip()
    warehouse = Warehouse.objects.filter(code__iexact=code).first()
    if warehouse is not None:
        return warehouse, False
    warehouse = warehouse_save(actor=actor, code=code, name=name, region=region or "", address=address or "")
    return warehouse, True
