"""Who sees and does what in after-sales quality, and the lists its pages show."""

from core.roles import MANAGER, PURCHASING, SERVICE, WAREHOUSE

# The trace, alerts, holds and recalls are read by service, the warehouse, purchasing and the
# managers; sales reps hear of their customers through notifications (no page).
READ_ROLES = (SERVICE, WAREHOUSE, PURCHASING, MANAGER)
# Holding a lot, recalling it, closing an alert or a recall: managers.
ACT_ROLES = (MANAGER,)
# Marking a recalled customer contacted or returned: service and managers.
CONTACT_ROLES = (SERVICE, MANAGER)
