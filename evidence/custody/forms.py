"""Custody forms: an exhibit, its custody events, its acquisitions, exhibits from a CSV."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evidence.custody.exhibits import seal_number_check
from evidence.models import EXHIBIT_FIELDS, Acquisition, CustodyEvent, Exhibit

YES_NO_UNKNOWN = [("", _("Unknown")), ("true", _("Yes")), ("false", _("No"))]


def _yes_no(value):
    return {"true": True, "false": False, True: True, False: False}.get(value)


class ExhibitForm(forms.ModelForm):
    imei = forms.CharField(label=_("IMEI"), required=False, max_length=32, help_text=_("Phones: 15 digits."))
    locked = forms.TypedChoiceField(
        label=_("Locked at seizure"), choices=YES_NO_UNKNOWN, coerce=_yes_no, empty_value=None, required=False
    )

    class Meta:
        model = Exhibit
        fields = EXHIBIT_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"iccid": _("SIM card number.")}

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        # Same dossier only: a parent, a suspect or a search of another dossier cannot be chosen.
        self.fields["parent"].queryset = dossier.exhibits.all()
        self.fields["seized_from"].queryset = dossier.suspects.select_related("person")
        self.fields["search"].queryset = dossier.searches.all()

    def clean_imei(self) -> str:
        imei = re.sub(r"[\s-]", "", self.cleaned_data["imei"])
        if imei and not re.fullmatch(r"\d{14,16}", imei):
            raise forms.ValidationError(_("An IMEI has 15 digits."))
        return imei

    def clean_seal_number(self) -> str:
        seal_number = self.cleaned_data["seal_number"].strip()
        seal_number_check(dossier=self.dossier, seal_number=seal_number)
        return seal_number


class CustodyEventForm(forms.ModelForm):
    seal_intact = forms.TypedChoiceField(
        label=_("Seal intact"), choices=YES_NO_UNKNOWN, coerce=_yes_no, empty_value=None, required=False
    )

    class Meta:
        model = CustodyEvent
        fields = [
            "kind",
            "at",
            "from_person",
            "to_person",
            "from_location",
            "to_location",
            "purpose",
            "seal_before",
            "seal_after",
            "seal_intact",
        ]
        widgets = {
            "at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "purpose": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def clean_at(self):
        value = self.cleaned_data["at"]
        if value > timezone.now() + timezone.timedelta(minutes=5):
            raise forms.ValidationError(_("A custody event is recorded after it happened: this time is in the future."))
        return value


HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64}


class AcquisitionForm(forms.ModelForm):
    md5 = forms.CharField(label="MD5", required=False, max_length=40)
    sha1 = forms.CharField(label="SHA-1", required=False, max_length=48)
    sha256 = forms.CharField(label="SHA-256", required=False, max_length=80)

    class Meta:
        model = Acquisition
        fields = ["examiner", "tool", "tool_version", "write_blocker", "image_format", "started_at", "ended_at"]
        widgets = {
            "started_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ended_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def _clean_hex(self, algorithm: str) -> bytes | None:
        value = self.cleaned_data[algorithm].strip().lower().replace(" ", "")
        if not value:
            return None
        if len(value) != HEX_LENGTHS[algorithm] or not re.fullmatch(r"[0-9a-f]+", value):
            raise forms.ValidationError(
                _("%(algorithm)s is %(length)s hexadecimal characters."),
                params={"algorithm": self.fields[algorithm].label, "length": HEX_LENGTHS[algorithm]},
            )
        return bytes.fromhex(value)

    def clean_md5(self):
        return self._clean_hex("md5")

    def clean_sha1(self):
        return self._clean_hex("sha1")

    def clean_sha256(self):
        return self._clean_hex("sha256")

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_at"), cleaned.get("ended_at")
        if started and ended and ended < started:
            self.add_error("ended_at", _("The acquisition cannot end before it started."))
        if not any(cleaned.get(a) for a in HEX_LENGTHS) and not self.errors:
            raise forms.ValidationError(_("Enter at least one acquisition hash, as the tool reported it."))
        return cleaned


class ExhibitBulkForm(forms.Form):
    rows = forms.CharField(
        label=_("Exhibits (CSV)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "mono"}),
        help_text=_(
            "First line: the column names. Required: seal_number, kind. Optional: make, model, serial_number, "
            "imei, iccid, capacity (e.g. 500 GB), description, storage_location, parent_seal."
        ),
    )
    upload = forms.FileField(label=_("Or upload a CSV file"), required=False)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            if upload.size > 5 * 1024 * 1024:
                raise forms.ValidationError(_("The CSV file is larger than 5 MB."))
            raw = upload.read()
            try:
                cleaned["rows"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                cleaned["rows"] = raw.decode("cp1252", errors="replace")
        if not cleaned.get("rows", "").strip():
            raise forms.ValidationError(_("Paste the CSV or choose a file."))
        return cleaned
