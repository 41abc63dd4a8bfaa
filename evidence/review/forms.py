from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import ReviewerSettings
from detectors import FACES, NUDENET
from detectors.models import Classifier
from evidence.models import EvidenceFile

BUILTIN_LABELS = {"nudenet": NUDENET, "faces": FACES}


class ReviewFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("review", _("To review (near, possible, new image, new video)")), ("all", _("All"))]
        + EvidenceFile.Triage.choices,
    )
    progress = forms.ChoiceField(
        label=_("Review"),
        required=False,
        choices=[
            ("todo", _("Not categorised yet")),
            ("awaiting", _("Awaiting confirmation")),
            ("reviewed", _("Categorised")),
            ("any", _("Any")),
        ],
    )
    signal = forms.ChoiceField(
        label=_("Detectors"),
        required=False,
        choices=[
            ("", _("Any")),
            ("likely", _("Likely sexual content")),
            ("faces", _("Faces found")),
            ("none", _("Nothing sexual detected")),
        ],
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("", _("Matches first, then by path")),
            ("likely", _("Most likely sexual content first")),
            ("unlikely", _("Least likely first (no face, scores below the threshold, grouped)")),
        ],
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    exhibit = forms.ChoiceField(label=_("Exhibit"), required=False)
    path = forms.CharField(label=_("Path contains"), required=False, max_length=200)
    since = forms.DateField(label=_("Modified from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Modified until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, dossier, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exhibit"].choices = [("", _("All exhibits"))] + [
            (str(exhibit.pk), exhibit.seal_number) for exhibit in dossier.exhibits.order_by("seal_number")
        ]
        self.fields["category"].choices = [("", _("Any category"))] + [
            (scheme.name, [(value.code, f"{value.code} {value.label}") for value in scheme.values.all()])
            for scheme in schemes
        ]


class ReviewerSettingsForm(forms.ModelForm):
    class Meta:
        model = ReviewerSettings
        fields = ["blur_radius"]


class DetectionJobForm(forms.Form):
    """Which models to run again over a dossier: the built-in detectors the DETECTORS setting names
    and the enabled registered classifiers; all of them by default (a model that already looked at
    a file is not run on it again)."""

    models = forms.MultipleChoiceField(label=_("Models"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.enabled = {str(c.pk): c for c in Classifier.objects.defer("weights").filter(enabled=True)}
        choices = [(f"detector:{name}", BUILTIN_LABELS.get(name, name)) for name in settings.DETECTORS]
        choices += [
            (f"classifier:{pk}", _("%(classifier)s (registered classifier)") % {"classifier": c})
            for pk, c in self.enabled.items()
        ]
        self.fields["models"].choices = choices
        self.fields["models"].initial = [value for value, _label in choices]

    def detectors(self) -> list[str]:
        return [value.partition(":")[2] for value in self.cleaned_data["models"] if value.startswith("detector:")]

    def classifiers(self) -> list[Classifier]:
        chosen = (value.partition(":")[2] for value in self.cleaned_data["models"] if value.startswith("classifier:"))
        return [self.enabled[pk] for pk in chosen if pk in self.enabled]
