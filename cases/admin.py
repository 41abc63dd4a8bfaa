from django.contrib import admin

from cases.models import Dossier, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ("notice_number", "title", "status", "opened_on")
    list_filter = ("status",)
    search_fields = ("notice_number", "title")
    inlines = [MembershipInline]
    readonly_fields = ("created_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("dossier", "user", "role", "added_at")
    list_filter = ("role",)
    search_fields = ("dossier__notice_number", "user__username")
    autocomplete_fields = ["user", "dossier"]
