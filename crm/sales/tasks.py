from celery import shared_task

from crm.sales import services


@shared_task
def task_reminders() -> int:
    """Beat job: due and overdue tasks become in-app notifications (idempotent)."""
    return services.tasks_notify_due()
