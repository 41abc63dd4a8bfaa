import re

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import PROSECUTOR
from cases.models import Dossier


class DossierForm(forms.ModelForm):
    prosecutor = forms.ModelChoiceField(
        label=_("Prosecutor"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Gets read-only access to this dossier."),
    )

    class Meta:
        model = Dossier
        fields = ["notice_number", "title", "opened_on"]
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prosecutor"].queryset = (
            get_user_model().objects.filter(groups__name=PROSECUTOR, is_active=True).order_by("username")
        )
        self.fields["opened_on"].initial = timezone.localdate()
        self.fields["notice_number"].help_text = _("Format: %(example)s") % {"example": settings.DOSSIER_NOTICE_EXAMPLE}
        self.fields["notice_number"].widget.attrs.update({"placeholder": settings.DOSSIER_NOTICE_EXAMPLE})

    def clean_notice_number(self) -> str:
        value = self.cleaned_data["notice_number"].strip().upper()
        if not re.fullmatch(settings.DOSSIER_NOTICE_PATTERN, value):
            raise forms.ValidationError(
                _("A notice number looks like %(example)s."), params={"example": settings.DOSSIER_NOTICE_EXAMPLE}
            )
        return value


class DossierSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Dossier.Status.choices)
