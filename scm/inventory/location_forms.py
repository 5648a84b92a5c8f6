"""Forms of the bin pages. They only carry what was typed: ``locations_admin`` parses, checks
and names the field of anything wrong."""

from django import forms
from django.utils.translation import gettext_lazy as _

TEXT = {"class": "form-control", "autocomplete": "off"}


class LocationForm(forms.Form):
    zone = forms.CharField(label=_("Zone"), max_length=20, widget=forms.TextInput(attrs=TEXT))
    aisle = forms.CharField(
        label=_("Aisle"), max_length=20, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    shelf = forms.CharField(
        label=_("Shelf"), max_length=20, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    bin = forms.CharField(label=_("Bin"), max_length=20, required=False, widget=forms.TextInput(attrs=TEXT))
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Empty: zone, aisle, shelf and bin joined (A-01-02-03)."),
        widget=forms.TextInput(attrs=TEXT),
    )
    sequence = forms.CharField(
        label=_("Pick sequence"),
        max_length=12,
        required=False,
        help_text=_("Pickers walk the bins in this order. Empty: after the last bin."),
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric"}),
    )
    barcode = forms.CharField(
        label=_("Barcode"),
        max_length=64,
        required=False,
        help_text=_("Empty: the warehouse's code and the bin's (BJ-A-01-02-03)."),
        widget=forms.TextInput(attrs=TEXT),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, location=None, **kwargs):
        if location is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(location, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        if location is not None:
            # A bin's code and barcode are on its label: changing them is allowed, emptying not.
            self.fields["code"].required = True
            self.fields["code"].help_text = ""
            self.fields["barcode"].help_text = ""


def _number(label, initial):
    return forms.CharField(
        label=label,
        max_length=4,
        initial=initial,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric", "class": "form-control"}),
    )


class ZoneForm(forms.Form):
    """A zone's bins at once: aisles, shelves per aisle and bins per shelf, from–to."""

    zone = forms.CharField(label=_("Zone"), max_length=20, widget=forms.TextInput(attrs=TEXT))
    aisle_from = _number(_("Aisles from"), 1)
    aisle_to = _number(_("to"), 4)
    shelf_from = _number(_("Shelves from"), 1)
    shelf_to = _number(_("to"), 3)
    bin_from = _number(_("Bins from"), 1)
    bin_to = _number(_("to"), 5)

    def ranges(self) -> dict:
        data = self.cleaned_data
        return {
            "aisles": (data["aisle_from"], data["aisle_to"]),
            "shelves": (data["shelf_from"], data["shelf_to"]),
            "bins": (data["bin_from"], data["bin_to"]),
        }


class LabelsForm(forms.Form):
    """Which bins to print labels for: a warehouse's, or one zone's. Only carries what was
    chosen: ``bin_labels.label_bins`` checks it and names the field of anything wrong."""

    warehouse = forms.CharField(
        label=_("Warehouse"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    zone = forms.CharField(
        label=_("Zone"),
        required=False,
        help_text=_("Empty: every zone of the warehouse."),
        widget=forms.TextInput(attrs={**TEXT, "list": "label-zones"}),
    )

    def __init__(self, *args, warehouses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].widget.choices = [(w.pk, f"{w.code} {w.name}") for w in warehouses]
