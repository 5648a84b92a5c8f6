from datetime import timedelta

import factory
from django.utils import timezone

from crm.customers.models import Contact, Customer, Team
from tests.factories import UserFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"客户{n} 商贸有限公司")
    owner = factory.SubFactory(UserFactory, roles=["sales"])
    address = "北京市朝阳区建国路 88 号"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = "王经理"
    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    is_primary = True


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


def valid_until(days=30):
    return timezone.localdate() + timedelta(days=days)
