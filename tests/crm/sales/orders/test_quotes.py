from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.numbers import number_at_least
from crm.sales.models import Quote, SalesOrder
from crm.sales.orders import quote_services
from crm.sales.orders.pdf import order_confirmation_pdf
from crm.sales.orders.quote_pdf import quote_pdf
from crm.sales.orders.tasks import quotes_expire
from tests.crm.sales.factories import ContactFactory, CustomerFactory
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory

pytestmark = pytest.mark.django_db


def make_quote(customer=None, **kwargs):
    customer = customer or CustomerFactory()
    product = ProductFactory(name="矿泉水 550ml", list_price=Decimal("2.00"))
    box = ProductUnitFactory(product=product, name="箱", factor=Decimal("24"))
    return quote_services.quote_create(
        customer=customer,
        owner=customer.owner,
        lines=[{"product": product, "unit": box, "quantity": 10, "discount_percent": "5"}],
        notes="含运费，北京市内送货",
        **kwargs,
    )


def test_quote_accept_creates_a_draft_order_with_the_quotes_prices():
    quote = make_quote()
    quote.lines.update(unit_price=Decimal("40.00"))  # negotiated below list (48.00)
    order = quote_services.quote_accept(quote=quote, user=quote.owner)
    quote.refresh_from_db()
    assert quote.state == Quote.State.ACCEPTED
    assert order.state == SalesOrder.State.DRAFT
    assert order.quote_id == quote.pk
    line = order.lines.get()
    assert line.unit_price == Decimal("40.00")
    assert line.base_quantity == Decimal("240")
    assert line.discount_percent == Decimal("5")


def test_quote_accepted_twice_creates_one_order():
    quote = make_quote()
    quote_services.quote_accept(quote=quote, user=quote.owner)
    with pytest.raises(ValidationError):
        quote_services.quote_accept(quote=Quote.objects.get(pk=quote.pk), user=quote.owner)
    assert SalesOrder.objects.count() == 1


def test_expired_quote_cannot_be_accepted():
    quote = make_quote()
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    quote.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        quote_services.quote_accept(quote=quote, user=quote.owner)
    assert "valid_until" in err.value.message_dict
    assert SalesOrder.objects.count() == 0


def test_quote_send_emails_the_pdf_to_the_primary_contact(django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    ContactFactory(customer=customer, email="buyer@example.cn", is_primary=True)
    quote = make_quote(customer)
    with django_capture_on_commit_callbacks(execute=True):
        quote_services.quote_send(quote=quote, user=quote.owner)
    quote.refresh_from_db()
    assert quote.state == Quote.State.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@example.cn"]
    name, content, mimetype = message.attachments[0]
    assert name == f"{quote.number}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")


def test_quote_send_without_an_address_marks_sent_and_sends_nothing(django_capture_on_commit_callbacks):
    customer = CustomerFactory(email="")
    quote = make_quote(customer)
    with django_capture_on_commit_callbacks(execute=True):
        quote_services.quote_send(quote=quote, user=quote.owner)
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.SENT
    assert mail.outbox == []


def test_quotes_past_validity_expire_by_the_periodic_task():
    old = make_quote()
    fresh = make_quote()
    Quote.objects.filter(pk=old.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert quotes_expire() == 1
    assert Quote.objects.get(pk=old.pk).state == Quote.State.EXPIRED
    assert Quote.objects.get(pk=fresh.pk).state == Quote.State.DRAFT


def test_beat_schedule_has_the_quote_expiry_entry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sales-quotes-expire"]
    assert entry["task"] == quotes_expire.name


def test_quote_pdf_embeds_a_cjk_font_with_chinese_text():
    from reportlab.pdfbase.pdfmetrics import getFont

    from core.pdf import cjk_font

    quote = make_quote()
    pdf = quote_pdf(quote)
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf or b"STSong-Light" in pdf
    # The document's font has glyphs for the Chinese product name and notes.
    font = getFont(cjk_font())
    if hasattr(font, "face") and hasattr(font.face, "charToGlyph"):
        assert all(ord(c) in font.face.charToGlyph for c in "矿泉水含运费")


def test_order_confirmation_pdf_renders_chinese():
    quote = make_quote()
    order = quote_services.quote_accept(quote=quote, user=quote.owner)
    pdf = order_confirmation_pdf(order)
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf or b"STSong-Light" in pdf


def test_quote_pages_list_detail_and_accept(client):
    quote = make_quote()
    client.force_login(quote.owner)
    assert quote.number in client.get(reverse("sales:orders:quote_list")).content.decode()
    assert client.get(reverse("sales:orders:quote_detail", args=[quote.pk])).status_code == 200
    response = client.post(reverse("sales:orders:quote_accept", args=[quote.pk]))
    order = SalesOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "sales:orders:order_detail", args=[order.pk]
    )


def test_quote_pdf_download(client):
    quote = make_quote()
    client.force_login(quote.owner)
    response = client.get(reverse("sales:orders:quote_pdf", args=[quote.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_quote_list_query_count_is_fixed(client, sales_user, django_assert_max_num_queries):
    customer = CustomerFactory(owner=sales_user)
    make_quote(customer)
    client.force_login(sales_user)
    url = reverse("sales:orders:quote_list")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(10):
        make_quote(customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_quote_form_creates_a_quote(client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    product = ProductFactory()
    client.force_login(sales_user)
    response = client.post(
        reverse("sales:orders:quote_create"),
        {
            "customer": customer.pk,
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": product.pk,
            "lines-0-quantity": "3",
        },
    )
    assert response.status_code == 302
    assert Quote.objects.get().lines.get().quantity == Decimal("3")


def test_rep_cannot_open_or_accept_another_teams_quote(client, sales_user):
    quote = make_quote()  # owned by a rep outside sales_user's teams
    client.force_login(sales_user)
    assert client.get(reverse("sales:orders:quote_detail", args=[quote.pk])).status_code == 404
    assert client.post(reverse("sales:orders:quote_accept", args=[quote.pk])).status_code == 404
    assert SalesOrder.objects.count() == 0


def test_teammate_reads_a_quote_but_cannot_send_it(client, sales_user):
    from tests.crm.sales.factories import TeamFactory

    quote = make_quote()
    TeamFactory().members.add(sales_user, quote.owner)
    client.force_login(sales_user)
    assert client.get(reverse("sales:orders:quote_detail", args=[quote.pk])).status_code == 200
    assert client.post(reverse("sales:orders:quote_send", args=[quote.pk])).status_code == 403
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.DRAFT


def test_a_quote_number_comes_from_the_counter_of_the_year():
    year = timezone.localdate().year
    number_at_least(prefix="QT", year=year, value=6)
    assert make_quote().number == f"QT-{year}-000007"
