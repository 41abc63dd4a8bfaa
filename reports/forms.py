import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


class VerifyForm(forms.Form):
    """A copy to check: the PDF file itself, or the sha256 printed next to it (64 hexadecimal digits)."""

    copy = forms.FileField(label=_("Report file (PDF)"), required=False)
    sha256 = forms.CharField(label=_("or its SHA-256"), required=False, max_length=80, strip=True)

    def clean_copy(self):
        copy = self.cleaned_data.get("copy")
        # The size is known once Django has spooled the upload (to disk past FILE_UPLOAD_MAX_MEMORY_SIZE):
        # refuse before reading a byte of it.
        if copy and copy.size > settings.REPORT_VERIFY_MAX_BYTES:
            raise ValidationError(
                _("This file is %(size)s; a report to verify may be at most %(limit)s. Paste its SHA-256 instead.")
                % {"size": filesizeformat(copy.size), "limit": filesizeformat(settings.REPORT_VERIFY_MAX_BYTES)}
            )
        return copy

    def clean_sha256(self):
        value = self.cleaned_data["sha256"].replace(" ", "")
        if value and not SHA256_HEX.match(value):
            raise ValidationError(_("A SHA-256 is 64 hexadecimal digits."))
        return value.lower()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("copy") and not cleaned.get("sha256") and not self.errors:
            raise ValidationError(_("Choose the report file or paste its SHA-256."))
        return cleaned
