from django.core.management.base import BaseCommand

from integration.planning.history import demand_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the demand history (shipped and returned per product, warehouse and day, and the "
        "stock-out days, approximately) from every shipped shipment, return and backorder."
    )

    def handle(self, *args, **options):
        counts = demand_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"demand history rebuilt: {counts['days']} days from {counts['shipments']} shipments "
                f"and {counts['returns']} returns, {counts['stockout_days']} stock-out days"
            )
        )
