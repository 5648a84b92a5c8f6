"""The pipeline: leads, assignment rules, stages, opportunities and activities."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.money import MoneyField


class PipelineStage(models.Model):
    """A step of the sales pipeline, set by an admin; its probability weights the forecast."""

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(pgettext_lazy("sequence", "order"), default=0)
    # The same range as the CHECK constraint below, so that forms and the API answer a field
    # error before the database would refuse the row.
    probability = models.PositiveSmallIntegerField(
        _("probability %"), default=10, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    is_won = models.BooleanField(_("won stage"), default=False)
    is_lost = models.BooleanField(_("lost stage"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("pipeline stage")
        verbose_name_plural = _("pipeline stages")
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100), name="stage_probability_range"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self):
        return self.is_won or self.is_lost


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        CONVERTED = "converted", _("Converted")
        DISQUALIFIED = "disqualified", _("Disqualified")

    name = models.CharField(_("contact name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    region = models.ForeignKey(
        "customers.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL
    )
    products = models.ManyToManyField(
        "inventory.Product", verbose_name=_("products of interest"), blank=True, related_name="+"
    )
    message = models.TextField(pgettext_lazy("web inquiry", "message"), blank=True)
    source = models.CharField(_("source"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_leads",
    )
    team = models.ForeignKey(
        "customers.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    assignment_reason = models.CharField(_("assignment reason"), max_length=200, blank=True)
    sla_due_at = models.DateTimeField(_("first contact due"), null=True, blank=True)
    first_contacted_at = models.DateTimeField(_("first contacted at"), null=True, blank=True)
    possible_duplicate = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("possible duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicate_leads",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("converted to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["owner", "status"], name="lead_owner_status_idx"),
            models.Index(fields=["status", "sla_due_at"], name="lead_status_sla_idx"),
        ]

    def __str__(self):
        return f"{self.company or self.name}"

    # Sources the application itself writes; anything else is the user's own text.
    SOURCE_LABELS = {"web": _("Website form")}

    @property
    def source_label(self) -> str:
        return str(self.SOURCE_LABELS.get(self.source, self.source))


class AssignmentRule(models.Model):
    """How new leads find an owner. Rules are tried in order; the first that matches wins.
    A rule names one user, or a team whose members take turns (round robin)."""

    class Kind(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin within a team")
        REGION = "region", _("By region")
        PRODUCT = "product", _("By product interest")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    order = models.PositiveIntegerField(pgettext_lazy("sequence", "order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    region = models.ForeignKey(
        "customers.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "inventory.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    team = models.ForeignKey(
        "customers.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Round robin pointer: the member who got the last lead from this rule.
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(user__isnull=False), name="assignment_rule_has_target"
            ),
        ]

    def __str__(self):
        return self.name


class Opportunity(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    stage = models.ForeignKey(
        PipelineStage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities"
    )
    state = models.CharField(_("state"), max_length=5, choices=State.choices, default=State.OPEN)
    amount = MoneyField(_("amount"), default=0)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    products = models.ManyToManyField(
        "inventory.Product", verbose_name=_("products of interest"), blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_opportunities",
    )
    team = models.ForeignKey(
        "customers.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    won_reason = models.CharField(_("won reason"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="opportunity_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["owner", "state"], name="opportunity_owner_state_idx")]

    def __str__(self):
        return self.name


class StageChange(models.Model):
    """Every stage an opportunity entered (the funnel's conversion rates come from these)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        PipelineStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(PipelineStage, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class Activity(models.Model):
    """A call, visit, e-mail or note logged against a customer, lead or opportunity; a task is an
    activity with a due date that is done when ``done_at`` is set."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        EMAIL = "email", _("E-mail")
        NOTE = "note", _("Note")
        TASK = "task", _("Task")

    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="activities"
    )
    at = models.DateTimeField(_("when"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(lead__isnull=False) | Q(opportunity__isnull=False),
                name="activity_has_subject_record",
            ),
            models.CheckConstraint(
                condition=~Q(kind="task") | Q(due_at__isnull=False), name="activity_task_has_due_date"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "at"], name="activity_customer_at_idx"),
            models.Index(fields=["kind", "done_at", "due_at"], name="activity_open_tasks_idx"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_open_task(self):
        return self.kind == self.Kind.TASK and self.done_at is None
