from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import DecimalField, DocumentDateField, formfield, offer
from core.people import users_by_name
from core.pickers import picker_widget, use_picker, user_picker
from core.roles import SALES
from crm.customers.models import Region, Team
from crm.customers.pickers import customer_picker
from crm.sales.models import Activity, Lead, Opportunity, PipelineStage
from crm.sales.selectors import lead_sources_offered
from scm.inventory.pickers import pickable_products, product_picker, public_product_row


def _style(form):
    for field in form.fields.values():
        w = field.widget
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        elif isinstance(w, forms.Select | forms.SelectMultiple):
            w.attrs.setdefault("class", "form-select")
        else:
            w.attrs.setdefault("class", "form-control")


def sales_users():
    return users_by_name(get_user_model().objects.filter(is_active=True, groups__name=SALES)).distinct()


class PublicLeadForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)
    # A picker over the public product search (``lead_public_products``): the page carries the
    # chosen products only, never the whole catalogue.
    products = forms.ModelMultipleChoiceField(
        label=_("Products you are interested in"),
        queryset=pickable_products(),
        required=False,
        widget=picker_widget(
            "sales:lead_public_products",
            public_product_row,
            multiple=True,
            placeholder=_("Type a product name or code"),
        ),
    )
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    # Honeypot: hidden from people by CSS; a bot that fills it is ignored.
    website = forms.CharField(required=False, label=_("Website"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            self.add_error("phone", _("Give a phone number or an e-mail address."))
        return data


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        formfield_callback = formfield
        fields = [
            "name",
            "company",
            "phone",
            "email",
            "region",
            "products",
            "source",
            "message",
            "owner",
            "status",
        ]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, can_set_owner=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = sales_users()
        use_picker(self.fields["owner"], user_picker(roles=[SALES]))
        if not can_set_owner:
            del self.fields["owner"]
        use_picker(self.fields["products"], product_picker(multiple=True))
        offer(self.fields["source"], lead_sources_offered())
        _style(self)

    def _post_clean(self):
        pass


class ConvertForm(forms.Form):
    opportunity_name = forms.CharField(label=_("Opportunity"), max_length=200, required=False)
    amount = DecimalField(label=_("Amount"), min_value=0, decimal_places=2, max_digits=18, initial=0)
    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=PipelineStage.objects.filter(is_active=True, is_won=False, is_lost=False)
    )
    expected_close_date = DocumentDateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].initial = self.fields["stage"].queryset.order_by("order", "pk").first()
        _style(self)


class OpportunityForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        formfield_callback = formfield
        fields = ["name", "customer", "stage", "amount", "expected_close_date", "products", "owner"]
        widgets = {"expected_close_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, customers=None, can_set_owner=True, **kwargs):
        super().__init__(*args, **kwargs)
        if customers is not None:
            self.fields["customer"].queryset = customers
        use_picker(self.fields["customer"], customer_picker())
        self.fields["stage"].queryset = PipelineStage.objects.filter(
            is_active=True, is_won=False, is_lost=False
        )
        self.fields["owner"].queryset = sales_users()
        self.fields["owner"].required = False
        use_picker(self.fields["owner"], user_picker(roles=[SALES]))
        use_picker(self.fields["products"], product_picker(multiple=True))
        if not can_set_owner:
            del self.fields["owner"]
        if self.instance.pk:
            del self.fields["customer"]
            del self.fields["stage"]
        _style(self)

    def _post_clean(self):
        pass


class CloseForm(forms.Form):
    won = forms.TypedChoiceField(
        label=_("Result"), choices=[("1", _("Won")), ("0", _("Lost"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    due_at = forms.DateTimeField(
        label=_("Due (tasks)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ReassignForm(forms.Form):
    from_user = forms.ModelChoiceField(
        label=pgettext_lazy("reassignment", "From"), queryset=get_user_model().objects.none()
    )
    to_user = forms.ModelChoiceField(
        label=_("To one person"), queryset=get_user_model().objects.none(), required=False
    )
    team = forms.ModelChoiceField(
        label=_("Or spread over a team"), queryset=Team.objects.all(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = users_by_name(get_user_model().objects.filter(groups__name=SALES)).distinct()
        self.fields["from_user"].queryset = users
        self.fields["to_user"].queryset = users.filter(is_active=True)
        # Records are handed over from anyone who sold, a rep who has left above all.
        use_picker(self.fields["from_user"], user_picker(roles=[SALES], include_inactive=True))
        use_picker(self.fields["to_user"], user_picker(roles=[SALES]))
        _style(self)
