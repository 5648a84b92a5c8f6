from datetime import timedelta

import factory
from django.utils import timezone

from crm.service.models import Category, Engineer, ServiceTeam, Ticket
from tests.crm.customers.factories import CustomerFactory
from tests.factories import UserFactory


class ServiceTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceTeam

    name = factory.Sequence(lambda n: f"服务组{n}")
    base = "深圳"


class EngineerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engineer

    user = factory.SubFactory(UserFactory, roles=["service"])
    team = factory.SubFactory(ServiceTeamFactory)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    number = factory.Sequence(lambda n: f"TK-2026-{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    category = Category.QUESTION
    subject = factory.Sequence(lambda n: f"问题 {n}")
    opened_at = factory.LazyFunction(timezone.now)


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "service.Survey"

    kind = "delivery"
    customer = factory.SubFactory(CustomerFactory)
    recipient = "buyer@customer.example"
    shipment_id = factory.Sequence(lambda n: 100000 + n)
    state = "sent"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
