"""The API's part of the user admin: disabling a user revokes their API tokens for good.

A disabled user's tokens are refused at once (api.authentication); revoking them here means that
enabling the account again does not bring them back.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model

from accounts.admin import ScelleUserAdmin
from api.services import api_tokens_revoke_all
from audit.services import client_ip

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(ScelleUserAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            api_tokens_revoke_all(user=obj, by=request.user, reason="user disabled", ip=client_ip(request))
