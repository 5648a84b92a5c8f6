"""Who may use the receivables API: finance writes; managers and sales reps read (reps only
their own and their team's customers, by the customers' record rule)."""

from core.roles import FINANCE, MANAGER, SALES

READ = (FINANCE, MANAGER, SALES)
WRITE = (FINANCE,)
