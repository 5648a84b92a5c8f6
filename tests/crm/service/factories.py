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

    number = factory.Sequence(lambda n: f"TK-F{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    category = Category.QUESTION
    subject = factory.Sequence(lambda n: f"问题 {n}")
    opened_at = factory.LazyFunction(timezone.now)


def image_file(name="photo.png", fmt="PNG", size=(8, 8)):
    """A small real image as an upload."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def lot_of(product=None, number=None):
    from scm.inventory.models import Lot
    from tests.scm.inventory.factories import ProductFactory

    product = product or ProductFactory()
    return Lot.objects.create(product=product, number=number or f"L-{Lot.objects.count() + 1:05d}")


def order_of(customer, product=None):
    from crm.sales.orders import services as order_services
    from tests.scm.inventory.factories import ProductFactory

    product = product or ProductFactory()
    return order_services.order_create(
        customer=customer, owner=customer.owner, lines=[{"product": product, "quantity": "1"}]
    )


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "service.Survey"

    kind = "delivery"
    customer = factory.SubFactory(CustomerFactory)
    recipient = "buyer@customer.example"
    shipment_id = factory.Sequence(lambda n: 100000 + n)
    state = "sent"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
