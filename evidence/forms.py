from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Dossier
from evidence.models import EvidenceFile


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
        help_text=_(
            "Select several files or archives (zip, tar, 7z): an archive's members are ingested one by one. "
            "Large files go up in chunks and resume after a dropped connection."
        ),
    )

    archive_password = forms.CharField(
        label=_("Archive password"),
        required=False,
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Optional: opens encrypted zip (ZipCrypto, AES) and 7z archives among the files. "
            "Kept encrypted until the job ends, then erased; never written to the logs."
        ),
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


class SourceGrantForm(forms.Form):
    """An admin grants a folder of the evidence server to a dossier, named by its notice number."""

    notice_number = forms.CharField(label=_("Dossier (notice number)"), max_length=64)
    root = forms.TypedChoiceField(label=_("Evidence source"), coerce=int)
    folder = forms.CharField(
        label=_("Folder"),
        max_length=1024,
        help_text=_("Relative to the evidence source, e.g. BR-52-L1-012345-25/SC-1."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, roots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root"].choices = [(index, str(root)) for index, root in enumerate(roots)]

    def clean_notice_number(self):
        notice_number = self.cleaned_data["notice_number"].strip()
        self.dossier = Dossier.objects.filter(notice_number=notice_number).first()
        if self.dossier is None:
            raise forms.ValidationError(_("No dossier has this notice number."))
        return notice_number
