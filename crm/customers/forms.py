from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.forms import formfield, offer
from core.people import users_by_name
from core.pickers import use_picker, user_picker
from core.roles import SALES
from crm.customers.models import Contact, Customer
from crm.customers.selectors import customer_defaults, customer_tags_offered
from crm.customers.services import INVOICE_FIELDS


def sales_users():
    return users_by_name(get_user_model().objects.filter(is_active=True, groups__name=SALES)).distinct()


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        formfield_callback = formfield
        fields = [
            "code",
            "name",
            "kind",
            "industry",
            "region",
            "address",
            "phone",
            "email",
            "tags",
            "source",
            "owner",
            "team",
            "group",
            "credit_limit",
            "payment_terms_days",
            "stage",
            "notes",
            *INVOICE_FIELDS,
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "tags": _("Separate tags with commas."),
            "code": _("Leave empty to number it automatically."),
            "credit_limit": _("0 means no credit limit: orders are never put on credit hold."),
            "group": _("Its price list applies where the customer has none of its own."),
            "invoice_title": _("The name on the customer's VAT invoices, if not the customer's name."),
            "invoice_tax_id": _("The unified social credit code: 18 characters."),
        }

    def __init__(self, *args, can_set_owner=True, can_set_credit=True, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["owner"].queryset = sales_users()
        use_picker(self.fields["owner"], user_picker(roles=[SALES]))
        if teams is not None:
            self.fields["team"].queryset = teams
        if not can_set_owner:
            del self.fields["owner"]
        if not can_set_credit:
            # The credit limit and the group (which decides prices) are a manager's to set.
            del self.fields["credit_limit"]
            del self.fields["group"]
        tags = customer_tags_offered()
        if tags:
            # The list offers one tag as the field's whole value; the help names them all, for
            # a customer with several.
            offer(self.fields["tags"], tags)
            self.fields["tags"].help_text = _("Separate tags with commas. The company's tags: %(tags)s") % {
                "tags": "、".join(tags)
            }
        if not self.instance.pk:
            # A new customer starts from the company's defaults (what the service would give).
            for name, value in customer_defaults().items():
                if name in self.fields:
                    self.fields[name].initial = value
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def main_fields(self):
        return [field for field in self.visible_fields() if field.name not in INVOICE_FIELDS]

    def invoice_fields(self):
        """The invoicing details (开票信息), shown in a fieldset of their own."""
        return [field for field in self.visible_fields() if field.name in INVOICE_FIELDS]

    def _post_clean(self):
        # Model validation runs in the service (one place for the rules).
        pass


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        formfield_callback = formfield
        fields = ["name", "role", "phone", "email", "is_primary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault(
                "class", "form-check-input" if name == "is_primary" else "form-control"
            )

    def _post_clean(self):
        pass
