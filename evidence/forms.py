from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.models import EvidenceFile, Exhibit


class ExhibitForm(forms.ModelForm):
    class Meta:
        model = Exhibit
        fields = ["kind", "seal_number", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier

    def clean_seal_number(self) -> str:
        seal_number = self.cleaned_data["seal_number"].strip()
        if Exhibit.objects.filter(dossier=self.dossier, seal_number=seal_number).exists():
            raise forms.ValidationError(_("This dossier already has an exhibit with this seal number."))
        return seal_number


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class IngestUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("Select several files, or one zip archive: its members are ingested one by one."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An empty file is evidence too: it is recorded with its error, not refused here.
        self.fields["files"].allow_empty_file = True


class FileFilterForm(forms.Form):
    q = forms.CharField(label=_("Path or hash"), required=False)
    triage = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + EvidenceFile.Triage.choices
    )
