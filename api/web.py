"""The "API tokens" page: each user creates and revokes their own tokens (a verified session only).

Creating one asks for the second factor again (step-up, STEP_UP_SECONDS): a token outlives the
session, so a session left open must not be enough to mint one.
"""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.two_factor import second_factor_is_recent
from api.models import ApiToken
from api.services import api_token_create, api_token_revoke
from audit.services import client_ip


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. the workstation that uses it."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        required=False,
        help_text=gettext_lazy("The token stops working after this many days (at most the default shown)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = settings.API_TOKEN_DAYS
        self.fields["days"].validators.append(MaxValueValidator(settings.API_TOKEN_DAYS))
        self.fields["days"].initial = settings.API_TOKEN_DAYS
        self.fields["days"].widget.attrs.update(max=settings.API_TOKEN_DAYS)


def _step_up_url(request) -> str:
    return f"{reverse('second_factor')}?{urlencode({'step_up': 1, 'next': reverse('api_tokens')})}"


@login_required
def api_tokens(request):
    recent = second_factor_is_recent(request, settings.STEP_UP_SECONDS)
    form = ApiTokenForm(request.POST or None)
    key = None
    if request.method == "POST":
        if not recent:
            messages.warning(request, _("Enter your second factor again, then create the token."))
            return redirect(_step_up_url(request))
        if form.is_valid():
            _token, key = api_token_create(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"], ip=client_ip(request)
            )
            # The key is shown in this answer only: it is stored nowhere, not even in the session.
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"form": form, "tokens": tokens, "new_key": key, "step_up_url": None if recent else _step_up_url(request)}
    return render(request, "api/tokens.html", context)


@login_required
@require_POST
def api_token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, by=request.user, ip=client_ip(request))
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")
