from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import PROSECUTOR
from cases import workflow
from cases.models import Dossier, DossierSuspect, Membership, PersonIdentifier, Search
from cases.selectors import person_linkable_for
from cases.services import notice_number_check
from cases.suspects import PERSON_NOT_LINKABLE


class DossierForm(forms.ModelForm):
    prosecutor = forms.ModelChoiceField(
        label=_("Prosecutor"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Gets read-only access to this dossier."),
    )

    class Meta:
        model = Dossier
        fields = ["notice_number", "title", "opened_on", "judge_name", "judge_court"]
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
        return notice_number_check(self.cleaned_data["notice_number"])


class DossierSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Dossier.Status.choices)


class DossierStatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, dossier: Dossier, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Dossier.Status.choices)
        # Every status is accepted by the form so that the service explains an impossible move.
        allowed = workflow.next_statuses(dossier.status)
        others = [s for s in Dossier.Status.values if s not in allowed and s != dossier.status]
        self.fields["to_status"].choices = [
            (_("Next steps"), [(s, labels[s]) for s in allowed]),
            (_("Not allowed from here"), [(s, labels[s]) for s in others]),
        ]


class MembershipAddForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=get_user_model().objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def __init__(self, *args, dossier: Dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model().objects.filter(is_active=True).exclude(memberships__dossier=dossier).order_by("username")
        )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class SearchForm(forms.ModelForm):
    class Meta:
        model = Search
        fields = ["address", "started_at", "warrant_reference", "warrant_judge", "officers_present", "outcome"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "started_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "officers_present": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_started_at(self):
        value = self.cleaned_data["started_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("A search is recorded after it took place: this time is in the future."))
        return value


IDENTIFIER_FIELDS = {
    "usernames": PersonIdentifier.Kind.USERNAME,
    "phone_numbers": PersonIdentifier.Kind.PHONE,
    "account_ids": PersonIdentifier.Kind.ACCOUNT,
    "emails": PersonIdentifier.Kind.EMAIL,
}


class SuspectForm(forms.Form):
    """A new suspect; when a likely duplicate is found, the form asks whether it is the same person."""

    full_name = forms.CharField(label=_("Name"), max_length=200)
    aliases = forms.CharField(
        label=_("Aliases"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line.")
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    nationality = forms.CharField(label=_("Nationality"), max_length=64, required=False)
    national_number = forms.CharField(label=_("National number"), max_length=32, required=False)
    usernames = forms.CharField(
        label=_("User names"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line.")
    )
    phone_numbers = forms.CharField(
        label=_("Phone numbers"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line.")
    )
    account_ids = forms.CharField(
        label=_("Account ids"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line.")
    )
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 1}),
        help_text=_("One per line."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=DossierSuspect.Status.choices)
    searches = forms.ModelMultipleChoiceField(
        label=_("Searches"), queryset=Search.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    # Filled in the second step, once a likely duplicate was shown: "new" or the id of a person.
    same_person = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, dossier: Dossier, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.user = user
        self.fields["searches"].queryset = dossier.searches.all()

    def clean(self):
        """``same_person`` becomes "" (not asked yet), "new", or a Person the user may link; any other
        id (unknown, or a person only in dossiers the user cannot see) is refused with one message."""
        cleaned = super().clean()
        decision = cleaned.get("same_person", "")
        if decision not in ("", "new"):
            person = person_linkable_for(self.user, decision)
            if person is None:
                cleaned["same_person"] = ""
                self.add_error(None, PERSON_NOT_LINKABLE)
            else:
                cleaned["same_person"] = person
        return cleaned

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("A birth date cannot be in the future."))
        return value

    def identifiers(self) -> list[tuple[str, str]]:
        return [
            (kind, line.strip())
            for field, kind in IDENTIFIER_FIELDS.items()
            for line in self.cleaned_data.get(field, "").splitlines()
            if line.strip()
        ]


class SuspectStatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=DossierSuspect.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DossierDetailsForm(forms.ModelForm):
    """What may change after opening: the title, the prosecutor, the investigating judge."""

    class Meta:
        model = Dossier
        fields = ["title", "prosecutor", "judge_name", "judge_court"]

    def __init__(self, *args, lead: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prosecutor"].queryset = (
            get_user_model().objects.filter(groups__name=PROSECUTOR, is_active=True).order_by("username")
        )
        self.fields["prosecutor"].help_text = _("Gets read-only access to this dossier.")
        if not lead:
            # A new prosecutor becomes a member: the team is the lead's to change (the service refuses too).
            self.fields["prosecutor"].disabled = True
            self.fields["prosecutor"].help_text = _("Only the lead investigator changes the prosecutor.")
