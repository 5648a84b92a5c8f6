"""What sales adds to the customer 360 page: an opportunities panel and activities on the
timeline (registered in ``SalesConfig.ready``)."""

from django.urls import reverse

from crm.customers.templatetags.crm import person
from crm.sales import selectors
from crm.sales.models import Opportunity


def opportunities_context(customer, user) -> dict:
    opps = list(
        selectors.opportunities_visible_to(user)
        .filter(customer=customer)
        .select_related("stage", "owner")
        .order_by("state", "-updated_at")[:20]
    )
    return {
        "opportunities": opps,
        "open_total": sum((o.amount for o in opps if o.state == Opportunity.State.OPEN), 0),
    }


def log_activity_context(customer, user) -> dict:
    from crm.sales.forms import ActivityForm

    return {"activity_form": ActivityForm(), "customer": customer}


def activity_entries(customer, user, limit) -> list[dict]:
    return [
        {
            "at": a.at,
            "title": a.subject,
            "body": a.body,
            "url": reverse("sales:opportunity_detail", args=[a.opportunity_id]) if a.opportunity_id else "",
            "kind": a.kind,
            "kind_label": a.get_kind_display(),
            "who": person(a.owner),
            "due_at": a.due_at,
            "done_at": a.done_at,
            "is_task": a.kind == "task",
            "pk": a.pk,
        }
        for a in selectors.customer_activities(customer=customer, user=user, limit=limit)
    ]
