from django.contrib.auth import views as auth_views

from accounts.middleware import session_start
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
