from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import second_factors_revoke
from audit.services import client_ip

User = get_user_model()
admin.site.unregister(User)
# django-otp's own admin shows each user's TOTP secret (as a QR code too) and recovery codes: whoever
# reads them holds that user's second factor. Nobody needs to, admins included: a lost factor is
# revoked with the user action below and the user enrols again.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(User)
class ScelleUserAdmin(UserAdmin):
    actions = ["revoke_second_factors"]

    @admin.action(description=_("Revoke second factors (the user enrols a new one at next login)"))
    def revoke_second_factors(self, request, queryset):
        for user in queryset:
            second_factors_revoke(user=user, by=request.user, ip=client_ip(request))
        messages.success(request, _("Second factors revoked for %(count)d user(s).") % {"count": queryset.count()})
