"""Net promoter score of the survey answers: promoters 9–10, passives 7–8, detractors 0–6;
NPS = % promoters − % detractors (whole number, rounded half up); response rate = answers per
survey sent. A survey belongs to the period it was created in (the delivery or the ticket's
close). One query."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone

from crm.service.models import Survey

PROMOTER_MIN = 9
PASSIVE_MIN = 7


@dataclass(frozen=True)
class Nps:
    surveys: int
    sent: int
    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> Decimal | None:
        if not self.answers:
            return None
        value = Decimal(100) * (self.promoters - self.detractors) / self.answers
        return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    @staticmethod
    def _pct(part: int, whole: int) -> Decimal | None:
        if not whole:
            return None
        return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def promoters_pct(self):
        return self._pct(self.promoters, self.answers)

    @property
    def passives_pct(self):
        return self._pct(self.passives, self.answers)

    @property
    def detractors_pct(self):
        return self._pct(self.detractors, self.answers)

    @property
    def response_rate(self):
        return self._pct(self.answers, self.sent)


def period_bounds(date_from: date | None, date_to: date | None):
    """Aware datetimes [start, end) of the local days ``date_from`` … ``date_to`` (inclusive)."""
    start = timezone.make_aware(datetime.combine(date_from, time.min)) if date_from else None
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min)) if date_to else None
    return start, end


def surveys_in(*, date_from: date | None = None, date_to: date | None = None, kind: str = ""):
    qs = Survey.objects.all()
    start, end = period_bounds(date_from, date_to)
    if start:
        qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lt=end)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


SCORE_GROUPS = {
    "promoters": Q(score__gte=PROMOTER_MIN, answered_at__isnull=False),
    "passives": Q(score__gte=PASSIVE_MIN, score__lt=PROMOTER_MIN, answered_at__isnull=False),
    "detractors": Q(score__lt=PASSIVE_MIN, answered_at__isnull=False),
    "unanswered": Q(answered_at__isnull=True),
}


def surveys_visible_to(user, *, date_from=None, date_to=None, kind: str = "", score: str = ""):
    """The surveys and answers ``user`` may read (the customers' rule: a sales rep their own and
    their team's customers'; service and managers all), of the period, kind and score group
    (promoters, passives, detractors, unanswered), newest first, with what the list shows."""
    qs = _visible(surveys_in(date_from=date_from, date_to=date_to, kind=kind), user)
    if score in SCORE_GROUPS:
        qs = qs.filter(SCORE_GROUPS[score])
    return qs.select_related("customer", "order", "ticket", "follow_up").order_by("-created_at", "-id")


def _visible(qs, user):
    from crm.customers.models import Customer
    from crm.customers.selectors import customer_visible_q

    visible = customer_visible_q(user)
    return qs.filter(customer__in=Customer.objects.filter(visible).values("pk")) if visible else qs


def nps(*, date_from: date | None = None, date_to: date | None = None, kind: str = "", user=None) -> Nps:
    """The NPS figures of the period and kind: of every survey, or (``user``) of the surveys of
    the customers the user may see, as the list shows them."""
    answered = Q(answered_at__isnull=False)
    qs = surveys_in(date_from=date_from, date_to=date_to, kind=kind)
    if user is not None:
        qs = _visible(qs, user)
    row = qs.aggregate(
        surveys=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False) | answered),
        answers=Count("pk", filter=answered),
        promoters=Count("pk", filter=answered & Q(score__gte=PROMOTER_MIN)),
        passives=Count("pk", filter=answered & Q(score__gte=PASSIVE_MIN, score__lt=PROMOTER_MIN)),
        detractors=Count("pk", filter=answered & Q(score__lt=PASSIVE_MIN)),
    )
    return Nps(**row)
