"""Delivery, carriers and satisfaction in the demo company.

- Four carriers with transit days per region (calendar days): 顺丰速运 fast everywhere, 京东物流
  fast in the east and south, 德邦物流 (freight) slower, 中通快递 cheap and slow.
- Every shipment the earlier steps shipped gets its carrier (by the name it was shipped with), its
  expected day, and, when that day has passed, its delivery: confirmed by the driver, by the
  customer's link, or taken from the transit time (estimate); a few arrived late.
- 中通快递 damages about 15 % of its parcels (damage tickets on its shipments): the carrier figures
  page flags it; the others stay near 1–2 %.
- Surveys after deliveries and after closed tickets over two years: about half answered, a
  believable NPS (~35), and every low score (≤ 6) opened a follow-up ticket.

Written with bulk statements (the step must stay fast); the ticket rows come from the two
``_open_*`` functions only, so they can be switched to the service desk's ``ticket_open``.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.dates import at_hour
from crm.customers.models import Region
from crm.service import nps, services
from crm.service.models import Category, Channel, Priority, Survey, Ticket
from integration.aftersales.models import QualitySettings
from integration.fulfilment.models import Carrier, CarrierTransit, Shipment

# name → (default days, {region code: days})
CARRIERS = {
    "顺丰速运": (2, {"HD": 1, "HN": 1, "HB": 1, "HZ": 2, "XN": 2}),
    "京东物流": (2, {"HD": 1, "HN": 1, "HB": 2, "HZ": 2, "XN": 3}),
    "德邦物流": (3, {"HD": 2, "HN": 3, "HB": 3, "HZ": 3, "XN": 4}),
    "中通快递": (3, {"HD": 2, "HN": 3, "HB": 3, "HZ": 3, "XN": 5}),
}
DAMAGE_RATE = {"中通快递": 0.15, "顺丰速运": 0.01, "京东物流": 0.015, "德邦物流": 0.02}
# Score weights: promoters ≈ 52 %, passives ≈ 31 %, detractors ≈ 17 % → NPS ≈ 35.
SCORES = [10] * 26 + [9] * 26 + [8] * 18 + [7] * 13 + [6] * 6 + [5] * 4 + [4] * 3 + [3] * 2 + [1] + [0]
COMMENTS = {
    "high": ["送货很快，包装完好", "司机很专业，准时送达", "服务周到，下次还会合作", "比预计早一天到", ""],
    "mid": ["还可以，物流信息更新慢了点", "到货正常", "包装可以再加强一些", ""],
    "low": [
        "比预计晚了三天，影响了我们的安排",
        "外箱破损，里面有两件压坏",
        "客服电话一直打不通",
        "送错了地址，又转了一次",
    ],
}


def build(ctx) -> None:
    if Survey.objects.exists():
        ctx.say("surveys: already there")
        return
    QualitySettings.current()
    carriers = _carriers()
    shipments = _assign_carriers(ctx, carriers)
    delivered = _deliveries(ctx, shipments)
    damage = _damage_tickets(ctx, delivered, carriers)
    made, follow_ups = _surveys(ctx, delivered, damage)
    figures = nps.nps()
    ctx.say(
        f"surveys: {made} surveys ({figures.answers} answered, NPS {figures.score}), {follow_ups} low scores "
        f"opened tickets; {len(carriers)} carriers, {len(delivered)} deliveries confirmed, "
        f"{Ticket.objects.filter(category=Category.DAMAGE).count()} damage tickets"
    )


def _carriers() -> dict[str, Carrier]:
    regions = {r.code: r for r in Region.objects.all()}
    out = {}
    for name, (default, per_region) in CARRIERS.items():
        carrier, _created = Carrier.objects.get_or_create(name=name, defaults={"transit_days": default})
        CarrierTransit.objects.bulk_create(
            [
                CarrierTransit(carrier=carrier, region=regions[code], days=days)
                for code, days in per_region.items()
                if code in regions
            ],
            ignore_conflicts=True,
        )
        out[name] = carrier
    return out


def _assign_carriers(ctx, carriers) -> list[Shipment]:
    """Each shipped shipment linked to its carrier (the name it left with; another at random
    when the name is on no list) with its expected day."""
    transit = {
        (t.carrier_id, t.region_id): t.days
        for t in CarrierTransit.objects.filter(carrier__in=carriers.values())
    }
    names = sorted(carriers)
    shipments = list(
        Shipment.objects.filter(state=Shipment.State.SHIPPED, shipped_at__isnull=False)
        .select_related("order__customer")
        .order_by("shipped_at", "pk")
    )
    for s in shipments:
        carrier = carriers.get(s.carrier) or carriers[ctx.rng.choice(names)]
        s.carrier, s.carrier_ref = carrier.name, carrier
        days = transit.get((carrier.pk, s.order.customer.region_id), carrier.transit_days)
        s.expected_delivery_on = timezone.localdate(s.shipped_at) + timedelta(days=days)
    Shipment.objects.bulk_update(
        shipments, ["carrier", "carrier_ref", "expected_delivery_on"], batch_size=500
    )
    return shipments


def _deliveries(ctx, shipments) -> list[Shipment]:
    """Shipments whose expected day has passed are delivered: 45 % confirmed by the driver, 25 %
    by the customer, the rest by estimate; about 8 % of the confirmed ones arrived late."""
    today = timezone.localdate()
    done = []
    for s in shipments:
        if s.expected_delivery_on >= today:
            continue
        roll = ctx.rng.random()
        if roll < 0.45:
            source = Shipment.Delivery.DRIVER
        elif roll < 0.70:
            source = Shipment.Delivery.CUSTOMER
        else:
            source = Shipment.Delivery.ESTIMATE
        day = s.expected_delivery_on
        if source != Shipment.Delivery.ESTIMATE:
            late = ctx.rng.random() < (0.2 if s.carrier == "中通快递" else 0.06)
            if late:
                day = day + timedelta(days=ctx.rng.choice([1, 1, 2, 3]))
            elif ctx.rng.random() < 0.15 and day - timedelta(days=1) > timezone.localdate(s.shipped_at):
                day = day - timedelta(days=1)
            day = min(day, today - timedelta(days=1))
        at = at_hour(day, 18 if source == Shipment.Delivery.ESTIMATE else ctx.rng.randint(9, 17))
        s.delivered_at, s.delivery_source = max(at, s.shipped_at), source
        done.append(s)
    Shipment.objects.bulk_update(done, ["delivered_at", "delivery_source"], batch_size=500)
    return done


def _damage_tickets(ctx, delivered, carriers) -> list[Ticket]:
    """Each carrier damages its share (``DAMAGE_RATE``) of the parcels it delivered: that many of
    its shipments, picked at random, get a damage complaint (a count, not a coin per parcel, so
    the figures hold whatever the other steps drew)."""
    by_carrier: dict[str, list] = {}
    for s in delivered:
        by_carrier.setdefault(s.carrier, []).append(s)
    tickets = []
    for name in sorted(by_carrier):
        shipments = by_carrier[name]
        count = round(DAMAGE_RATE.get(name, 0.01) * len(shipments))
        for s in sorted(ctx.rng.sample(shipments, count), key=lambda s: s.pk):
            opened_at = s.delivered_at + timedelta(hours=ctx.rng.randint(2, 30))
            tickets.append(_open_damage_ticket(s, opened_at=opened_at))
    return tickets


def _lived(ticket: Ticket, *, opened_at, closed: bool) -> Ticket:
    """Move a ticket opened just now back to ``opened_at``; an older one as resolved and closed
    within days."""
    fields = {"opened_at": opened_at}
    if closed:
        fields.update(
            state=Ticket.State.CLOSED,
            first_response_at=opened_at + timedelta(hours=2),
            resolved_at=opened_at + timedelta(days=2),
            closed_at=opened_at + timedelta(days=3),
        )
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    ticket.events.filter(kind__in=["opened", "assigned"]).update(at=opened_at)
    return ticket


def _open_damage_ticket(shipment: Shipment, *, opened_at) -> Ticket:
    """A damage-in-transport complaint about ``shipment``, opened through the service desk and
    moved back to ``opened_at``. Older ones are closed."""
    order = shipment.order
    ticket = services.ticket_open(
        customer=order.customer,
        category=Category.DAMAGE,
        subject=f"{shipment.carrier}运输破损：{shipment.number}",
        description="外箱压坏，部分货物破损，已拍照。",
        priority=Priority.NORMAL,
        channel=Channel.PHONE,
        order=order,
        shipment_id=shipment.pk,
    )
    return _lived(ticket, opened_at=opened_at, closed=opened_at < timezone.now() - timedelta(days=20))


def _open_follow_up(survey: Survey) -> Ticket:
    """The ticket a low score opened (as ``surveys.survey_answer`` does through ``ticket_open``)."""
    ticket = services.ticket_open(
        customer=survey.customer,
        category=Category.QUESTION,
        subject=f"满意度评分偏低 {survey.score}/10",
        description=survey.comment or "客户未留言。",
        priority=Priority.HIGH,
        channel=Channel.WEB,
        order=survey.order,
        requester_email=survey.recipient,
    )
    closed = survey.answered_at < timezone.now() - timedelta(days=20)
    return _lived(ticket, opened_at=survey.answered_at, closed=closed)


def _surveys(ctx, delivered, damage) -> tuple[int, int]:
    """One survey per delivery of the last two years (sent an hour after), and one per closed
    damage ticket; about half answered within days; low scores opened tickets."""
    now = timezone.now()
    since = now - timedelta(days=730)
    emails = _recipients({s.order.customer_id for s in delivered})
    rows = []
    for s in delivered:
        if s.delivered_at < since:
            continue
        rows.append((Survey.Kind.DELIVERY, s.order.customer_id, s.order_id, s.pk, None, s.delivered_at))
    for t in damage:
        if t.closed_at is not None:
            rows.append((Survey.Kind.TICKET, t.customer_id, t.order_id, None, t.pk, t.closed_at))
    surveys, created = [], []
    for kind, customer_id, order_id, shipment_id, ticket_id, at in rows:
        sent_at = at + timedelta(hours=1)
        survey = Survey(
            kind=kind,
            customer_id=customer_id,
            order_id=order_id,
            shipment_id=shipment_id,
            ticket_id=ticket_id,
            recipient=emails.get(customer_id, ""),
            state=Survey.State.SENT,
            sent_at=sent_at,
            expires_at=sent_at + timedelta(days=settings.SURVEY_EXPIRY_DAYS),
        )
        created.append(at)
        answered_at = sent_at + timedelta(hours=ctx.rng.randint(1, 120))
        if answered_at < now and ctx.rng.random() < 0.48:
            score = ctx.rng.choice(SCORES)
            if kind == Survey.Kind.TICKET:
                score = max(0, score - ctx.rng.choice([0, 2, 3]))  # after damage, a little lower
            band = "high" if score >= 9 else "mid" if score >= 7 else "low"
            survey.score, survey.answered_at, survey.state = score, answered_at, Survey.State.ANSWERED
            survey.comment = ctx.rng.choice(COMMENTS[band])
        surveys.append(survey)
    made = Survey.objects.bulk_create(surveys, batch_size=500)
    for survey, at in zip(made, created, strict=True):
        survey.created_at = at
    Survey.objects.bulk_update(made, ["created_at"], batch_size=500)
    follow_ups = []
    for survey in made:
        if survey.answered_at is not None and survey.score <= settings.SURVEY_LOW_SCORE:
            survey.follow_up = _open_follow_up(survey)
            follow_ups.append(survey)
    Survey.objects.bulk_update(follow_ups, ["follow_up"], batch_size=500)
    return len(made), len(follow_ups)


def _recipients(customer_ids) -> dict[int, str]:
    from crm.customers.models import Contact, Customer

    out = dict(Customer.objects.filter(pk__in=customer_ids).exclude(email="").values_list("pk", "email"))
    for customer_id, email in (
        Contact.objects.filter(customer_id__in=customer_ids)
        .exclude(email="")
        .order_by("customer_id", "-is_primary", "-pk")
        .values_list("customer_id", "email")
    ):
        out[customer_id] = email
    return out
