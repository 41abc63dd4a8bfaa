import re

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import PASSWORD


def test_logins_are_logged_whether_they_succeed_or_fail(client, owner):
    client.post(reverse("login"), {"username": "owner", "password": "wrong"})
    client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_name", "detail"))
    assert actions == [
        ("login.failure", "", {"username": "owner", "locked_out": False}),
        ("login.success", "owner", {}),
    ]


def without_tokens(page: bytes) -> bytes:
    return re.sub(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', b"", page)


def test_a_failed_login_says_nothing_about_whether_the_user_exists(client, owner):
    known = client.post(reverse("login"), {"username": "owner", "password": "wrong"})
    unknown = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(known.content).replace(b"owner", b"nobody") == without_tokens(unknown.content)
    assert b"Please enter a correct username and password" in known.content


def test_every_view_of_a_file_page_is_logged(client, owner, colleague, evidence_file):
    client.force_login(owner)
    client.get(reverse("file_detail", args=[evidence_file.pk]))
    client.get(reverse("file_detail", args=[evidence_file.pk]))
    client.force_login(colleague)
    client.get(reverse("file_detail", args=[evidence_file.pk]))
    views = AuditEvent.objects.filter(action="file.view", target_id=str(evidence_file.pk))
    assert sorted(views.values_list("actor_name", flat=True)) == ["colleague", "owner", "owner"]
    assert {event.dossier_id for event in views} == {evidence_file.exhibit.dossier_id}


@pytest.mark.django_db
def test_the_model_refuses_to_change_or_delete_an_event(owner):
    event = audit_record(actor=owner, action="test")
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.postgresql(reason="the triggers exist on PostgreSQL only")
def test_postgresql_refuses_update_and_delete_even_in_raw_sql(owner):
    from django.db import DataError, InternalError, ProgrammingError, transaction

    event = audit_record(actor=owner, action="test")
    for statement in (
        "UPDATE audit_auditevent SET action = 'edited' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises((InternalError, DataError, ProgrammingError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [event.pk])
    with connection.cursor() as cursor:  # control: inserting is allowed
        cursor.execute("SELECT count(*) FROM audit_auditevent WHERE action = 'test'")
        assert cursor.fetchone() == (1,)
    assert AuditEvent.objects.get(pk=event.pk).action == "test"


def test_only_admins_read_the_audit_log(client, owner, admin):
    audit_record(actor=owner, action="dossier.create")
    client.force_login(owner)
    assert client.get(reverse("audit_log")).status_code == 403
    client.force_login(admin)
    response = client.get(reverse("audit_log"), {"action": "dossier"})
    assert response.status_code == 200 and b"dossier.create" in response.content
