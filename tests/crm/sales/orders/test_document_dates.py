"""The quote's date is the local day it was made, as the pages show it, not the UTC day."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from crm.sales.orders import quote_pdf
from crm.sales.orders.models import Quote
from tests.crm.sales.orders.test_quotes import make_quote

pytestmark = pytest.mark.django_db


def test_quote_pdf_dates_the_quote_on_the_local_day(monkeypatch):
    quote = make_quote()
    # 1 March 17:00 UTC is already 2 March (01:00) in Shanghai.
    quote.created_at = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    Quote.objects.filter(pk=quote.pk).update(created_at=quote.created_at)
    seen = {}
    monkeypatch.setattr(quote_pdf, "render_document", lambda **kwargs: seen.update(kwargs) or b"%PDF")
    with translation.override("zh-hans"):
        quote_pdf.quote_pdf(Quote.objects.get(pk=quote.pk))
        on_the_page = Template("{{ t|date:'SHORT_DATE_FORMAT' }}").render(Context({"t": quote.created_at}))
    assert dict(seen["meta"])["日期"] == on_the_page == "2026年3月2日"
