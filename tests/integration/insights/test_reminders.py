from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from crm.sales.models import Activity
from integration.insights import cycles, reminders
from integration.insights.models import CycleReminder, PurchaseCycle
from integration.insights.selling_services import selling_refresh
from tests.crm.sales.factories import CustomerFactory
from tests.integration.fulfilment.factories import receive, three_warehouses
from tests.integration.insights.factories import TODAY, bought, days_ago, every
from tests.scm.inventory.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def toner_buyer():
    """A customer who buys toner every six weeks, due in twelve days; toner in stock in 上海仓."""
    warehouses = three_warehouses()
    toner = ProductFactory(name="硒鼓 CF226A", sku="TN-226A", base_unit="个")
    receive(toner, warehouses["SH"], 50)
    customer = CustomerFactory(name="华东精密制造有限公司")
    every(customer, toner, gaps=[42, 42, 42, 42], last=days_ago(30), quantity=4)
    cycles.cycles_refresh(today=TODAY)
    return customer, toner


def test_a_cycle_due_gets_a_task_for_the_owner_with_last_quantity_and_stock(toner_buyer):
    customer, toner = toner_buyer

    assert reminders.reminders_create(today=TODAY) == {"created": 1, "skipped": 0}

    task = Activity.objects.get()
    expected = days_ago(30) + timedelta(days=42)
    assert (task.kind, task.owner, task.customer, task.done_at) == ("task", customer.owner, customer, None)
    assert task.due_at == timezone.make_aware(datetime.combine(expected - timedelta(days=7), time(9)))
    for text in (customer.name, toner.name, expected.isoformat()):
        assert text in task.subject
    assert "硒鼓 CF226A (TN-226A): 4 个" in task.body
    assert "上海仓 50" in task.body
    assert days_ago(30).isoformat() in task.body


def test_the_reminder_is_made_once_however_often_the_night_runs(toner_buyer):
    reminders.reminders_create(today=TODAY)

    assert reminders.reminders_create(today=TODAY) == {"created": 0, "skipped": 0}
    selling_refresh(today=TODAY)

    assert Activity.objects.count() == 1
    reminder = CycleReminder.objects.get()
    assert (reminder.task, reminder.cycle) == (Activity.objects.get(), PurchaseCycle.objects.get())


def test_a_new_expected_date_gets_a_new_task(toner_buyer):
    reminders.reminders_create(today=TODAY)
    PurchaseCycle.objects.update(expected_date=TODAY + timedelta(days=3))

    assert reminders.reminders_create(today=TODAY)["created"] == 1
    assert Activity.objects.count() == 2


def test_a_cycle_expected_beyond_the_lead_time_gets_no_task_yet(toner_buyer, settings):
    settings.INSIGHTS_CYCLE_LEAD_DAYS = 7

    assert reminders.reminders_create(today=TODAY)["created"] == 0
    assert reminders.reminders_create(today=TODAY + timedelta(days=5))["created"] == 1


def test_a_customer_without_an_owner_gets_no_task(toner_buyer):
    customer, _toner = toner_buyer
    type(customer).objects.filter(pk=customer.pk).update(owner=None)

    assert reminders.reminders_create(today=TODAY)["created"] == 0


def test_a_product_out_of_stock_says_so(toner_buyer):
    customer, toner = toner_buyer
    from scm.inventory.models import StockLevel

    StockLevel.objects.filter(product=toner).update(on_hand=0)

    reminders.reminders_create(today=TODAY)

    assert "上海仓 0" in Activity.objects.get().body


def test_a_category_cycle_lists_what_was_bought_of_it_last_time():
    three_warehouses()
    paper = CategoryFactory(name="复印纸")
    a4 = ProductFactory(name="A4 复印纸 70g", category=paper, base_unit="包")
    a3 = ProductFactory(name="A3 复印纸 80g", category=paper, base_unit="包")
    customer = CustomerFactory()
    # A3 and A4 by turns (neither regular alone), both on the last day.
    for n, lines in enumerate([[(a3, 5)], [(a4, 11)], [(a3, 5)], [(a4, 13)], [(a3, 5), (a4, 2)]]):
        bought(customer, days_ago(30 + 42 * (4 - n)), *lines)
    cycles.cycles_refresh(today=TODAY)
    assert PurchaseCycle.objects.get().category == paper

    reminders.reminders_create(today=TODAY)

    body = Activity.objects.get().body
    assert "A4 复印纸 70g" in body and ": 2 包" in body
    assert "A3 复印纸 80g" in body and ": 5 包" in body


def test_the_nightly_task_is_scheduled_and_runs_the_refresh(toner_buyer, settings):
    from config.celery import app
    from integration.insights import selling_tasks

    entry = settings.CELERY_BEAT_SCHEDULE["insights-selling-nightly"]
    assert entry["task"] == selling_tasks.selling_nightly.name and entry["task"] in app.tasks
    PurchaseCycle.objects.all().delete()

    result = selling_tasks.selling_nightly.delay().get()

    assert set(result) == {"cycles", "copurchases", "reminders"}
    assert all("seconds" in step for step in result.values())
