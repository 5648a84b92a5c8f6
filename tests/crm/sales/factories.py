from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from crm.sales.models import Activity, Lead, Opportunity, PipelineStage
from tests.crm.customers.factories import ContactFactory as BaseContactFactory
from tests.crm.customers.factories import CustomerFactory as BaseCustomerFactory
from tests.crm.customers.factories import TeamFactory  # noqa: F401  (re-exported for order tests)


class CustomerFactory(BaseCustomerFactory):
    name = factory.Sequence(lambda n: f"客户{n} 商贸有限公司")
    address = "北京市朝阳区建国路 88 号"


class ContactFactory(BaseContactFactory):
    customer = factory.SubFactory(CustomerFactory)
    name = "王经理"
    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    is_primary = True


def valid_until(days=30):
    return timezone.localdate() + timedelta(days=days)


def open_stages():
    return list(PipelineStage.objects.filter(is_won=False, is_lost=False).order_by("order"))


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    name = factory.Sequence(lambda n: f"Lead person {n}")
    company = factory.Sequence(lambda n: f"Lead company {n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    source = "web"


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"Deal {n}")
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.LazyAttribute(lambda o: o.customer.owner)
    stage = factory.LazyFunction(lambda: open_stages()[0])
    amount = Decimal("50000.00")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    kind = Activity.Kind.TASK
    subject = factory.Sequence(lambda n: f"Follow up {n}")
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.LazyAttribute(lambda a: a.customer.owner)
    at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(timezone.now)
