"""Service's records: tickets and their timeline, photos, visits and parts; the service teams and
engineers who take them; the SLA targets and the company calendar the clock runs on; and the
satisfaction surveys customers answer.

A ticket knows what it is about by reference: the customer, contact, product, lot or serial and
sales order it names are rows of the apps below; the shipment it was shipped in lives above
(``integration.fulfilment``) and is kept by id with the date it was shipped, which the warranty
reads.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField, QuantityField


class Category(models.TextChoices):
    QUALITY = "quality", _("Complaint: quality")
    DAMAGE = "damage", _("Complaint: damage in transport")
    WRONG_GOODS = "wrong_goods", _("Complaint: wrong goods")
    MISSING_GOODS = "missing_goods", _("Complaint: missing goods")
    INSTALLATION = "installation", _("Installation")
    REPAIR = "repair", _("Repair")
    QUESTION = "question", _("Question")


# The categories that are complaints (the batch trace runs for them when a lot is named).
COMPLAINTS = (Category.QUALITY, Category.DAMAGE, Category.WRONG_GOODS, Category.MISSING_GOODS)
# The categories done at the customer's site: they get a visit time slot.
ON_SITE = (Category.INSTALLATION, Category.REPAIR)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web form")
    EMAIL = "email", _("E-mail")
    ON_SITE = "on_site", _("On site")


class ServiceCalendar(models.Model):
    """The company's working time (one row, ``pk=1``): the days of the week and the hours the
    SLA clock runs, in the company's time zone. ``Holiday`` rows override single days."""

    # ISO weekdays that are working days (1 = Monday … 7 = Sunday).
    working_days = models.JSONField(_("working days"), default=list)
    day_start = models.TimeField(_("working day starts"), default="09:00")
    day_end = models.TimeField(_("working day ends"), default="18:00")

    class Meta:
        verbose_name = _("service calendar")
        verbose_name_plural = _("service calendar")
        constraints = [
            models.CheckConstraint(condition=Q(day_end__gt=models.F("day_start")), name="calendar_day_order")
        ]

    @classmethod
    def current(cls) -> "ServiceCalendar":
        calendar, _created = cls.objects.get_or_create(pk=1, defaults={"working_days": [1, 2, 3, 4, 5]})
        return calendar


class Holiday(models.Model):
    """A day that differs from the week's pattern: a public holiday (no work), or a working day
    that falls on a weekend (调休)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_working_day = models.BooleanField(_("working day"), default=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self):
        return f"{self.date} {self.name}"


class SlaTarget(models.Model):
    """First response and resolution targets, in business hours, for one category and priority."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    first_response_hours = models.DecimalField(
        _("first response (business hours)"), max_digits=6, decimal_places=2
    )
    resolution_hours = models.DecimalField(_("resolution (business hours)"), max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["category", "priority"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["category", "priority"], name="sla_target_unique"),
            models.CheckConstraint(
                condition=Q(first_response_hours__gt=0, resolution_hours__gt=0), name="sla_target_positive"
            ),
            models.CheckConstraint(
                condition=Q(resolution_hours__gte=models.F("first_response_hours")), name="sla_target_order"
            ),
        ]


class ServiceTeam(models.Model):
    """Engineers who serve some regions from one base (深圳 for 华南): new tickets of a customer in
    one of its regions go to it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    base = models.CharField(_("base"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    regions = models.ManyToManyField(
        "customers.Region", verbose_name=_("regions"), blank=True, related_name="+"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_service_teams",
    )
    # How soon the team is on site once a visit is booked (hours), shown to the customer.
    on_site_hours = models.PositiveSmallIntegerField(_("on site within (hours)"), default=4)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service team")
        verbose_name_plural = _("service teams")

    def __str__(self):
        return self.name


class Engineer(models.Model):
    """A user who takes tickets, in one team, with the categories they are skilled in (empty:
    every category)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="engineer"
    )
    team = models.ForeignKey(
        ServiceTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="engineers"
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["team", "user__username"]
        verbose_name = _("engineer")
        verbose_name_plural = _("engineers")

    def __str__(self):
        return str(self.user)


class Ticket(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting for customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    product = models.ForeignKey(
        "inventory.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lot = models.ForeignKey(
        "inventory.Lot",
        verbose_name=_("lot / serial number"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.ForeignKey(
        "sales.SalesOrder",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    # The shipment (integration.fulfilment) that took the product or lot to the customer, and
    # its day: the warranty runs from it.
    shipment_id = models.BigIntegerField(_("shipment"), null=True, blank=True)
    shipped_on = models.DateField(_("shipped on"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.NEW)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    team = models.ForeignKey(
        ServiceTeam,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The SLA clock: the targets' due times as last computed (moved on by pauses), when the
    # clock was paused (waiting for the customer), the business seconds paused in all, and what
    # was breached and warned.
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused (business seconds)"), default=0)
    first_response_breached_at = models.DateTimeField(_("first response breached at"), null=True, blank=True)
    resolution_breached_at = models.DateTimeField(_("resolution breached at"), null=True, blank=True)
    breach_warned_at = models.DateTimeField(_("breach warned at"), null=True, blank=True)
    # A quality complaint confirmed by service (the supplier's quality rate counts these).
    quality_confirmed_at = models.DateTimeField(_("quality confirmed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    # Who wrote in through the public form, as they gave it.
    requester_email = models.EmailField(_("requester e-mail"), blank=True)
    requester_phone = models.CharField(_("requester phone"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["state", "resolution_due"], name="ticket_open_due_idx"),
            models.Index(fields=["lot", "category", "opened_at"], name="ticket_lot_idx"),
            models.Index(fields=["product", "category", "opened_at"], name="ticket_product_idx"),
            models.Index(fields=["assignee", "state"], name="ticket_assignee_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state not in (self.State.RESOLVED, self.State.CLOSED)


class TicketEvent(models.Model):
    """One line of a ticket's timeline: opened, assigned, a state change, a comment, a visit, a
    part, an SLA warning or breach, a trace result. ``data`` keeps the facts; the text is made
    in the reader's language when shown."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")


def photo_path(instance, filename):
    return f"tickets/{instance.ticket_id}/{filename}"


class TicketPhoto(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_path)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class Visit(models.Model):
    """An engineer's time slot at the customer's site for an on-site ticket."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="visits"
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        related_name="service_visits",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    notes = models.TextField(_("notes"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="visit_slot_order")
        ]


class TicketPart(models.Model):
    """A part an engineer uses on a ticket: reserved from the warehouse nearest the customer that
    has it (inventory's demand ``ticket-part:<id>``), consumed when the visit is done. Free under
    warranty; otherwise charged at ``unit_price`` on an invoice (``invoice_id``)."""

    class State(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        CONSUMED = "consumed", _("Used")
        RELEASED = "released", _("Released")
        # Its lot was put on hold and no other stock was free: it holds less than it needs.
        SHORT = "short", _("Short")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="parts"
    )
    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = QuantityField(_("quantity"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RESERVED)
    under_warranty = models.BooleanField(_("under warranty"), default=False)
    unit_price = MoneyField(_("unit price"), default=0)
    invoice_id = models.BigIntegerField(_("invoice"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    consumed_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ticket part")
        verbose_name_plural = _("ticket parts")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ticket_part_quantity_positive")
        ]

    @property
    def demand(self) -> str:
        return f"ticket-part:{self.pk}"


class Survey(models.Model):
    """A satisfaction survey sent after a delivery or a closed ticket: one signed link, one
    answer, an expiry. A score of 0–10 (NPS: 9–10 promoters, 0–6 detractors) and a comment."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", _("After delivery")
        TICKET = "ticket", _("After a ticket")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="surveys"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.EmailField(_("recipient"), blank=True)
    order = models.ForeignKey(
        "sales.SalesOrder",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    shipment_id = models.BigIntegerField(_("shipment"), null=True, blank=True)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # The ticket a low score opened.
    follow_up = models.ForeignKey(
        Ticket,
        verbose_name=_("follow-up ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=10), name="survey_score_range"
            ),
            models.UniqueConstraint(
                fields=["shipment_id"], condition=Q(kind="delivery"), name="survey_one_per_shipment"
            ),
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(kind="ticket"), name="survey_one_per_ticket"
            ),
        ]
        indexes = [models.Index(fields=["answered_at"], name="survey_answered_idx")]
