from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "scm.inventory"
    label = "inventory"
    verbose_name = _("Inventory")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import imports
        from core.navigation import NavItem, register
        from core.roles import FINANCE, MANAGER, PURCHASING, SALES, SERVICE, WAREHOUSE
        from core.ui import register_status_colours
        from scm.inventory import importers, location_import, opening_import
        from scm.inventory.views import IMPORT_ROLES

        read = (SALES, SERVICE, WAREHOUSE, PURCHASING, FINANCE, MANAGER)
        register(
            NavItem(
                "inventory.products",
                _("Products"),
                "inventory:products",
                read,
                section="inventory",
                order=300,
            ),
            NavItem("inventory.stock", _("Stock"), "inventory:stock", read, section="inventory", order=310),
            NavItem(
                "inventory.low_stock",
                _("Low stock"),
                "inventory:low_stock",
                (PURCHASING, MANAGER, WAREHOUSE),
                section="inventory",
                order=320,
            ),
            NavItem(
                "inventory.transfers",
                _("Transfers"),
                "inventory:transfers",
                (WAREHOUSE, MANAGER),
                section="inventory",
                order=330,
            ),
            NavItem(
                "inventory.counts",
                _("Counts"),
                "inventory:counts",
                (WAREHOUSE, MANAGER),
                section="inventory",
                order=340,
            ),
            NavItem(
                "inventory.import",
                _("Import products or opening stock"),
                "inventory:import",
                IMPORT_ROLES,
                section="inventory",
                order=345,
            ),
            NavItem(
                "inventory.receive",
                _("Receive"),
                "inventory:tablet_receive",
                (WAREHOUSE,),
                section="warehouse",
                order=350,
            ),
            NavItem(
                "inventory.locations",
                _("Bins"),
                "inventory:locations",
                (WAREHOUSE, MANAGER),
                section="inventory",
                order=335,
            ),
            NavItem(
                "inventory.put_away",
                _("Put away"),
                "inventory:tablet_put_away",
                (WAREHOUSE,),
                section="warehouse",
                order=352,
            ),
        )
        register_status_colours(
            {
                "in_transit": "warning",
                "received": "success",
                "counting": "primary",
                "submitted": "warning",
                "approved": "info",
                "posted": "success",
            }
        )
        _register_today()
        # The import kinds: products, opening stock, bin locations.
        for spec in (importers.PRODUCTS, opening_import.OPENING_STOCK, location_import.LOCATIONS):
            imports.register(spec)


def _register_today() -> None:
    """The warehouse's open counts and the manager's counts to approve; quick actions."""
    from core import home
    from core.roles import MANAGER, WAREHOUSE
    from scm.inventory import today

    home.register(
        "inventory.counts_open",
        _("Open counts"),
        "today/rows.html",
        today.home_counts_open,
        roles=(WAREHOUSE,),
        order=30,
    )
    home.register(
        "inventory.counts_to_approve",
        _("Counts waiting for approval"),
        "today/rows.html",
        today.home_counts_to_approve,
        roles=(MANAGER,),
        order=home.APPROVALS_ORDER + 3,
        section="approvals",
    )
    home.register_action("inventory.transfers", _("Transfers"), "inventory:transfers", (WAREHOUSE,), 23)
    home.register_action("inventory.counts", _("Stock counts"), "inventory:counts", (WAREHOUSE,), 22)
