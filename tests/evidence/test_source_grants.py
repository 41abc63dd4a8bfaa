"""Evidence folders are tied to dossiers: a folder is granted to a dossier before its members see it.

Each refusal has its control: the same person, on a folder granted to their own dossier, succeeds.
"""

import io
import os
from contextlib import redirect_stdout

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from cases.models import Dossier
from demo.loader import DEMO_NOTICE, demo_load
from evidence.ingest.server_paths import MissingSource, NotGranted, OutsideSources, resolve_granted
from evidence.ingest.source_grants import source_folders_for, source_grant_revoke
from evidence.models import IngestJob, SourceGrant
from tests.factories import grant_folder, make_exhibit


@pytest.fixture
def evidence_server(tmp_path, settings, dossier, other_dossier, admin):
    """case-A is granted to the dossier, case-B to someone else's, case-C to nobody."""
    root = tmp_path / "sources"
    for case in ("case-A", "case-B", "case-C"):
        (root / case / "usb").mkdir(parents=True)
        (root / case / "usb" / f"{case}-photo.jpg").write_bytes(b"jpeg")
    os.symlink(root / "case-B" / "usb", root / "case-A" / "link-to-B")
    settings.EVIDENCE_SOURCES = [root]
    grant_folder(dossier, "case-A", by=admin)
    grant_folder(other_dossier, "case-B", by=admin)
    return root


def ingest_server_url(exhibit):
    return reverse("exhibit_ingest_server", args=[exhibit.pk])


@pytest.mark.parametrize("path", ["case-B", "case-B/usb", "case-B/usb/case-B-photo.jpg", "case-C", "case-A/link-to-B"])
def test_an_investigator_cannot_list_or_ingest_a_folder_not_granted_to_their_dossier(
    client, owner, exhibit, evidence_server, path
):
    client.force_login(owner)
    url = ingest_server_url(exhibit)
    assert client.get(url, {"root": 0, "path": path}).status_code == 404
    assert client.post(url, {"root": 0, "path": path}).status_code == 404
    assert not IngestJob.objects.exists()
    refused = AuditEvent.objects.filter(action="ingest.refused_path", actor=owner)
    assert [event.detail["path"] for event in refused] == [path, path]
    # Control: the folder granted to the dossier is listed and ingested.
    page = client.get(url, {"root": 0, "path": "case-A"})
    assert page.status_code == 200 and "usb/" in page.content.decode()
    assert client.post(url, {"root": 0, "path": "case-A/usb"}).status_code == 302
    assert IngestJob.objects.get().sources.get().path == str((evidence_server / "case-A" / "usb").resolve())


def test_a_path_outside_the_grants_gets_the_same_404_whether_it_exists_or_not(client, owner, exhibit, evidence_server):
    client.force_login(owner)
    url = ingest_server_url(exhibit)
    assert client.get(url, {"path": "case-B/usb"}).status_code == 404
    assert client.get(url, {"path": "case-B/nothing-here"}).status_code == 404
    # Control: inside the grant, a missing path is said to be missing.
    response = client.get(url, {"path": "case-A/nothing-here"}, follow=True)
    assert response.status_code == 200 and b"No such file or folder in the evidence source" in response.content


def test_the_listing_shows_only_the_folders_granted_to_the_dossier(
    client, owner, other_dossier, exhibit, evidence_server
):
    client.force_login(owner)
    page = client.get(ingest_server_url(exhibit)).content.decode()
    assert "case-A/" in page
    assert "case-B" not in page and "case-C" not in page
    # Inside a granted folder there is no way up to the evidence source's other folders.
    page = client.get(ingest_server_url(exhibit), {"path": "case-A"}).content.decode()
    assert "↑ .." not in page and "case-B" not in page
    assert "↑ .." in client.get(ingest_server_url(exhibit), {"path": "case-A/usb"}).content.decode()


def test_someone_else_s_investigator_sees_their_folder_and_not_ours(client, outsider, other_dossier, evidence_server):
    other_exhibit = make_exhibit(other_dossier, seal_number="SC-B", by=outsider)
    client.force_login(outsider)
    page = client.get(ingest_server_url(other_exhibit)).content.decode()
    assert "case-B/" in page and "case-A" not in page
    assert client.get(ingest_server_url(other_exhibit), {"path": "case-A"}).status_code == 404


def test_browsing_a_folder_writes_an_audit_event(client, owner, dossier, exhibit, evidence_server):
    client.force_login(owner)
    assert client.get(ingest_server_url(exhibit), {"path": "case-A/usb"}).status_code == 200
    event = AuditEvent.objects.get(action="source.browse")
    assert (event.actor, event.dossier, event.target_id) == (owner, dossier, str(exhibit.pk))
    assert event.detail == {"root": str(evidence_server), "folder": "case-A/usb"}


def test_a_revoked_grant_closes_the_folder(client, owner, dossier, exhibit, evidence_server, admin):
    client.force_login(owner)
    url = ingest_server_url(exhibit)
    assert client.get(url, {"path": "case-A"}).status_code == 200  # control
    source_grant_revoke(grant=SourceGrant.objects.get(dossier=dossier), by=admin)
    assert client.get(url, {"path": "case-A"}).status_code == 404
    assert "case-A" not in client.get(url).content.decode()
    assert AuditEvent.objects.filter(action="source.revoke", actor=admin).count() == 1


def test_a_folder_granted_to_two_dossiers_is_open_to_both(
    client, owner, outsider, other_dossier, exhibit, admin, evidence_server
):
    grant_folder(other_dossier, "case-A", by=admin)
    other_exhibit = make_exhibit(other_dossier, seal_number="SC-B", by=outsider)
    for user, target in ((owner, exhibit), (outsider, other_exhibit)):
        client.force_login(user)
        assert client.get(ingest_server_url(target), {"path": "case-A"}).status_code == 200


def test_prosecutors_and_non_members_reach_no_folder(owner, prosecutor, outsider, dossier, evidence_server):
    assert [folder.folder for folder in source_folders_for(owner, dossier)] == ["case-A"]  # control
    assert source_folders_for(prosecutor, dossier) == []
    assert source_folders_for(outsider, dossier) == []


def test_no_answer_tells_what_lies_outside_the_grants(evidence_server):
    granted = [(evidence_server / "case-A").resolve()]
    for path in ("case-B", "case-B/missing", "case-C/usb", "case-A/link-to-B", "case-A/link-to-B/case-B-photo.jpg"):
        with pytest.raises(NotGranted):
            resolve_granted([evidence_server], 0, path, granted)
    with pytest.raises(OutsideSources) as refused:
        resolve_granted([evidence_server], 0, "../../etc", granted)
    assert not isinstance(refused.value, NotGranted)
    with pytest.raises(MissingSource):
        resolve_granted([evidence_server], 0, "case-A/missing", granted)
    assert resolve_granted([evidence_server], 0, "case-A/usb", granted) == granted[0] / "usb"


# The admins' page


def test_an_admin_grants_a_folder_to_a_dossier_and_it_is_audited(
    client, admin, owner, dossier, exhibit, evidence_server
):
    client.force_login(admin)
    url = reverse("source_grants")
    response = client.post(url, {"notice_number": dossier.notice_number, "root": 0, "folder": "case-C/usb"})
    assert response.status_code == 302
    grant = SourceGrant.objects.get(folder="case-C/usb")
    assert (grant.dossier, grant.granted_by, grant.root) == (dossier, admin, str(evidence_server))
    event = AuditEvent.objects.get(action="source.grant", target_id=str(grant.pk))
    assert event.dossier == dossier and event.detail["folder"] == "case-C/usb"
    assert "case-C/usb" in client.get(url).content.decode()
    client.force_login(owner)
    assert client.get(ingest_server_url(exhibit), {"path": "case-C/usb"}).status_code == 200


def test_an_investigator_cannot_grant_themselves_a_folder(client, owner, dossier, evidence_server):
    client.force_login(owner)
    response = client.post(
        reverse("source_grants"), {"notice_number": dossier.notice_number, "root": 0, "folder": "case-B"}
    )
    assert response.status_code == 403
    assert not SourceGrant.objects.filter(dossier=dossier, folder="case-B").exists()


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        ("", "This field is required."),
        ("/", "not the source itself"),
        ("../outside", "not the source itself"),
        ("case-A/link-to-B", "not a link"),
        ("case-Z", "No such folder"),
        ("case-A", "already granted"),
    ],
)
def test_a_grant_names_a_real_folder_inside_a_source(client, admin, dossier, evidence_server, folder, message):
    client.force_login(admin)
    data = {"notice_number": dossier.notice_number, "root": 0, "folder": folder}
    response = client.post(reverse("source_grants"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert SourceGrant.objects.count() == 2  # the fixture's two
    data["folder"] = "case-C"  # control
    assert client.post(reverse("source_grants"), data).status_code == 302


def test_a_grant_to_an_unknown_notice_number_is_refused(client, admin, dossier, evidence_server):
    client.force_login(admin)
    response = client.post(reverse("source_grants"), {"notice_number": "BR.00.X", "root": 0, "folder": "case-C"})
    assert b"No dossier has this notice number." in response.content
    with pytest.raises(ValidationError):
        grant_folder(dossier, "case-C", by=admin, root_index=3)


def test_an_admin_revokes_a_grant_from_the_page(client, admin, dossier, evidence_server):
    grant = SourceGrant.objects.get(dossier=dossier)
    client.force_login(admin)
    assert client.post(reverse("source_grant_revoke", args=[grant.pk])).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_by == admin and grant.revoked_at is not None
    grant_folder(dossier, "case-A", by=admin)  # control: granted again, as a new row
    assert SourceGrant.objects.filter(dossier=dossier).count() == 2


# The command line: trusted, audited


def test_the_ingest_command_needs_no_grant_and_is_audited(db, dossier, evidence_server):
    def ingest(folder: str) -> AuditEvent:
        with redirect_stdout(io.StringIO()):
            arguments = ["--dossier", dossier.notice_number, "--exhibit", "SC-9"]
            call_command("ingest", str(evidence_server / folder), *arguments)
        return AuditEvent.objects.filter(action="ingest.command_line").latest("id")

    event = ingest("case-C")
    job = IngestJob.objects.get()
    assert event.target_id == str(job.pk) and event.detail["path"] == str((evidence_server / "case-C").resolve())
    assert event.detail["granted"] is False and "os_user" in event.detail and event.detail["host"]
    assert ingest("case-A/usb").detail["granted"] is True  # the event tells a granted folder from another


# The demo that `make run` loads


def test_the_demo_dossier_is_granted_its_seized_media(db, tmp_path, settings, client):
    settings.DERIVED_ROOT = tmp_path / "derived"
    (tmp_path / "demo").mkdir()
    settings.EVIDENCE_SOURCES = [tmp_path / "demo"]
    demo_load(tmp_path)
    dossier = Dossier.objects.get(notice_number=DEMO_NOTICE)
    investigator = dossier.memberships.get(user__username="investigator").user
    assert [folder.folder for folder in source_folders_for(investigator, dossier)] == [
        "SC-2026-0001",
        "SC-2026-0004",
        "SC-2026-0008",
        "SC-2026-0009",
    ]
    client.force_login(investigator)
    exhibit = dossier.exhibits.get(seal_number="SC-2026-0001")
    assert client.get(ingest_server_url(exhibit), {"path": "SC-2026-0001"}).status_code == 200
    assert client.get(ingest_server_url(exhibit), {"path": "demo-alert-list.txt"}).status_code == 404
