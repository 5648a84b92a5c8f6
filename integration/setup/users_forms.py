"""Forms of the users pages: they parse input; ``integration.setup.users`` decides."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import style_fields
from core.people import display_name, users_by_name
from core.pickers import use_picker, user_picker
from core.roles import ALL_ROLES, ROLE_LABELS
from crm.customers.models import Team

ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in ALL_ROLES]


def errors_onto(form, exc: ValidationError) -> None:
    """A service's errors next to the form's fields (those it has no field for at the top)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{display_name(obj)} ({obj.get_username()})"


class InviteForm(forms.Form):
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, help_text=_("The invitation goes there."))
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        required=False,
        help_text=_("Left empty: made from the e-mail address."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Sales teams"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean(self):
        data = super().clean()
        if not (data.get("first_name") or data.get("last_name")) and "last_name" not in self.errors:
            self.add_error("last_name", _("Enter the person's name."))
        return data


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class DeactivateForm(forms.Form):
    """Who takes over the user's records: one colleague, or a team's active members in turn."""

    to_user = PersonChoiceField(
        label=_("A colleague"), queryset=get_user_model().objects.none(), required=False
    )
    team = forms.ModelChoiceField(
        label=_("Or a team"), queryset=Team.objects.order_by("name"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = users_by_name(
            get_user_model().objects.filter(is_active=True).exclude(pk=user.pk)
        )
        use_picker(self.fields["to_user"], user_picker(placeholder=_("Type a name or pinyin")))
        style_fields(self)

    def clean(self):
        data = super().clean()
        if data.get("to_user") and data.get("team"):
            raise ValidationError(_("Choose a colleague or a team, not both."))
        return data
