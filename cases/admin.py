"""Dossiers and memberships in the Django admin: every write goes through the service that holds its rule.

A dossier is opened in the application (its creator becomes the lead) and is never deleted; its
notice number, status (the workflow, with a reason) and four-eyes rule (its lead) are read-only
here. Memberships are managed on their own admin page, through the membership services: audited
with ``via="admin"``, shown to the dossier's team on its timeline, and never for oneself.
"""

from django import forms
from django.contrib import admin

from accounts.roles import PROSECUTOR
from audit.services import client_ip
from cases.models import Dossier, Membership
from cases.services import (
    DETAILS,
    dossier_update_details,
    membership_add_by_admin,
    membership_admin_check,
    membership_change_role_by_admin,
    membership_remove_by_admin,
)


class MembershipInline(admin.TabularInline):
    """The team, read-only: changes go through the Memberships page (its services and their audit)."""

    model = Membership
    extra = 0
    can_delete = False
    fields = ("user", "role", "added_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class NoBulkDelete:
    def get_actions(self, request):
        # The bulk action deletes rows with a queryset, past every service and its audit event.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Dossier)
class DossierAdmin(NoBulkDelete, admin.ModelAdmin):
    # Saves and deletions go through the team and dossier services, which write their own events.
    audited_by_services = True
    list_display = ("notice_number", "title", "status", "opened_on")
    list_filter = ("status",)
    search_fields = ("notice_number", "title")
    inlines = [MembershipInline]
    fields = (
        "notice_number",
        "title",
        "status",
        "opened_on",
        "prosecutor",
        "judge_name",
        "judge_court",
        "four_eyes",
        "created_by",
        "created_at",
    )
    readonly_fields = ("notice_number", "status", "opened_on", "four_eyes", "created_by", "created_at")

    def has_add_permission(self, request) -> bool:
        return False  # opened in the application, where the creator becomes the lead

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "prosecutor":
            # The prosecutor becomes a reader of the dossier: never the administrator themselves.
            users = db_field.related_model.objects.filter(groups__name=PROSECUTOR, is_active=True)
            kwargs["queryset"] = users.exclude(pk=request.user.pk).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The form has already copied its values onto ``obj``: the service compares with the stored row.
        fresh = Dossier.objects.get(pk=obj.pk)
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in DETAILS}
        dossier_update_details(dossier=fresh, by=request.user, ip=client_ip(request), via_admin=True, **changed)

    def save_formset(self, request, form, formset, change):
        # The inline is read-only (Django already ignores posted rows); nothing of it is saved here.
        formset.save(commit=False)


class MembershipAdminForm(forms.ModelForm):
    """Asks the services' rules before saving, so that a refusal is a form error, not a failure."""

    by = None  # set per request by MembershipAdmin.get_form

    class Meta:
        model = Membership
        fields = ("dossier", "user", "role")

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user", self.instance.user if self.instance.pk else None)
        membership_admin_check(user=user, by=self.by, membership=self.instance, role=cleaned.get("role", ""))
        return cleaned


@admin.register(Membership)
class MembershipAdmin(NoBulkDelete, admin.ModelAdmin):
    # Saves and deletions go through the team and dossier services, which write their own events.
    audited_by_services = True
    form = MembershipAdminForm
    list_display = ("dossier", "user", "role", "added_at")
    list_filter = ("role",)
    search_fields = ("dossier__notice_number", "user__username")
    autocomplete_fields = ["user", "dossier"]

    def get_readonly_fields(self, request, obj=None):
        return ("dossier", "user") if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.by = request.user  # a class made for this request by modelform_factory
        return form

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.role == Membership.Role.LEAD:
            # A dossier keeps a lead: the delete page is refused rather than failing afterwards.
            leads = Membership.objects.filter(dossier=obj.dossier_id, role=Membership.Role.LEAD)
            if not leads.exclude(pk=obj.pk).exists():
                return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        ip = client_ip(request)
        if change:
            stored = Membership.objects.get(pk=obj.pk)
            saved = membership_change_role_by_admin(membership=stored, role=obj.role, by=request.user, ip=ip)
        else:
            saved = membership_add_by_admin(dossier=obj.dossier, user=obj.user, role=obj.role, by=request.user, ip=ip)
        obj.pk, obj.added_at = saved.pk, saved.added_at

    def delete_model(self, request, obj):
        membership_remove_by_admin(membership=obj, by=request.user, ip=client_ip(request))
