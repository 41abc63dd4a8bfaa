from django import forms
from django.utils.translation import gettext_lazy as _

from hashing.listformats import FIELDS
from hashing.models import CategoryScheme, HashList

FIELD_LABELS = {
    "md5": "MD5",
    "sha1": "SHA-1",
    "sha256": "SHA-256",
    "phash": _("pHash (64-bit hex)"),
    "pdq": _("PDQ (256-bit hex)"),
    "category": _("Category"),
    "series": _("Series"),
    "name": _("File name"),
}


class HashListImportForm(forms.Form):
    name = forms.CharField(
        label=_("List name"),
        max_length=200,
        help_text=_("An existing list's name adds a new version to it."),
        widget=forms.TextInput(attrs={"list": "list-names", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=HashList.Kind.choices, initial=HashList.Kind.ALERT)
    scheme = forms.ModelChoiceField(
        label=_("Category scheme"),
        queryset=CategoryScheme.objects.all(),
        required=False,
        help_text=_("How the list's categories are read (for a new list)."),
    )
    default_category = forms.CharField(
        label=_("Category"),
        max_length=32,
        required=False,
        help_text=_("Category given to the entries of a new alert list whose file carries none, e.g. 1."),
    )
    source = forms.CharField(
        label=_("Source"), max_length=200, required=False, help_text=_("For instance: National database export.")
    )
    label = forms.CharField(label=_("Version label"), max_length=100, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Detected from the content: plain MD5/SHA-1/SHA-256 (md5sum, sha256sum), hashdeep, CSV with a header, "
            "INTERPOL ICSE CSV, Project VIC VICS JSON 1.x/2.0, NIST NSRL RDS v3 (SQLite). A preview comes first."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].initial = CategoryScheme.objects.filter(code="vics").values_list("pk", flat=True).first()


class ColumnMappingForm(forms.Form):
    """One choice of column per field; the columns are those of the file's header."""

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(column, column) for column in columns]
        for field in FIELDS:
            self.fields[field] = forms.ChoiceField(label=FIELD_LABELS[field], choices=choices, required=False)

    def clean(self):
        data = super().clean()
        if not any(data.get(field) for field in ("md5", "sha1", "sha256", "phash", "pdq")):
            raise forms.ValidationError(_("Map at least one column to a hash."))
        return data

    @property
    def mapping(self) -> dict[str, str]:
        return {field: column for field, column in self.cleaned_data.items() if column}
