"""The rep's stock alerts panel: their "stock is tight" notices of the week, one per product."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.events.models import Notification
from integration.rules import services, today
from tests.crm.sales.factories import CustomerFactory, OpportunityFactory
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def interested(rep, product):
    OpportunityFactory(customer=CustomerFactory(owner=rep), owner=rep).products.add(product)


def test_stock_alerts_are_my_tight_products_of_the_week_one_each():
    rep, other = UserFactory(roles=["sales"]), UserFactory(roles=["sales"])
    paper, ink, old = ProductFactory(name="复印纸"), ProductFactory(name="墨盒"), ProductFactory(name="旧货")
    for product in (paper, ink, old):
        interested(rep, product)
    services.stock_tight_tell(product_id=old.pk, today=timezone.localdate() - timedelta(days=9))
    Notification.objects.update(created_at=timezone.now() - timedelta(days=9))
    services.stock_tight_tell(product_id=paper.pk, today=timezone.localdate() - timedelta(days=1))
    services.stock_tight_tell(product_id=paper.pk)
    services.stock_tight_tell(product_id=ink.pk)
    context = today.home_stock_alerts(None, rep)
    assert context["count"] == 2
    assert [row["title"] for row in context["rows"]] == [f"{ink.sku} 墨盒", f"{paper.sku} 复印纸"]
    assert today.home_stock_alerts(None, other)["count"] == 0
