import re

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import DossierSuspect


class ChatAccountForm(forms.Form):
    suspect = forms.ModelChoiceField(
        label=_("Suspect"),
        queryset=DossierSuspect.objects.none(),
        required=False,
        empty_label=_("Not linked"),
        help_text=_("The suspect who used this account, if known."),
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        help_text=_("Two-letter code (ISO 3166), for partner forces."),
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suspect"].queryset = dossier.suspects.select_related("person")

    def clean_country(self) -> str:
        value = self.cleaned_data["country"].strip().upper()
        if value and not re.fullmatch(r"[A-Z]{2}", value):
            raise forms.ValidationError(_("A country is two letters, such as BE or FR."))
        return value
