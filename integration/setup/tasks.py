"""Thin tasks of the set-up app: load by id, call the module that does the work."""

import logging
from smtplib import SMTPException

from celery import shared_task

from integration.setup import invites

logger = logging.getLogger(__name__)

RETRIES = 6


@shared_task(bind=True, name="integration.setup.tasks.invite_email", max_retries=RETRIES)
def invite_email(self, user_id: int, language: str, inviter_id: int | None = None):
    try:
        return invites.invite_email_send(user_id=user_id, language=language, inviter_id=inviter_id)
    except (SMTPException, OSError) as exc:
        if self.request.is_eager:
            # In-process (no broker): a retry would hold the admin's request; the invitation
            # is sent again from the users page.
            logger.warning("The invitation e-mail of user %s failed", user_id, exc_info=True)
            return "failed"
        # A mail server that is down is tried again, later each time (about an hour in all).
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
