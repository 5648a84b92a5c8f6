"""The finance import page: opening receivables and payables (``finance.importers``), through
the common upload → check → confirm flow (``core.import_pages``). Finance's (and admins')."""

from django.utils.translation import gettext as _

from core import import_pages
from core.permissions import role_required
from core.roles import FINANCE
from finance import importers


def _heading() -> str:
    return _("Import opening balances")


@role_required(FINANCE)
def import_page(request):
    """Upload → preview → confirm of opening receivables and payables."""
    return import_pages.import_page(
        request,
        group=importers.GROUP,
        heading=_heading(),
        page_url="finance:import",
        status_url="finance:import_status",
    )


@role_required(FINANCE)
def import_status(request, pk):
    """One import's progress and outcome; the page polls it (htmx) while the import runs."""
    return import_pages.import_status(
        request, pk, group=importers.GROUP, heading=_heading(), page_url="finance:import"
    )
