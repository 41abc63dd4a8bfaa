from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.models import TEXT_LANGUAGES, EvidenceFile, Exhibit, FileText
from evidence.search.selectors import SearchFilters

TYPE_CHOICES = [
    ("", _("All types")),
    ("pdf", _("PDF")),
    ("office", _("Office documents")),
    ("mail", _("E-mail")),
    ("text", _("Text and web pages")),
    ("picture", _("Pictures (text read)")),
]


class TextSearchForm(forms.Form):
    q = forms.CharField(label=_("Find"), max_length=500, required=False)
    exhibit = forms.ModelChoiceField(label=_("Exhibit"), queryset=None, required=False, empty_label=_("All exhibits"))
    type = forms.ChoiceField(label=_("Type"), choices=TYPE_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("Found in"), choices=[("", _("Text and names")), *FileText.Kind.choices], required=False
    )
    triage = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *EvidenceFile.Triage.choices], required=False
    )
    modified_from = forms.DateField(
        label=_("Modified from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    modified_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exhibit"].queryset = dossier.exhibits.order_by("seal_number")
        self.fields["q"].widget.attrs.update({"type": "search", "autofocus": True, "aria-describedby": "search-syntax"})

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            exhibit=data["exhibit"].pk if data.get("exhibit") else None,
            type=data.get("type") or "",
            kind=data.get("kind") or "",
            triage=data.get("triage") or "",
            modified_from=data.get("modified_from"),
            modified_to=data.get("modified_to"),
        )


class TextLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of its texts"),
        choices=[("", _("The installation's default")), *TEXT_LANGUAGES],
        required=False,
    )


class ExhibitOcrForm(forms.Form):
    ocr = forms.ChoiceField(label=_("Read the text in its pictures (OCR)"), choices=Exhibit.Ocr.choices)
