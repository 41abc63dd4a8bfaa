import base64
import io

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.qr import write_qrcode_image

from accounts.forms import TokenForm
from accounts.middleware import session_start
from accounts.two_factor import has_second_factor, second_factor_verify, totp_enrol_confirm, totp_enrolment_device
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
    if request.user.is_verified() and not step_up:
        return redirect(_next_url(request))
    if not has_second_factor(request.user):
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_verify(request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error("token", _("This code is not valid. Wait for the next code, or use a recovery code."))
    return render(
        request, "accounts/second_factor.html", {"form": form, "next": _next_url(request), "step_up": step_up}
    )


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
