"""Planning reads, and who may see and act on plans and suggestions (one definition, used by
pages, API and services alike).

- **Read and act:** purchasing and managers see every plan and suggestion, accept or dismiss
  suggestions and set overrides and category service levels (the company's replenishment is one
  team's work, not a per-record matter). The warehouse reads the plans (the stock it holds is
  planned) but decides nothing. Admins pass every check.
- **Settings:** managers.
"""

from django.db.models import QuerySet

from core.roles import MANAGER, PURCHASING, WAREHOUSE, has_role
from integration.planning.models import Plan, Suggestion

ACT_ROLES = (PURCHASING, MANAGER)
READ_ROLES = (PURCHASING, MANAGER, WAREHOUSE)
SETTINGS_ROLES = (MANAGER,)


def can_read_planning(user) -> bool:
    return has_role(user, READ_ROLES)


def can_plan(user) -> bool:
    """May accept and dismiss suggestions, set overrides and service levels."""
    return has_role(user, ACT_ROLES)


def can_edit_planning_settings(user) -> bool:
    return has_role(user, SETTINGS_ROLES)


def suggestions_visible_to(user) -> QuerySet:
    return Suggestion.objects.all() if can_plan(user) else Suggestion.objects.none()


def plans_visible_to(user) -> QuerySet:
    return Plan.objects.all() if can_read_planning(user) else Plan.objects.none()
