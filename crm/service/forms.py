from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import DecimalField, IdField, style_fields
from core.people import users_by_name
from core.pickers import use_picker, user_picker
from crm.customers.models import Contact, Customer, Region
from crm.customers.pickers import customer_picker
from crm.customers.selectors import customers_visible_to
from crm.service.models import Category, Channel, Engineer, Holiday, Priority, ServiceTeam
from crm.service.pickers import engineer_picker
from crm.service.selectors import assignable_users
from scm.inventory.models import Product
from scm.inventory.pickers import product_picker


class AssignForm(forms.Form):
    """Who takes a ticket: an engineer, chosen in the engineers picker."""

    assignee = forms.ModelChoiceField(
        label=_("Engineer"),
        queryset=assignable_users(),
        widget=engineer_picker(placeholder=_("Type a name")),
        error_messages={
            "invalid_choice": _("Choose an active engineer."),
            "required": _("Choose an active engineer."),
        },
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class TicketForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.none(),
        widget=customer_picker(attrs={"hx-get": "", "hx-trigger": "change", "hx-target": "#id_lot"}),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False, widget=product_picker()
    )
    lot = IdField(
        label=_("Lot / serial number"),
        required=False,
        widget=forms.Select(choices=[("", "—")]),
        help_text=_("Lots and serial numbers shipped to this customer."),
    )
    photos = MultipleFileField(label=_("Photos"), required=False)

    def __init__(self, *args, user=None, lots_url="", **kwargs):
        super().__init__(*args, **kwargs)
        visible = customers_visible_to(user).filter(is_active=True)
        self.fields["customer"].queryset = visible.order_by("search_pinyin", "pk")
        self.fields["customer"].widget.attrs["hx-get"] = lots_url
        self.fields["contact"].queryset = Contact.objects.filter(customer__in=visible.values("pk"))
        self.fields["product"].queryset = Product.objects.filter(is_active=True).order_by(
            "search_pinyin", "pk"
        )
        style_fields(self)


class PublicTicketForm(forms.Form):
    order_number = forms.CharField(label=_("Order number"), max_length=30)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    category = forms.ChoiceField(label=_("What is it about?"), choices=Category.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=5000
    )
    # Honeypot: hidden from people by CSS; a bot that fills it is ignored.
    website = forms.CharField(required=False, label=_("Website"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            self.add_error("email", _("Give the e-mail address or phone number of the order."))
        return data


class SlaTargetForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    first_response_hours = DecimalField(
        label=_("First response (business hours)"), max_digits=6, decimal_places=2
    )
    resolution_hours = DecimalField(label=_("Resolution (business hours)"), max_digits=7, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


class CalendarForm(forms.Form):
    working_days = forms.TypedMultipleChoiceField(
        label=_("Working days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    day_start = forms.TimeField(label=_("Working day starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    day_end = forms.TimeField(label=_("Working day ends"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("day_start", "day_end"):
            self.fields[name].widget.attrs["class"] = "form-control"


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name", "is_working_day"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class TeamForm(forms.ModelForm):
    latitude = DecimalField(label=_("latitude"), max_digits=9, decimal_places=6, required=False)
    longitude = DecimalField(label=_("longitude"), max_digits=9, decimal_places=6, required=False)

    class Meta:
        model = ServiceTeam
        fields = ["name", "base", "latitude", "longitude", "regions", "manager", "on_site_hours", "is_active"]
        widgets = {"regions": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.order_by("name")
        use_picker(self.fields["manager"], user_picker())
        style_fields(self)

    def clean(self):
        data = super().clean()
        for field, bound in (("latitude", 90), ("longitude", 180)):
            value = data.get(field)
            if value is not None and abs(value) > bound:
                self.add_error(field, ValidationError(_("Out of range.")))
        return data


class EngineerForm(forms.ModelForm):
    skills = forms.TypedMultipleChoiceField(
        label=_("Skills"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every category."),
    )

    class Meta:
        model = Engineer
        fields = ["user", "team", "skills", "is_active"]
        labels = {"team": _("Service team")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["user"].queryset = users_by_name(get_user_model().objects.filter(is_active=True))
        use_picker(self.fields["user"], user_picker())
        self.fields["team"].queryset = ServiceTeam.objects.order_by("name")
        style_fields(self)
