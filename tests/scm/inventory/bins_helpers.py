"""Bins for tests: a warehouse with a few bins, made through the set-up service."""

from scm.inventory import locations_admin
from scm.inventory.models import LocationStock


def bin_at(warehouse, zone, n, **fields):
    """Bin ``n`` of ``zone`` (code ``A-01``), walked in the order made."""
    return locations_admin.location_save(warehouse=warehouse, zone=zone, bin=f"{n:02d}", actor=None, **fields)


def held(location, product, lot=None):
    return (
        LocationStock.objects.filter(location=location, product=product, lot=lot)
        .values_list("on_hand", flat=True)
        .first()
    )
