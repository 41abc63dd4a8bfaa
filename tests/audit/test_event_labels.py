"""Audit events name files, uploads and suspects: every page that lists them applies the need-to-know
of the object they name (issue 18, item 5). Job errors: tests/evidence/test_job_errors.py, the API's
in tests/api/test_job_errors.py, the court report's in tests/reports/test_report_labels.py."""

from django.urls import reverse

from audit.services import audit_record
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from tests.factories import make_dossier, make_exhibit

SECRET_PATH = "SC-1/holiday/secret-name-0001.jpg"
SECRET_UPLOAD = "secret-upload-of-the-suspect.zip"


def file_events(dossier, by, *, path=SECRET_PATH, seal="SC-1"):
    """An upload ingested and one of its files looked at, in ``dossier``, as the services audit them."""
    exhibit = make_exhibit(dossier, seal_number=seal, by=by)
    job = IngestJob.objects.create(exhibit=exhibit, source_label=f"upload: {SECRET_UPLOAD}", created_by=by)
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    evidence_file = EvidenceFile.objects.create(
        exhibit=exhibit, job=job, batch=batch, path=path, source_path="/nonexistent", triage="new_image"
    )
    audit_record(actor=by, action="ingest.create", target=job, uploads=[{"name": SECRET_UPLOAD, "size": 10}])
    audit_record(actor=by, action="review.categorise", target=evidence_file, before="", after="1")
    return evidence_file


def test_an_admin_reads_no_name_of_a_dossier_they_are_not_on_in_the_audit_log(client, admin, owner, dossier):
    evidence_file = file_events(dossier, owner)
    audit_record(actor=None, action="ingest.done", target=evidence_file.job, files=3, errors=1)
    client.force_login(admin)
    page = client.get(reverse("audit_log")).content.decode()
    assert SECRET_PATH not in page and SECRET_UPLOAD not in page
    # What happened, when and by whom still reads: only the names are masked.
    assert "review.categorise" in page and "ingest.create" in page and "owner" in page
    assert f"evidence.evidencefile #{evidence_file.pk}" in page
    assert "hidden: dossier you are not a member of" in page
    assert "&#x27;uploads&#x27;: &#x27;(hidden)&#x27;" in page
    assert "&#x27;files&#x27;: 3, &#x27;errors&#x27;: 1" in page  # counts stay
    # A search on the hidden name finds nothing either (no oracle).
    searched = client.get(reverse("audit_log"), {"q": "secret-name"}).content.decode()
    assert "review.categorise" not in searched and "No event matches." in searched


def test_an_admin_reads_the_names_of_their_own_dossier_and_of_events_outside_dossiers(client, admin, owner, dossier):
    file_events(dossier, owner)
    own_dossier = make_dossier(admin, notice_number="BR.52.L1.000009/26", title="The admin's own dossier")
    file_events(own_dossier, admin, path="SC-9/own/visible-name.jpg", seal="SC-9")
    audit_record(actor=admin, action="two_factor.revoke", target=owner)
    client.force_login(admin)
    page = client.get(reverse("audit_log")).content.decode()
    assert "SC-9/own/visible-name.jpg" in page and SECRET_UPLOAD in page  # the upload of their own dossier
    assert "two_factor.revoke" in page and "<td>owner</td>" in page
    assert SECRET_PATH not in page
    searched = client.get(reverse("audit_log"), {"q": "visible-name"}).content.decode()
    assert "SC-9/own/visible-name.jpg" in searched


def test_a_read_only_member_reads_no_path_in_recent_activity(client, owner, colleague):
    # The colleague investigates elsewhere but reads this dossier only (the prosecutor's role here).
    read_only = make_dossier(owner, notice_number="BR.52.L1.000003/26", prosecutor=colleague)
    file_events(read_only, owner)
    client.force_login(colleague)
    page = client.get(reverse("home")).content.decode()
    assert "Recent activity" in page and "review.categorise" in page
    assert SECRET_PATH not in page and SECRET_UPLOAD not in page
    assert "hidden: file names are for the investigating team" in page


def test_the_owner_reads_the_paths_in_recent_activity_and_in_the_dossier_audit_tab(client, owner, dossier):
    file_events(dossier, owner)
    client.force_login(owner)
    home = client.get(reverse("home")).content.decode()
    assert SECRET_PATH in home and SECRET_UPLOAD in home
    assert "hidden:" not in home
    tab = client.get(reverse("dossier_audit", args=[dossier.pk])).content.decode()
    assert SECRET_PATH in tab and SECRET_UPLOAD in tab  # the detail's upload names too
    searched = client.get(reverse("dossier_audit", args=[dossier.pk]), {"q": "categorise"}).content.decode()
    assert SECRET_PATH in searched and "ingest.create" not in searched


def test_a_prosecutor_reads_the_names_that_are_not_files_in_recent_activity(client, owner, colleague):
    read_only = make_dossier(owner, notice_number="BR.52.L1.000003/26", prosecutor=colleague)
    exhibit = make_exhibit(read_only, seal_number="SC-77", by=owner)
    audit_record(actor=owner, action="exhibit.register", target=exhibit)
    client.force_login(colleague)
    page = client.get(reverse("home")).content.decode()
    assert "SC-77 (USB key)" in page


def test_the_django_admin_does_not_list_the_audit_log(client, admin, owner, dossier):
    file_events(dossier, owner)
    client.force_login(admin)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200  # control: the admin site opens
    assert client.get("/admin/audit/auditevent/").status_code == 404
    assert SECRET_PATH not in client.get(reverse("admin:index")).content.decode()
