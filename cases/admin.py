from django.contrib import admin

from audit.services import audit_record, client_ip
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
        audit_record(
            actor=request.user,
            action="dossier.change" if change else "dossier.create",
            target=obj,
            ip=client_ip(request),
            via="admin",
            fields=form.changed_data,
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for membership in formset.new_objects + [changed for changed, _ in formset.changed_objects]:
            audit_record(
                actor=request.user,
                action="membership.add",
                target=membership,
                ip=client_ip(request),
                via="admin",
                user=membership.user.get_username(),
                role=membership.role,
            )
        for membership in formset.deleted_objects:
            audit_record(
                actor=request.user,
                action="membership.remove",
                target=membership.dossier,
                ip=client_ip(request),
                via="admin",
                user=membership.user.get_username(),
            )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("dossier", "user", "role", "added_at")
    list_filter = ("role",)
    search_fields = ("dossier__notice_number", "user__username")
    autocomplete_fields = ["user", "dossier"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="membership.add",
            target=obj,
            ip=client_ip(request),
            via="admin",
            user=obj.user.get_username(),
            role=obj.role,
        )

    def delete_model(self, request, obj):
        audit_record(
            actor=request.user,
            action="membership.remove",
            target=obj.dossier,
            ip=client_ip(request),
            via="admin",
            user=obj.user.get_username(),
        )
        super().delete_model(request, obj)
