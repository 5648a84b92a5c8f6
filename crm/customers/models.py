from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField


class Region(models.Model):
    """A sales region (华北, 华东, 华南 …); customers and warehouses are placed in one."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="sales_teams"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class CustomerGroup(models.Model):
    """A group of customers priced alike (重点客户, 经销商 …): a group price list applies to every
    customer in it, and a promotion may be kept for one group."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")

    def __str__(self):
        return self.name


class Customer(models.Model):
    """A customer belongs to the company; ``owner`` is the rep who looks after it today."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSON = "person", _("Person")

    class Stage(models.TextChoices):
        LEAD = "lead", _("Lead")
        PROSPECT = "prospect", _("Prospect")
        CUSTOMER = "customer", _("Customer")
        REPEAT = "repeat", _("Repeat customer")
        INACTIVE = "inactive", _("Inactive")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Where deliveries go; the reservation rule picks the nearest warehouse by these.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    source = models.CharField(_("source"), max_length=50, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    # Prices: the group's price list applies when the customer has none of its own.
    group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("customer group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    credit_limit = MoneyField(_("credit limit"), default=0)
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"), default=30)
    stage = models.CharField(
        _("lifecycle stage"), max_length=10, choices=Stage.choices, default=Stage.PROSPECT
    )
    notes = models.TextField(_("notes"), blank=True)
    # Comma-separated, normalised by the services ("key account, export").
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    # Invoicing details (开票信息): what a VAT invoice to this customer carries. ``invoice_tax_id``
    # is checked by ``core.taxid`` wherever it is entered.
    invoice_title = models.CharField(_("invoice title"), max_length=200, blank=True)
    invoice_tax_id = models.CharField(_("taxpayer id"), max_length=18, blank=True)
    invoice_address_phone = models.CharField(_("invoicing address and phone"), max_length=300, blank=True)
    invoice_bank_account = models.CharField(_("invoicing bank and account"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Search columns, derived from the name (see ``core.search``): pinyin in full and
    # initials so that "zs" or "zhangsan" finds 张三, and the normalised name for de-duplication.
    search_pinyin = models.CharField(max_length=600, blank=True, db_index=True, editable=False)
    search_initials = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    name_normalized = models.CharField(max_length=200, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0), name="customer_credit_limit_not_negative"
            ),
        ]
        indexes = [
            # Sorted list pages read the first rows of an index instead of sorting the table.
            models.Index(fields=["name"], name="customer_name_idx"),
            models.Index(fields=["credit_limit"], name="customer_credit_limit_idx"),
            models.Index(fields=["created_at"], name="customer_created_idx"),
            models.Index(fields=["phone"], name="customer_phone_idx"),
            models.Index(fields=["email"], name="customer_email_idx"),
            models.Index(fields=["owner", "name"], name="customer_owner_name_idx"),
            models.Index(fields=["team", "name"], name="customer_team_name_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        # Derived columns only (no business rule): they must never drift from the name.
        from core.search import search_columns

        self.search_pinyin, self.search_initials, self.name_normalized = search_columns(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "search_pinyin",
                "search_initials",
                "name_normalized",
            }
        super().save(*args, **kwargs)

    @property
    def tag_list(self) -> list[str]:
        return [t for t in (p.strip() for p in self.tags.split(",")) if t]


class Contact(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name


class MergeSuggestion(models.Model):
    """Raised when a new customer looks like an existing one (same phone, e-mail or normalised
    name); a manager merges them or dismisses the suggestion."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Dismissed")

    customer = models.ForeignKey(
        Customer, verbose_name=_("new customer"), on_delete=models.CASCADE, related_name="merge_suggestions"
    )
    candidate = models.ForeignKey(
        Customer, verbose_name=_("existing customer"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=100)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("merge suggestion")
        verbose_name_plural = _("merge suggestions")
        constraints = [
            models.UniqueConstraint(fields=["customer", "candidate"], name="merge_suggestion_unique_pair"),
        ]

    def __str__(self):
        return f"{self.customer_id} ~ {self.candidate_id}"

    REASON_LABELS = {"phone": _("phone"), "email": _("email"), "name": _("name")}

    @property
    def reason_display(self) -> str:
        return ", ".join(str(self.REASON_LABELS.get(r, r)) for r in self.reason.split(",") if r)
