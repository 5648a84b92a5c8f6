"""The rule joining a delivered shipment to its satisfaction survey: on ``shipment.delivered``
service's ``survey_create`` records the survey (once per shipment) and has it e-mailed."""

from core.events import names
from core.events.registry import on
from crm.service import surveys
from crm.service.models import Survey
from integration.fulfilment.models import Shipment


@on(names.SHIPMENT_DELIVERED)
def survey_after_delivery(event):
    shipment = (
        Shipment.objects.select_related("order__customer").filter(pk=event.payload["shipment_id"]).first()
    )
    if shipment is None:
        return
    surveys.survey_create(
        kind=Survey.Kind.DELIVERY,
        customer=shipment.order.customer,
        order=shipment.order,
        shipment_id=shipment.pk,
    )
