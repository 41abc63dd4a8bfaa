"""Sharing: VICS 2.0 and ICSE exports (hashes only, audited, step-up), and the local alert list."""

import hashlib
import io
import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile
from evidence.review.sharing import LOCAL_ALERT_LIST, local_alert_list_extend
from evidence.triage.matching import rematch_after_activation
from hashing.importers import hash_list_version_import
from hashing.listformats import detect_format
from hashing.models import HashEntry, HashList
from hashing.services import hash_list_version_create
from hashing.vics_export import VICS_CONTEXT, icse_bytes, vics_document
from tests.accounts.test_step_up import age_second_factor
from tests.evidence.review_data import write_material
from tests.evidence.test_ingest import run_inline
from tests.factories import make_exhibit, make_hash_list, stored_digests

pytestmark = pytest.mark.django_db


@pytest.fixture
def categorised(exhibit, owner, colleague, admin, tmp_path, settings):
    """Ingested material: one photo known from a list, a reviewed series (alert) and a reviewed non-pertinent photo."""
    settings.DERIVED_ROOT = tmp_path / "derived"
    files = write_material(tmp_path / "seized", single_seeds=(42, 43), video=False)
    make_hash_list("Alerts", [hashlib.sha256(files["photo42.jpg"]).hexdigest()], by=admin, category="2")
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "seized", by=owner, queue=False))
    from evidence.review.services import files_categorise

    series = EvidenceFile.objects.filter(path__contains="/series/")
    files_categorise(files=series, dossier=exhibit.dossier, scheme="vics", category="1", series="Beach", by=colleague)
    files_categorise(
        files=EvidenceFile.objects.filter(path__endswith="photo43.jpg"),
        dossier=exhibit.dossier,
        scheme="vics",
        category="0",
        by=colleague,
    )
    return files


def known_files():
    return EvidenceFile.objects.filter(triage="known").order_by("id")


def import_as_list(content: bytes, name: str, admin):
    version = hash_list_version_create(
        name=name, kind="alert", stream=io.BytesIO(content), file_name="shared", by=admin
    )
    return hash_list_version_import(version=version)


def entries_of(version) -> set[tuple[str, str, str, str]]:
    return {
        (HashEntry.NAMES[e.algorithm], bytes(e.value).hex(), e.category, e.series) for e in version.hash_entries.all()
    }


def expected_entries(files, with_series=True) -> set[tuple[str, str, str, str]]:
    expected = set()
    for f in files:
        for algorithm in ("md5", "sha1", "sha256", "phash", "pdq"):
            expected.add((algorithm, f.hex(algorithm), f.match_category, f.review_series if with_series else ""))
    return expected


def test_the_vics_export_reimports_as_a_new_list_with_identical_hashes(client, colleague, admin, dossier, categorised):
    client.force_login(colleague)
    response = client.get(reverse("export_vics", args=[dossier.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["@odata.context"] == VICS_CONTEXT and document["@odata.context"].endswith("$metadata#Cases")
    media = document["value"][0]["Media"]
    assert len(media) == 4  # the listed photo and the three reviewed series images; not the non-pertinent one
    assert {m["Category"] for m in media} == {1, 2}
    assert {m["IsPrecategorized"] for m in media if m["Category"] == 2} == {True}
    assert {m.get("Series") for m in media if m["Category"] == 1} == {"Beach"}
    # No image, no file name, no path: hashes only.
    text = response.content.decode()
    assert "seized" not in text and ".jpg" not in text and "FileName" not in text
    assert detect_format(response.content[:4096]) == "vics"
    version = import_as_list(response.content, "Shared by BR", admin)
    assert version.status == "ready" and version.malformed == 0
    assert entries_of(version) == expected_entries(known_files())
    event = AuditEvent.objects.get(action="export.vics")
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest() and event.detail["files"] == 4


def test_vics_document_is_usable_outside_ingested_files():
    class Shared:  # a file shared in a chat, say: any object with the attributes
        md5, sha1, sha256 = b"\x01" * 16, b"\x02" * 20, b"\x03" * 32
        phash = pdq = None
        size, mime = 10, "image/jpeg"
        match_category, match_algorithm, review_category, review_series = "", "", "1", ""

    document = vics_document([Shared()], case_id="{ABC}")
    media = document["value"][0]["Media"][0]
    assert media["MD5"] == "01" * 16 and media["Category"] == 1 and media["IsPrecategorized"] is False
    assert media["AlternativeHashes"] == [{"HashName": "SHA256", "HashValue": "03" * 32}]
    assert icse_bytes([Shared()]).decode().splitlines()[1].startswith("0101")


def test_the_icse_export_reimports_with_identical_md5_and_sha1(client, colleague, admin, dossier, categorised):
    client.force_login(colleague)
    response = client.get(reverse("export_icse", args=[dossier.pk]))
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("MD5;SHA1;PhotoDNA;Image ID") and len(lines) == 5
    version = import_as_list(response.content, "ICSE shared", admin)
    expected = {(a, f.hex(a)) for f in known_files() for a in ("md5", "sha1")}
    assert {(name, value) for name, value, _, _ in entries_of(version)} == expected
    assert AuditEvent.objects.get(action="export.icse").detail["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_an_exhibit_export_holds_that_exhibit_only(client, colleague, owner, dossier, exhibit, categorised):
    empty = make_exhibit(dossier, seal_number="SC-2", by=owner)
    client.force_login(colleague)
    url = reverse("export_vics", args=[dossier.pk])
    assert len(json.loads(client.get(url, {"exhibit": exhibit.pk}).content)["value"][0]["Media"]) == 4
    assert json.loads(client.get(url, {"exhibit": empty.pk}).content)["value"][0]["Media"] == []


def test_exports_need_a_recent_second_factor_and_membership(
    client, colleague, prosecutor, outsider, dossier, categorised
):
    url = reverse("export_vics", args=[dossier.pk])
    client.force_login(colleague)
    assert client.get(url).status_code == 200  # control
    age_second_factor(client, 3600)
    response = client.get(url)
    assert response.status_code == 302 and "step_up=1" in response["Location"]
    for person, status in ((prosecutor, 403), (outsider, 404)):
        client.force_login(person)
        assert client.get(url).status_code == status
    assert AuditEvent.objects.filter(action="export.vics").count() == 1


def test_reviewed_material_goes_to_a_new_local_list_version_and_the_next_dossier_knows_it(
    client, colleague, outsider, admin, dossier, other_dossier, categorised, tmp_path
):
    # A first version of the local list already holds one hash: it is kept.
    first = make_hash_list(LOCAL_ALERT_LIST, ["ab" * 16], by=admin, category="1")
    client.force_login(colleague)
    response = client.post(reverse("review_alert_list", args=[dossier.pk]), {"next": "/"})
    assert response.status_code == 302
    hash_list = HashList.objects.get(name=LOCAL_ALERT_LIST)
    version = hash_list.versions.exclude(pk=first.pk).get()
    assert AuditEvent.objects.filter(action="review.alert_list", actor=colleague).exists()
    hash_list_version_import(version=version)  # what the worker does; it activates the version
    version.refresh_from_db()
    assert version.is_active and version.malformed == 0
    reviewed = EvidenceFile.objects.filter(triage="known", reviewed_at__isnull=False)
    assert entries_of(version) == expected_entries(reviewed)
    assert "ab" * 16 in stored_digests(version)  # the first version's bare digest, kept as one
    # The same series ingested in another dossier is known at once, with its category.
    exhibit = make_exhibit(other_dossier, seal_number="SC-7", by=outsider)
    write_material(tmp_path / "again", single_seeds=(), video=False)
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "again", by=outsider, queue=False))
    again = EvidenceFile.objects.filter(exhibit=exhibit, path__contains="/series/")
    assert {(f.triage, f.match_category, f.match_list_id) for f in again} == {("known", "1", hash_list.pk)}
    # Files ingested before the activation are matched again by it.
    assert rematch_after_activation(version=version, previous_id=first.pk) is not None


def test_adding_to_the_local_list_needs_an_investigator_of_the_dossier(
    client, prosecutor, outsider, colleague, dossier, categorised
):
    url = reverse("review_alert_list", args=[dossier.pk])
    for person, status in ((prosecutor, 403), (outsider, 404)):
        client.force_login(person)
        assert client.post(url).status_code == status
    assert not HashList.objects.filter(name=LOCAL_ALERT_LIST).exists()
    client.force_login(colleague)
    assert client.post(url).status_code == 302  # control
    assert HashList.objects.filter(name=LOCAL_ALERT_LIST).exists()


def test_the_next_local_list_keeps_the_bare_digests_of_the_active_one(admin, colleague, dossier, categorised):
    """A plain list under the local list's name is stored in digest blocks: its digests still carry over."""
    bare = [hashlib.md5(str(n).encode()).hexdigest() for n in range(5)]
    first = import_as_list(("\n".join(bare) + "\n").encode(), LOCAL_ALERT_LIST, admin)
    assert first.status == "ready" and first.digest_blocks.exists()
    version = hash_list_version_import(version=local_alert_list_extend(dossier=dossier, by=colleague, queue=False))
    reviewed = EvidenceFile.objects.filter(triage="known", reviewed_at__isnull=False)
    assert version.is_active and version.adds_to_active and version.removed == 0
    assert set(bare) | {f.md5_hex for f in reviewed} <= set(stored_digests(version))
    assert entries_of(version) == expected_entries(reviewed)
