"""Sending a purchase order: its PDF (in Chinese, with the company's name) e-mailed once to the
supplier's primary contact through the outbox, each sending recorded."""

import pytest
from django.core import mail

from core.events.models import Event
from scm.purchasing import order_email, orders
from scm.purchasing.documents import purchase_order_pdf
from scm.purchasing.models import PurchaseOrderEmail
from tests.finance.test_documents import pdf_characters
from tests.scm.purchasing.orders_helpers import draft_order

pytestmark = pytest.mark.django_db


def _sent_order(user, capture):
    order, _ = draft_order(user, quantity="2", price="3", name="矿泉水 550ml 整箱")
    orders.purchase_order_submit(order=order, user=user)
    with capture(execute=True):
        orders.purchase_order_send(order=order, user=user)
    return order


def test_sending_emails_the_pdf_to_the_primary_contact_once(
    purchasing_user, django_capture_on_commit_callbacks
):
    order = _sent_order(purchasing_user, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer-desk@supplier.example.com"]
    assert message.attachments[0][0] == f"{order.number}.pdf"
    email = PurchaseOrderEmail.objects.get(order=order)
    assert email.state == PurchaseOrderEmail.State.SENT and email.attempts == 1


def test_a_delivery_run_twice_sends_once(purchasing_user, django_capture_on_commit_callbacks):
    order = _sent_order(purchasing_user, django_capture_on_commit_callbacks)
    email = PurchaseOrderEmail.objects.get(order=order)
    again = order_email.purchase_order_email_send(
        order_id=order.pk, recipient=email.recipient, language="zh-hans", event_id=email.event_id
    )
    assert again == "skipped"
    assert len(mail.outbox) == 1


def test_sending_again_is_a_new_recorded_sending(purchasing_user, django_capture_on_commit_callbacks):
    order = _sent_order(purchasing_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        orders.purchase_order_send(order=order, user=purchasing_user)
    assert PurchaseOrderEmail.objects.filter(order=order, state="sent").count() == 2
    assert Event.objects.filter(name="purchase_order.email_due").count() == 2
    assert len(mail.outbox) == 2


def test_the_pdf_carries_the_company_name_and_renders_chinese(purchasing_user, settings):
    settings.COMPANY_NAME = "北京同行商贸有限公司"
    order, _ = draft_order(purchasing_user, name="矿泉水整箱")
    pdf = purchase_order_pdf(order)
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf
    assert set("北京同行商贸有限公司上海申华贸易矿泉水整箱") <= pdf_characters(pdf)


def test_a_refused_email_is_recorded_as_failed_and_the_buyer_told(purchasing_user, monkeypatch):
    import smtplib

    from core.events.models import Notification

    order, _ = draft_order(purchasing_user, quantity="1", price="1")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    orders.purchase_order_send(order=order, user=purchasing_user)
    email = PurchaseOrderEmail.objects.get(order=order)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({email.recipient: (550, b"User unknown")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(order_email.PurchaseOrderEmailFailed):
        order_email.purchase_order_email_send(
            order_id=order.pk, recipient=email.recipient, language="en", event_id=email.event_id
        )
    email.refresh_from_db()
    assert email.state == PurchaseOrderEmail.State.FAILED and "User unknown" in email.error
    assert Notification.objects.filter(user=purchasing_user, kind="po_email_failed").count() == 1


def test_the_pdf_writes_the_total_in_chinese_capitals_under_the_company_header(purchasing_user):
    from django.utils import translation

    from tests.company_profile import TAX_ID, company_profile_saved
    from tests.pdf_text import pdf_text

    company_profile_saved()
    order, _ = draft_order(purchasing_user, quantity="2", price="1000", tax_rate="0.13")
    order.refresh_from_db()
    with translation.override("en"):
        text = pdf_text(purchase_order_pdf(order))
    assert text.startswith("北京同行商贸有限公司\n") and TAX_ID in text
    assert "Buyer\n北京同行商贸有限公司\n" in text
    assert f"Total\n¥{order.total:,.2f}" in text
    assert "Amount in words\n贰仟贰佰陆拾元整" in text
