from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from detectors.onnx_classifier import ClassifierSpec


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _three(text: str, name: str) -> tuple[float, float, float]:
    try:
        values = tuple(float(part) for part in text.replace(";", ",").split(","))
    except ValueError:
        values = ()
    if len(values) != 3:
        raise forms.ValidationError(_("Three numbers, one per channel (R, G, B), separated by commas."), code=name)
    return values


class ClassifierRegisterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    version = forms.CharField(label=_("Version"), max_length=32)
    weights = forms.FileField(label=_("ONNX model file"))
    labels = forms.CharField(
        label=_("Labels, one a line, in the model's output order"), widget=forms.Textarea(attrs={"rows": 4})
    )
    alerting = forms.CharField(label=_("Alerting labels, one a line"), widget=forms.Textarea(attrs={"rows": 2}))
    width = forms.IntegerField(label=_("Input width"), min_value=8, max_value=2048, initial=224)
    height = forms.IntegerField(label=_("Input height"), min_value=8, max_value=2048, initial=224)
    mean = forms.CharField(label=_("Mean per channel (0 to 1)"), initial="0.485, 0.456, 0.406")
    std = forms.CharField(label=_("Standard deviation per channel"), initial="0.229, 0.224, 0.225")

    def clean_weights(self):
        upload = self.cleaned_data["weights"]
        if upload.size > settings.CLASSIFIER_MAX_BYTES:
            raise forms.ValidationError(
                _("The model is larger than %(limit)s bytes (CLASSIFIER_MAX_BYTES).")
                % {"limit": settings.CLASSIFIER_MAX_BYTES}
            )
        return upload

    def clean_mean(self):
        return _three(self.cleaned_data["mean"], "mean")

    def clean_std(self):
        return _three(self.cleaned_data["std"], "std")

    def spec(self) -> ClassifierSpec:
        data = self.cleaned_data
        return ClassifierSpec(
            data["name"].strip(),
            data["version"].strip(),
            _lines(data["labels"]),
            _lines(data["alerting"]),
            data["width"],
            data["height"],
            data["mean"],
            data["std"],
        )
