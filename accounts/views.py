import base64
import io
import json

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.qr import write_qrcode_image

from accounts.decorators import role_required, step_up_required
from accounts.forms import TokenForm
from accounts.middleware import session_start
from accounts.models import SecurityKey
from accounts.roles import ADMIN
from accounts.security_keys import (
    authentication_options,
    registration_options,
    security_key_register,
    security_key_remove,
    security_key_required,
    security_key_verify,
)
from accounts.two_factor import (
    has_second_factor,
    has_security_key,
    second_factor_is_recent,
    second_factor_verify,
    session_is_verified,
    totp_enrol_confirm,
    totp_enrolment_device,
)
from audit.services import audit_record, client_ip


class LoginView(auth_views.LoginView):
    """Django's login, with every attempt written to the audit log."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        session_start(self.request)
        audit_record(actor=self.request.user, action="login.success", ip=client_ip(self.request))
        return response

    def form_invalid(self, form):
        audit_record(
            actor=None,
            action="login.failure",
            ip=client_ip(self.request),
            username=self.request.POST.get("username", "")[:150],
            locked_out=bool(getattr(self.request, "axes_locked_out", False)),
        )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            audit_record(actor=request.user, action="logout", ip=client_ip(request))
        return super().post(request, *args, **kwargs)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
def second_factor(request):
    """Second step of the login: a TOTP or recovery code."""
    step_up = bool(request.GET.get("step_up") or request.POST.get("step_up"))
    if session_is_verified(request) and not step_up:
        return redirect(_next_url(request))
    if not has_second_factor(request.user):
        return redirect("two_factor_setup")
    key_only = security_key_required(request.user) and has_security_key(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_verify(request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error("token", _("This code is not valid. Wait for the next code, or use a recovery code."))
    context = {
        "form": form,
        "next": _next_url(request),
        "step_up": step_up,
        "has_key": has_security_key(request.user),
        "key_only": key_only,
    }
    return render(request, "accounts/second_factor.html", context)


@login_required
def two_factor_setup(request):
    """First login: enrol an authenticator app; the recovery codes are shown once, here."""
    if has_second_factor(request.user):
        return redirect("second_factor")
    device = totp_enrolment_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_enrol_confirm(request, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("token", _("This code is not valid. Check the clock of your phone and try the next code."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next_url(request),
        },
    )


@login_required
def two_factor_qr(request):
    """The enrolment QR code, drawn here as SVG (nothing leaves the machine)."""
    if has_second_factor(request.user):
        return HttpResponse(status=404)
    out = io.BytesIO()
    write_qrcode_image(totp_enrolment_device(request.user).config_url, out)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


# Security keys (WebAuthn). The pages call these JSON endpoints from static/js/security-keys.js.


def _credential_json(request) -> tuple[str, str]:
    """The browser's answer (JSON text) and the key's name, from the request body."""
    try:
        body = json.loads(request.body or b"{}")
        return json.dumps(body["credential"]), str(body.get("name", ""))
    except (ValueError, KeyError, TypeError):
        return "", ""


@login_required
@role_required(ADMIN)
@step_up_required
def security_keys(request):
    """An admin's security keys: add one (the browser talks to the key), remove one."""
    keys = SecurityKey.objects.filter(user=request.user).order_by("created_at")
    return render(
        request,
        "accounts/security_keys.html",
        {"keys": keys, "next": _next_url(request), "required": security_key_required(request.user)},
    )


@require_POST
@login_required
@role_required(ADMIN)
def security_key_options(request):
    if not second_factor_is_recent(request, settings.STEP_UP_SECONDS):
        return JsonResponse({"error": _("Enter your second factor again, then add the key.")}, status=403)
    return HttpResponse(registration_options(request), content_type="application/json")


@require_POST
@login_required
@role_required(ADMIN)
def security_key_register_view(request):
    if not second_factor_is_recent(request, settings.STEP_UP_SECONDS):
        return JsonResponse({"error": _("Enter your second factor again, then add the key.")}, status=403)
    credential, name = _credential_json(request)
    key = security_key_register(request, credential=credential, name=name)
    if key is None:
        return JsonResponse({"error": _("The key's answer could not be verified. Try again.")}, status=400)
    if security_key_required(request.user):
        # The policy wants this session verified by the key itself, not by the code used before.
        django_otp.login(request, key)
    messages.success(request, _("Security key “%(name)s” added.") % {"name": key.name})
    return JsonResponse({"redirect": _next_url(request) if request.GET.get("next") else reverse("security_keys")})


@require_POST
@login_required
@role_required(ADMIN)
@step_up_required
def security_key_remove_view(request, pk: int):
    key = get_object_or_404(SecurityKey, pk=pk, user=request.user)
    security_key_remove(key=key, by=request.user, ip=client_ip(request))
    messages.success(request, _("Security key “%(name)s” removed.") % {"name": key.name})
    return redirect("security_keys")


@require_POST
@login_required
def security_key_login_options(request):
    if not has_security_key(request.user):
        raise Http404
    return HttpResponse(authentication_options(request), content_type="application/json")


@require_POST
@login_required
def security_key_login_verify(request):
    if not has_security_key(request.user):
        raise Http404
    credential, _name = _credential_json(request)
    if not security_key_verify(request, credential=credential):
        return JsonResponse({"error": _("The key's answer could not be verified. Try again.")}, status=400)
    return JsonResponse({"redirect": _next_url(request)})
