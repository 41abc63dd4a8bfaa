from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from evidence.models import EXHIBIT_TEXT_LANGUAGES, EvidenceFile, Exhibit, FileText
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
    language = forms.ChoiceField(label=_("Language of its texts"), choices=EXHIBIT_TEXT_LANGUAGES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The default says what it is (the TEXT_LANGUAGE setting), so that nobody sets it to find out.
        default = dict(EXHIBIT_TEXT_LANGUAGES).get(settings.TEXT_LANGUAGE)
        label = _("The installation's default: %(language)s") % {"language": default} if default else None
        self.fields["language"].choices = [("", label or _("The installation's default")), *EXHIBIT_TEXT_LANGUAGES]


class ExhibitOcrForm(forms.Form):
    ocr = forms.ChoiceField(label=_("Read the text in its pictures (OCR)"), choices=Exhibit.Ocr.choices)


class KeywordListForm(forms.Form):
    """A keyword list: a text file or lines typed in, one term a line."""

    name = forms.CharField(label=_("Name of the list"), max_length=200)
    file = forms.FileField(label=_("Text file"), required=False)
    text = forms.CharField(
        label=_("or terms, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"}),
    )

    def clean(self):
        data = super().clean()
        upload, typed = data.get("file"), data.get("text") or ""
        if upload is not None and typed.strip():
            raise forms.ValidationError(_("Give a file or terms typed in, not both."))
        if upload is None and not typed.strip():
            raise forms.ValidationError(_("Give a file or type the terms, one a line."))
        limit = settings.KEYWORD_LIST_MAX_BYTES
        if upload is not None:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("The file holds %(size)s bytes, over the limit of %(limit)s.")
                    % {"size": upload.size, "limit": limit}
                )
            data["text"] = decoded(upload.read())
            data["file_name"] = upload.name
        else:
            if len(typed.encode()) > limit:
                raise forms.ValidationError(_("The terms are over the limit of %(limit)s bytes.") % {"limit": limit})
            data["file_name"] = ""
        return data


def decoded(content: bytes) -> str:
    """A list file's text: UTF-8 (with or without its byte order mark), else Windows-1252, as
    spreadsheets on Windows save it; a byte that is neither becomes U+FFFD, never an error."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")
