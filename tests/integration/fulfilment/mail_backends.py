"""E-mail backends for tests that run a real worker (it loads them by EMAIL_BACKEND)."""

import smtplib

from django.core.mail.backends.filebased import EmailBackend


class RefusesSomeBackend(EmailBackend):
    """Writes messages to EMAIL_FILE_PATH, but refuses recipients at ``refused.example`` as a
    mail server refuses an unknown user."""

    def send_messages(self, email_messages):
        for message in email_messages:
            refused = [to for to in message.to if to.endswith("@refused.example")]
            if refused:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(refused, (550, b"5.1.1 User unknown")))
        return super().send_messages(email_messages)
