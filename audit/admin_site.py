"""The Django admin, audited: every addition, change, deletion and action made there is an event.

``AuditedAdminSite`` is the project's ``admin.site`` (``audit.admin_apps.AuditedAdminConfig`` in
INSTALLED_APPS). Every ModelAdmin registered on it, the project's and other apps' (auth, axes,
django-otp), gets ``AuditedModelAdmin`` first among its bases at registration: no admin.py can
forget it. Every write the admin makes passes through ``log_addition``, ``log_change`` (the user
password form too) and ``log_deletions``; the event records which fields changed, with their old
and new values, read from the admin's own forms and inline formsets. A password, a TOTP key, a
recovery code or a digest is recorded as changed, never its value.

The admin has no login page of its own: /admin/login/ sends to the application's login, so the
admin is reached only by a session that passed the second factor (accounts.middleware).
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from audit.services import audit_record, client_ip

# Parts of a field name (split on "_") whose value never enters the audit log.
SECRET_NAME_PARTS = {"password", "password1", "password2", "secret", "token", "key", "digest"}
# Longest text kept of one value; identifiers and flags are far shorter.
VALUE_CHARS = 500
# Objects named in one action event; the count says how many there were.
ACTION_IDS = 1000


def is_secret(name: str) -> bool:
    return any(part in SECRET_NAME_PARTS for part in name.lower().split("_"))


def plain(value):
    """A JSON-friendly form of a form or model value: objects by their label, bytes in hex."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, models.Model):
        return str(value)[:VALUE_CHARS]
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()[:VALUE_CHARS]
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return sorted(str(plain(item)) for item in value)
    return str(value)[:VALUE_CHARS]


def _form_value(form, name: str, value):
    """A foreign key's initial value is its id: show the object as the new value is shown."""
    field = form.fields.get(name)
    if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
        if value not in (None, "") and not isinstance(value, models.Model):
            value = field.queryset.filter(pk=value).first() or value
    return plain(value)


def form_changes(form, *, add: bool = False) -> dict:
    """``{field: {"old": ..., "new": ...}}`` for what the form changed (every field when adding)."""
    names = [name for name in form.fields if name in form.cleaned_data] if add else form.changed_data
    changes = {}
    for name in names:
        if is_secret(name):
            changes[name] = {"changed": True}
        elif add:
            changes[name] = {"new": _form_value(form, name, form.cleaned_data.get(name))}
        else:
            changes[name] = {
                "old": _form_value(form, name, form.initial.get(name)),
                "new": _form_value(form, name, form.cleaned_data.get(name)),
            }
    return changes


def formset_changes(formset) -> list[dict]:
    """Rows an inline formset added, changed or deleted (read after it was saved)."""
    label = formset.model._meta.label
    form_of = {id(form.instance): form for form in formset.forms}
    rows = []
    for obj in getattr(formset, "new_objects", []):
        form = form_of.get(id(obj))
        rows.append({"model": label, "id": obj.pk, "added": form_changes(form, add=True) if form else str(obj)})
    for obj, _names in getattr(formset, "changed_objects", []):
        form = form_of.get(id(obj))
        rows.append({"model": label, "id": obj.pk, "object": str(obj), "changes": form_changes(form) if form else {}})
    for obj in getattr(formset, "deleted_objects", []):
        rows.append({"model": label, "deleted": str(obj)})
    return rows


def object_values(obj) -> dict:
    """What a deleted object held (its secrets excepted)."""
    values = {}
    for field in obj._meta.concrete_fields:
        if not is_secret(field.name) and not is_secret(field.attname):
            values[field.name] = plain(field.value_from_object(obj))
    return values


def _fields_from_message(message) -> dict:
    """The changed fields named by Django's change message, when no form said more."""
    names = []
    for part in message if isinstance(message, list) else []:
        changed = part.get("changed")
        if changed and "name" not in changed:  # "name": an inline's row, not the object itself
            names += changed.get("fields", [])
    return {str(name): {"changed": True} for name in names}


# Where construct_change_message leaves what it read for the log_addition / log_change that follow.
PENDING = "audited_admin_change"


class AuditedModelAdmin(admin.ModelAdmin):
    """Writes an audit event for every addition, change, deletion and action of this admin.

    An admin whose saves and deletions go through the services of its domain (which write their own,
    richer events) sets ``audited_by_services = True``: one event per change, not two. Its actions are
    still audited here. (Read with getattr: this class comes first among the bases at registration.)
    """

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        inlines = [row for formset in formsets or [] for row in formset_changes(formset)]
        setattr(request, PENDING, {"fields": form_changes(form, add=add), "inlines": inlines})
        return message

    def _audit(self, request, action: str, obj, message=None) -> None:
        detail = request.__dict__.pop(PENDING, None) or {"fields": _fields_from_message(message)}
        if getattr(self, "audited_by_services", False):
            return
        if action == "admin.change" and set(detail["fields"]) == {"password"} and not detail.get("inlines"):
            action = "admin.password_change"
        ip = client_ip(request)
        audit_record(actor=request.user, action=action, target=obj, ip=ip, via="admin", model=obj._meta.label, **detail)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._audit(request, "admin.add", obj, message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._audit(request, "admin.change", obj, message)
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in [] if getattr(self, "audited_by_services", False) else queryset:
            audit_record(
                actor=request.user,
                action="admin.delete",
                target=obj,
                ip=client_ip(request),
                via="admin",
                model=obj._meta.label,
                fields=object_values(obj),
            )
        return entries

    def get_actions(self, request):
        # delete_selected is left as it is: its deletions pass through log_deletions.
        return {
            key: (func if name == "delete_selected" else self._audited_action(name, func), name, description)
            for key, (func, name, description) in super().get_actions(request).items()
        }

    def _audited_action(self, name: str, func):
        def run(modeladmin, request, queryset):
            ids = [str(pk) for pk in queryset.values_list("pk", flat=True)[: ACTION_IDS + 1]]
            audit_record(
                actor=request.user,
                action="admin.action",
                ip=client_ip(request),
                via="admin",
                model=modeladmin.model._meta.label,
                name=name,
                ids=ids[:ACTION_IDS],
                count=len(ids) if len(ids) <= ACTION_IDS else queryset.count(),
            )
            return func(modeladmin, request, queryset)

        for attribute in ("allowed_permissions", "short_description"):
            if hasattr(func, attribute):
                setattr(run, attribute, getattr(func, attribute))
        return run


class AuditedAdminSite(admin.AdminSite):
    """The default admin site: every registration audited, no login of its own."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedModelAdmin):
            admin_class = type(
                admin_class.__name__,
                (AuditedModelAdmin, admin_class),
                {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request):
        # The second-factor middleware already keeps unverified sessions out; this holds without it.
        is_verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and callable(is_verified) and is_verified()

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """The application's login (password, then second factor), keeping where the admin was going."""
        if request.method == "POST":
            audit_record(
                actor=None,
                action="login.admin_form_refused",
                ip=client_ip(request),
                username=request.POST.get("username", "")[:150],
            )
        target = request.GET.get("next") or request.POST.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, settings.LOGIN_URL)

    def logout(self, request, extra_context=None):
        if request.method == "POST" and request.user.is_authenticated:
            audit_record(actor=request.user, action="logout", ip=client_ip(request), via="admin")
        return super().logout(request, extra_context)

    def password_change(self, request, extra_context=None):
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            audit_record(
                actor=request.user,
                action="admin.password_change",
                target=request.user,
                ip=client_ip(request),
                via="admin",
                model=request.user._meta.label,
                fields={"password": {"changed": True}},
                own=True,
            )
        return response
