"""The set-up wizard: a new company from its profile to its first shipped order.

The wizard is a list of declarations (``STEPS``, in order), each a ``Step`` whose ``kind`` says
how the wizard shows it:

- ``FORM``: a form rendered and saved inside the wizard (``view``, see ``wizard_forms``);
- ``LINK``: another page does the work (``url_name``); the wizard opens it with ``?next=`` set
  to the step, so a page that follows ``next`` after its work (``core.redirects.redirect_next``)
  returns to the wizard. The step is offered only while its URL name resolves;
- ``IMPORT``: the import flow of ``kinds`` inside the wizard (upload → dry run listing every error
  by row and column → confirm → progress, ``core.import_pages``); a kind no app has registered
  yet is not offered, and the step says so;
- ``CHECKLIST``: the last step: what is in place, read from the data, each with a link.

A step may give ``check``: a function reading the data that says whether the step's work is
there and how much of it ("3 warehouses", ``wizard_checks``): a step whose check passes is
done, whatever was clicked. Each step is otherwise to do, done or skipped as the admin left it
(``SetupProgress``); reopening the wizard goes to the first step still to do, and every step
can be opened again from the step bar.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import imports
from core.audit import audit
from integration.setup import wizard_forms
from integration.setup.models import SetupProgress
from integration.setup.wizard_checks import (
    Status,
    customers_status,
    opening_stock_status,
    orders_statuses,
    products_status,
    profile_status,
    suppliers_status,
    template_status,
    users_status,
    warehouses_status,
)

FORM, LINK, IMPORT, CHECKLIST = "form", "link", "import", "checklist"
PROGRESS_PK = 1
TODO, DONE, SKIPPED = SetupProgress.State.TODO, SetupProgress.State.DONE, SetupProgress.State.SKIPPED


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    help: str
    kind: str
    # LINK: the page that does the work (the step is offered only while this name resolves).
    url_name: str = ""
    # IMPORT: the kinds of import (``core.imports.SPECS``) the step offers, when registered.
    kinds: tuple[str, ...] = ()
    # FORM: ``view(request, *, frame, complete)`` (``wizard_forms``).
    view: Callable | None = None
    # The data says the step is done: ``check() -> Status``.
    check: Callable[[], Status] | None = None
    # FORM: the step's own form moves on when saved (no separate "continue" button).
    saves_to_continue: bool = False

    def is_offered(self) -> bool:
        return self.kind != LINK or url_exists(self.url_name)

    def import_kinds(self) -> list[str]:
        """The step's kinds that an app has registered, in the step's order."""
        return [kind for kind in self.kinds if kind in imports.SPECS]

    def missing_kinds(self) -> list[str]:
        return [kind for kind in self.kinds if kind not in imports.SPECS]


def url_exists(url_name: str, *args) -> bool:
    try:
        reverse(url_name, args=args or None)
    except NoReverseMatch:
        return False
    return True


def step_url(key: str) -> str:
    return reverse("setup:wizard_step", args=[key])


# --- the steps ---------------------------------------------------------------------------------

KIND_LABELS = {
    "customers": gettext_lazy("Customers"),
    "contacts": gettext_lazy("Contacts"),
    "suppliers": gettext_lazy("Suppliers"),
    "supplier_prices": gettext_lazy("Supplier prices"),
    "products": gettext_lazy("Products"),
    "opening_stock": gettext_lazy("Opening stock"),
    "opening_receivables": gettext_lazy("Opening receivables"),
    "opening_payables": gettext_lazy("Opening payables"),
}

STEPS: list[Step] = [
    Step(
        "profile",
        gettext_lazy("Company profile"),
        gettext_lazy(
            "The name, tax id, address and bank that every quote, order, delivery note and invoice "
            "carries, with your logo and seal."
        ),
        FORM,
        view=wizard_forms.profile,
        check=profile_status,
        saves_to_continue=True,
    ),
    Step(
        "template",
        gettext_lazy("Industry template"),
        gettext_lazy(
            "Start from your trade's pipeline stages, units, payment terms and warehouses; "
            "applying a template only adds what is missing."
        ),
        LINK,
        url_name="setup:templates",
        check=template_status,
    ),
    Step(
        "warehouses",
        gettext_lazy("Warehouses"),
        gettext_lazy("Every place you keep stock: a warehouse, a store, a shop floor."),
        FORM,
        view=wizard_forms.warehouses,
        check=warehouses_status,
    ),
    Step(
        "users",
        gettext_lazy("Users and roles"),
        gettext_lazy("Invite your colleagues by e-mail and give each the role they work in."),
        LINK,
        url_name="setup:users",
        check=users_status,
    ),
    Step(
        "customers",
        gettext_lazy("Customers"),
        gettext_lazy("Import your customers, then their contacts, from an Excel or CSV file."),
        IMPORT,
        kinds=("customers", "contacts"),
        check=customers_status,
    ),
    Step(
        "suppliers",
        gettext_lazy("Suppliers"),
        gettext_lazy("Import your suppliers, then what each sells you at what price and lead time."),
        IMPORT,
        kinds=("suppliers", "supplier_prices"),
        check=suppliers_status,
    ),
    Step(
        "products",
        gettext_lazy("Products"),
        gettext_lazy("Import your products with their units, barcodes, categories and prices."),
        IMPORT,
        kinds=("products",),
        check=products_status,
    ),
    Step(
        "opening_stock",
        gettext_lazy("Opening stock"),
        gettext_lazy("What each warehouse holds today, by product and lot."),
        IMPORT,
        kinds=("opening_stock",),
        check=opening_stock_status,
    ),
    Step(
        "opening_balances",
        gettext_lazy("Opening balances"),
        gettext_lazy("What each customer owes you and what you owe each supplier today."),
        IMPORT,
        kinds=("opening_receivables", "opening_payables"),
    ),
    Step(
        "checklist",
        gettext_lazy("Checklist"),
        gettext_lazy("What is in place, and your first order."),
        CHECKLIST,
    ),
]


def steps_offered() -> list[Step]:
    return [step for step in STEPS if step.is_offered()]


def step_get(key: str) -> Step | None:
    """The offered step of ``key`` (None for an unknown one or a link to a page not there)."""
    return next((step for step in steps_offered() if step.key == key), None)


# --- progress ------------------------------------------------------------------------------------


@dataclass
class StepRow:
    """A step as the step bar shows it: its place, its state, what its check read."""

    step: Step
    number: int
    state: str
    status: Status | None
    url: str

    @property
    def key(self) -> str:
        return self.step.key

    @property
    def state_label(self) -> str:
        return SetupProgress.State(self.state).label


def setup_progress() -> SetupProgress:
    """The wizard's progress row, created (started now) the first time the wizard opens."""
    progress, _created = SetupProgress.objects.get_or_create(
        pk=PROGRESS_PK, defaults={"started_at": timezone.now()}
    )
    return progress


def step_rows(progress: SetupProgress) -> list[StepRow]:
    """Every offered step with its state: done when its check passes or the admin said so,
    skipped when skipped, else to do; the checklist is done when the set-up is finished. One
    query per check."""
    rows = []
    for number, step in enumerate(steps_offered(), start=1):
        status = step.check() if step.check is not None else None
        stored = progress.state_of(step.key)
        if step.kind == CHECKLIST:
            state = DONE if progress.finished_at else TODO
        elif stored == DONE or (status is not None and status.done):
            state = DONE
        else:
            state = stored
        rows.append(StepRow(step, number, state, status, step_url(step.key)))
    return rows


def progress_record(*, progress: SetupProgress, rows: list[StepRow], current: str = "") -> None:
    """Keep what the step bar shows: steps whose check now passes are recorded done (the home
    page's banner reads only the row), and the step the admin is on. Writes only a change, under
    the row's lock and onto the states as they are then (another admin's click is kept)."""
    newly_done = [
        row.key
        for row in rows
        if row.step.kind != CHECKLIST and row.state == DONE and progress.state_of(row.key) != DONE
    ]
    if not newly_done and (not current or current == progress.current):
        return
    with transaction.atomic():
        fresh = SetupProgress.objects.select_for_update().get(pk=progress.pk)
        fresh.states = {**(fresh.states or {}), **dict.fromkeys(newly_done, DONE)}
        fresh.current = current or fresh.current
        fresh.save(update_fields=["states", "current", "updated_at"])
    progress.states, progress.current = fresh.states, fresh.current


def resume_row(rows: list[StepRow]) -> StepRow:
    """Where reopening the wizard goes: the first step still to do, else the checklist."""
    for row in rows:
        if row.state == TODO and row.step.kind != CHECKLIST:
            return row
    return rows[-1]


def next_row(rows: list[StepRow], key: str) -> StepRow | None:
    keys = [row.key for row in rows]
    index = keys.index(key) if key in keys else -1
    return rows[index + 1] if 0 <= index < len(rows) - 1 else None


def step_state_set(*, key: str, state: str) -> SetupProgress:
    """Record a step as done, skipped or to do again. The row is locked while its states
    change, so two admins' clicks both count."""
    if state not in SetupProgress.State.values:
        raise ValueError(state)
    setup_progress()
    with transaction.atomic():
        progress = SetupProgress.objects.select_for_update().get(pk=PROGRESS_PK)
        progress.states = {**(progress.states or {}), key: state}
        progress.current = key
        progress.save(update_fields=["states", "current", "updated_at"])
    return progress


def setup_finish(*, actor) -> SetupProgress:
    """The admin is done with the set-up: the home page's banner goes. Audited."""
    setup_progress()
    with transaction.atomic():
        progress = SetupProgress.objects.select_for_update().get(pk=PROGRESS_PK)
        if progress.finished_at is None:
            progress.finished_at = timezone.now()
            progress.save(update_fields=["finished_at", "updated_at"])
            audit("setup.finished", actor=actor, obj=progress)
    return progress


def settled_count(progress: SetupProgress | None, steps: list[Step]) -> int:
    """Steps the admin has dealt with (done or skipped), the checklist aside."""
    if progress is None:
        return 0
    return sum(1 for s in steps if s.kind != CHECKLIST and progress.state_of(s.key) in (DONE, SKIPPED))


def setup_banner(user) -> dict | None:
    """The home page's banner while the set-up is not finished (one query)."""
    progress = SetupProgress.objects.filter(pk=PROGRESS_PK).first()
    if progress is not None and progress.finished_at is not None:
        return None
    steps = steps_offered()
    settled = settled_count(progress, steps)
    figures = {"n": settled, "m": len(steps)}
    if progress is None or not (progress.started_at or settled):
        label = _("Start set-up (%(n)s of %(m)s)") % figures
        text = _("Your company is not set up yet: profile, warehouses, users, customers and products.")
    else:
        label = _("Continue set-up (%(n)s of %(m)s)") % figures
        text = _("The set-up of your company is not finished.")
    return {"text": text, "label": label, "url": reverse("setup:wizard")}


# --- the checklist -------------------------------------------------------------------------------


def _link(url_name: str, *fallbacks: str) -> str:
    """The first of the URL names (or wizard step keys, prefixed ``step:``) that exists."""
    for name in (url_name, *fallbacks):
        if name.startswith("step:"):
            if step_get(name[5:]) is not None:
                return step_url(name[5:])
        elif url_exists(name):
            return reverse(name)
    return ""


def checklist() -> list[dict]:
    """What is in place, read from the data, each item with where to go to do it: ``key``,
    ``label``, ``done``, ``detail``, ``url``. A fixed number of queries (one per item)."""
    profile, template = profile_status(), template_status()
    warehouses, users = warehouses_status(), users_status()
    customers, products, stock = customers_status(), products_status(), opening_stock_status()
    orders, confirmed, shipped = orders_statuses()
    items = [
        ("profile", _("Company profile complete"), profile, _link("step:profile", "company-profile")),
        ("template", _("Industry template applied"), template, _link("setup:templates")),
        ("warehouses", _("At least one warehouse"), warehouses, _link("step:warehouses")),
        ("users", _("Colleagues invited"), users, _link("setup:users")),
        ("customers", _("Customers imported"), customers, _link("step:customers", "customers:import")),
        ("products", _("Products imported"), products, _link("step:products", "inventory:products")),
        ("opening_stock", _("Opening stock in place"), stock, _link("step:opening_stock", "inventory:stock")),
        ("first_order", _("Create your first order"), orders, _link("sales:orders:order_create")),
        ("order_confirmed", _("First order confirmed"), confirmed, _link("sales:orders:order_list")),
        ("order_shipped", _("First order shipped"), shipped, _link("sales:orders:order_list")),
    ]
    return [
        {"key": key, "label": label, "done": status.done, "detail": status.label, "url": url}
        for key, label, status, url in items
    ]
