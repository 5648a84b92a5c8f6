"""Carriers: saved with default and per-region transit days; bad input names its field and
writes nothing; the list page's queries do not grow with carriers."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.customers.models import Region
from integration.fulfilment import carriers
from integration.fulfilment.models import Carrier, CarrierTransit
from tests.integration.fulfilment.factories import CarrierFactory

pytestmark = pytest.mark.django_db


def test_carrier_saved_with_region_days_and_changed():
    south = Region.objects.create(code="S", name="华南")
    north = Region.objects.create(code="N", name="华北")
    carrier = carriers.carrier_save(
        name=" 京东物流 ", transit_days="2", transits={south.pk: "1", north.pk: 3}
    )
    assert carrier.name == "京东物流"
    assert dict(carrier.transits.values_list("region_id", "days")) == {south.pk: 1, north.pk: 3}
    carriers.carrier_save(carrier=carrier, name="京东物流", transit_days=2, transits={south.pk: 2})
    assert dict(carrier.transits.values_list("region_id", "days")) == {south.pk: 2}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "", "transit_days": 2}, "name"),
        ({"name": "X", "transit_days": "²"}, "transit_days"),
        ({"name": "X", "transit_days": "1e30"}, "transit_days"),
        ({"name": "X", "transit_days": -1}, "transit_days"),
        ({"name": "X", "transit_days": 2, "transits": {"abc": 1}}, "transits"),
        ({"name": "X", "transit_days": 2, "transits": {987654: 1}}, "transits"),
        ({"name": "X", "transit_days": 2, "transits": {1: "NaN"}}, "transits"),
    ],
)
def test_bad_carrier_input_names_its_field_and_writes_nothing(kwargs, field):
    Region.objects.create(pk=1, code="S", name="华南")
    with pytest.raises(ValidationError) as err:
        carriers.carrier_save(**kwargs)
    assert field in err.value.message_dict
    assert not Carrier.objects.exists() and not CarrierTransit.objects.exists()


def test_a_second_carrier_with_the_same_name_is_refused():
    CarrierFactory(name="顺丰速运")
    with pytest.raises(ValidationError) as err:
        carriers.carrier_save(name="顺丰速运", transit_days=1)
    assert "name" in err.value.message_dict


def test_carrier_pages(client, warehouse_user, django_assert_max_num_queries):
    south = Region.objects.create(code="S", name="华南")
    client.force_login(warehouse_user)
    response = client.post(
        reverse("fulfilment:carrier-create"),
        {"name": "德邦物流", "transit_days": "3", "is_active": "on", f"region_{south.pk}": "2"},
    )
    assert response.status_code == 302
    assert CarrierTransit.objects.get().days == 2
    bad = client.post(reverse("fulfilment:carrier-create"), {"name": "Y", "transit_days": "99999"})
    assert bad.status_code == 400 and not Carrier.objects.filter(name="Y").exists()
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("fulfilment:carriers"))
    for n in range(10):
        c = CarrierFactory(name=f"快递{n}")
        CarrierTransit.objects.create(carrier=c, region=south, days=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("fulfilment:carriers"))
    assert "快递9" in page.content.decode()
