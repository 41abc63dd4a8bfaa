"""Whatever is changed in the Django admin is an audit event saying what changed, secrets excepted;
the admin's own login page is closed: it sends to the application's login and its second factor."""

import json

from django.contrib import admin as django_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.admin_site import AuditedAdminSite, AuditedModelAdmin, is_secret
from audit.models import AuditEvent
from hashing.models import CategoryScheme, CategoryValue
from tests.admin_forms import admin_form_data
from tests.factories import PASSWORD

User = get_user_model()


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_making_someone_superuser_and_admin_in_the_admin_is_audited_with_old_and_new_values(client, admin, colleague):
    client.force_login(admin)
    page = client.get(change_url(colleague))
    groups = [str(Group.objects.get(name=name).pk) for name in ("investigator", "admin")]
    response = client.post(change_url(colleague), admin_form_data(page, is_superuser="on", groups=groups))
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_superuser  # the change went through
    event = AuditEvent.objects.get(action="admin.change", target_id=str(colleague.pk), actor=admin)
    assert event.detail["model"] == "auth.User" and event.detail["via"] == "admin"
    assert event.detail["fields"]["is_superuser"] == {"old": False, "new": True}
    assert event.detail["fields"]["groups"] == {"old": ["investigator"], "new": ["admin", "investigator"]}
    assert "first_name" not in event.detail["fields"]  # only what changed


def test_a_password_set_in_the_admin_is_audited_but_neither_it_nor_its_hash_is_recorded(client, admin, colleague):
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[colleague.pk])
    new_password = "a brand new passphrase 42"
    response = client.post(url, {"password1": new_password, "password2": new_password, "set-password": "1"})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.check_password(new_password)
    event = AuditEvent.objects.get(action="admin.password_change", target_id=str(colleague.pk), actor=admin)
    assert event.detail["fields"] == {"password": {"changed": True}}
    recorded = json.dumps(event.detail)
    assert new_password not in recorded and colleague.password not in recorded
    assert colleague.password.split("$")[-1] not in recorded


def test_a_user_added_in_the_admin_is_audited_without_the_password_given(client, admin):
    client.force_login(admin)
    url = reverse("admin:auth_user_add")
    password = "the new user's first passphrase"
    form = admin_form_data(client.get(url), username="newcomer", password1=password, password2=password)
    form["usable_password"] = "true"
    assert client.post(url, form).status_code == 302
    event = AuditEvent.objects.get(action="admin.add", target_type="auth.user", actor=admin)
    assert event.detail["fields"]["username"] == {"new": "newcomer"}  # control: plain fields are kept
    assert event.detail["fields"]["password1"] == {"changed": True}
    recorded = json.dumps(event.detail)
    assert password not in recorded and User.objects.get(username="newcomer").password not in recorded


def test_no_admin_reads_a_users_second_factor_secret(client, admin, colleague):
    TOTPDevice.objects.create(user=colleague, name="phone", confirmed=True)
    client.force_login(admin)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200  # control
    for name in ("key", "bin_key", "token", "password", "password2", "secret", "digest"):
        assert is_secret(name), name
    assert not is_secret("is_alert") and not is_secret("name")


def test_a_category_made_to_alert_in_the_admin_is_audited(client, admin):
    scheme = CategoryScheme.objects.create(code="local", name="Local scheme")
    category = CategoryValue.objects.create(scheme=scheme, code="X", label="Drawings", is_alert=False)
    client.force_login(admin)
    page = client.get(change_url(scheme))
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    response = client.post(change_url(scheme), admin_form_data(page, **{f"{prefix}-0-is_alert": "on"}))
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.is_alert
    event = AuditEvent.objects.get(action="admin.change", target_type="hashing.categoryscheme", actor=admin)
    assert event.detail["fields"] == {}
    assert event.detail["inlines"] == [
        {
            "model": "hashing.CategoryValue",
            "id": category.pk,
            "object": str(category),
            "changes": {"is_alert": {"old": False, "new": True}},
        }
    ]


def test_additions_deletions_and_actions_in_the_admin_are_audited(client, admin, colleague):
    client.force_login(admin)
    page = client.get(reverse("admin:auth_group_add"))
    assert client.post(reverse("admin:auth_group_add"), admin_form_data(page, name="night shift")).status_code == 302
    group = Group.objects.get(name="night shift")
    added = AuditEvent.objects.get(action="admin.add", target_id=str(group.pk), target_type="auth.group")
    assert added.detail["fields"]["name"] == {"new": "night shift"}
    assert client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}).status_code == 302
    assert not Group.objects.filter(name="night shift").exists()
    deleted = AuditEvent.objects.get(action="admin.delete", target_type="auth.group", actor=admin)
    assert deleted.detail["fields"]["name"] == "night shift"
    response = client.post(
        reverse("admin:auth_user_changelist"), {"action": "revoke_second_factors", "_selected_action": [colleague.pk]}
    )
    assert response.status_code == 302
    action = AuditEvent.objects.get(action="admin.action", actor=admin)
    assert action.detail["name"] == "revoke_second_factors" and action.detail["ids"] == [str(colleague.pk)]
    assert AuditEvent.objects.filter(action="two_factor.revoke", target_id=str(colleague.pk)).exists()


def test_every_admin_registration_is_audited_whoever_registers_it():
    assert isinstance(django_admin.site, AuditedAdminSite)
    unaudited = [
        model
        for model, model_admin in django_admin.site._registry.items()
        if not isinstance(model_admin, AuditedModelAdmin)
    ]
    assert unaudited == []
    site = AuditedAdminSite(name="probe")
    site.register(CategoryScheme)  # a plain registration, as a third-party app writes it
    assert isinstance(site._registry[CategoryScheme], AuditedModelAdmin)


def test_the_admin_login_page_sends_to_the_applications_login_and_logs_nobody_in(admin):
    browser = Client()
    response = browser.get(reverse("admin:login") + "?next=/admin/auth/user/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/auth/user/"
    attempt = browser.post(reverse("admin:login"), {"username": "admin", "password": PASSWORD, "next": "/admin/"})
    assert attempt.status_code == 302 and attempt["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in browser.session
    assert AuditEvent.objects.filter(action="login.admin_form_refused", detail__username="admin").exists()
    # Control: the application's login takes the same password, and asks for the second factor next.
    assert browser.post(reverse("login"), {"username": "admin", "password": PASSWORD}).status_code == 302
    assert browser.get(reverse("admin:index"))["Location"].startswith(reverse("two_factor_setup"))


def test_the_admin_opens_only_to_a_session_verified_by_a_second_factor(client, admin):
    unverified = Client()
    unverified.force_login(admin)
    assert unverified.get(reverse("admin:index")).status_code == 302
    client.force_login(admin)
    assert client.get(reverse("admin:index")).status_code == 200  # control


def test_an_admins_own_password_change_and_logout_in_the_admin_are_audited(client, admin):
    client.force_login(admin)
    new_password = "the admin's next passphrase 9"
    form = {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password}
    assert client.post(reverse("admin:password_change"), form).status_code == 302
    event = AuditEvent.objects.get(action="admin.password_change", actor=admin, target_id=str(admin.pk))
    assert event.detail["own"] is True and new_password not in json.dumps(event.detail)
    assert client.post(reverse("admin:logout"))["Location"] == reverse("login")
    assert AuditEvent.objects.filter(action="logout", actor=admin, detail__via="admin").exists()
