from django import forms
from django.utils.translation import gettext_lazy as _

from hashing.models import HashList


class HashListImportForm(forms.Form):
    name = forms.CharField(
        label=_("List name"),
        max_length=200,
        help_text=_("An existing list's name adds a new version to it."),
        widget=forms.TextInput(attrs={"list": "list-names", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=HashList.Kind.choices, initial=HashList.Kind.ALERT)
    default_category = forms.CharField(
        label=_("Category"),
        max_length=32,
        required=False,
        help_text=_("Category given to the entries of a new alert list, e.g. Project VIC 1."),
    )
    label = forms.CharField(label=_("Version label"), max_length=100, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Plain text: one MD5, SHA-1 or SHA-256 per line, optionally followed by a file name; "
            "lines starting with # are comments."
        ),
    )
