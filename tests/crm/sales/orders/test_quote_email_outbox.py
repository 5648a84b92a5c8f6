"""A quote's e-mail goes through the outbox: with the mail server down the send answers without
a 500, the quote is not marked sent, its owner is told why and the outbox retries; once the
e-mail has left the quote is sent."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone, translation

from core.events import dispatch, names
from core.events.models import Delivery, Notification
from crm.sales.models import Quote, QuoteEmail
from tests.crm.sales.factories import ContactFactory, CustomerFactory
from tests.crm.sales.orders.test_quotes import make_quote

pytestmark = pytest.mark.django_db
DOWN = "tests.crm.sales.orders.test_quote_email_outbox.MailServerDown"


class MailServerDown(EmailBackend):
    """The SMTP server cannot be reached."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def quote(sales_user):
    customer = CustomerFactory(owner=sales_user)
    ContactFactory(customer=customer, email="buyer@example.cn", is_primary=True)
    return make_quote(customer)


def quote_delivery():
    return Delivery.objects.get(event__name=names.QUOTE_EMAIL_DUE)


def test_sending_with_the_mail_server_down_is_no_500_and_leaves_the_quote_unsent(
    quote, client, sales_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = DOWN
    client.force_login(sales_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sales:orders:quote_send", args=[quote.pk]))
    assert response.status_code == 302
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.DRAFT
    note = Notification.objects.get(user=sales_user, kind="quote_email_failed")
    assert "Connection refused" in note.body_text()
    delivery = quote_delivery()
    assert (
        delivery.state == "pending" and delivery.attempts == 1 and delivery.next_attempt_at > timezone.now()
    )


def test_the_api_send_with_the_mail_server_down_answers_the_unsent_quote(
    quote, api_client, sales_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = DOWN
    api_client.force_authenticate(sales_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/quotes/{quote.pk}/send/")
    assert response.status_code == 200, response.content
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.DRAFT


def test_the_retry_after_the_server_is_back_sends_once_and_marks_the_quote_sent(
    quote, settings, django_capture_on_commit_callbacks
):
    from crm.sales.orders import quote_services

    settings.EMAIL_BACKEND = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        quote_services.quote_send(quote=quote, user=quote.owner)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    delivery = quote_delivery()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert dispatch.delivery_run(delivery_id=delivery.pk) == "done"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["buyer@example.cn"]
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.SENT


def test_a_sent_email_is_recorded_and_shown_on_the_quote_page(
    quote, client, sales_user, django_capture_on_commit_callbacks
):
    from crm.sales.orders import quote_services

    with django_capture_on_commit_callbacks(execute=True):
        quote_services.quote_send(quote=quote, user=quote.owner)
    email = QuoteEmail.objects.get(quote=quote)
    assert (email.state, email.recipient, email.attempts) == (QuoteEmail.State.SENT, "buyer@example.cn", 1)
    client.force_login(sales_user)
    page = client.get(reverse("sales:orders:quote_detail", args=[quote.pk])).content.decode()
    assert 'data-testid="quote-emails"' in page and 'data-state="sent"' in page


def test_a_failed_email_is_recorded_with_the_reason_until_the_retry_sends_it(
    quote, settings, django_capture_on_commit_callbacks
):
    from crm.sales.orders import quote_services

    settings.EMAIL_BACKEND = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        quote_services.quote_send(quote=quote, user=quote.owner)
    email = QuoteEmail.objects.get(quote=quote)
    assert email.state == QuoteEmail.State.FAILED and "Connection refused" in email.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Delivery.objects.filter(pk=quote_delivery().pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    dispatch.delivery_run(delivery_id=quote_delivery().pk)
    email.refresh_from_db()
    assert (email.state, email.error, email.attempts) == (QuoteEmail.State.SENT, "", 2)


def test_a_run_that_stopped_between_sending_and_recording_is_not_sent_again(
    quote, sales_user, settings, django_capture_on_commit_callbacks
):
    """A worker died after the e-mail left but before it was recorded: the delivery's lease runs
    out and the next run finds the e-mail still ``sending``. It cannot tell whether it left, so
    it does not send a second one: the e-mail is recorded as failed and the owner told."""
    from crm.sales.orders import quote_services

    with django_capture_on_commit_callbacks(execute=False):
        quote_services.quote_send(quote=quote, user=quote.owner)
    QuoteEmail.objects.filter(quote=quote).update(state=QuoteEmail.State.SENDING, attempts=1)

    assert dispatch.delivery_run(delivery_id=quote_delivery().pk) == "done"

    assert mail.outbox == []
    email = QuoteEmail.objects.get(quote=quote)
    assert email.state == QuoteEmail.State.FAILED
    with translation.override("en"):
        assert email.error_text() == quote_services.QUOTE_EMAIL_INTERRUPTED
    assert Notification.objects.filter(user=sales_user, kind="quote_email_failed").exists()
