"""Activating a list version matches the files already ingested again, in the background."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import EvidenceFile, IngestBatch, IngestJob, RematchNotice
from evidence.synthetic import synthetic_image_bytes
from evidence.triage.matching import rematch_after_activation
from hashing.models import HashListVersion
from tests.factories import make_hash_list, wait_until
from tests.hashing.listdata import digests, vics_1

IMAGES = [synthetic_image_bytes(seed, "JPEG", size=(64, 48)) for seed in range(4)]


def ingested(exhibit, owner, contents) -> list[EvidenceFile]:
    """Files as ingestion leaves them when no list knows them: hashed and new."""
    job = IngestJob.objects.create(exhibit=exhibit, source_label="test", created_by=owner, status="done")
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    files = []
    for number, content in enumerate(contents):
        hexes = digests(content)
        files.append(
            EvidenceFile.objects.create(
                exhibit=exhibit,
                job=job,
                batch=batch,
                path=f"SC-1/img{number}.jpg",
                source_path="/nonexistent",
                size=len(content),
                md5=bytes.fromhex(hexes["md5"]),
                sha1=bytes.fromhex(hexes["sha1"]),
                sha256=bytes.fromhex(hexes["sha256"]),
                mime="image/jpeg",
                phash=bytes(8),  # decoded: an image
                triage="new_image",
                processed_at=timezone.now(),
            )  # fmt: skip
        )
    return files


def triages(files):
    return [EvidenceFile.objects.get(pk=f.pk).triage for f in files]


def test_files_go_from_new_to_known_and_back_when_the_list_changes(admin, exhibit, owner):
    files = ingested(exhibit, owner, IMAGES)
    first = make_hash_list("Alerts", [digests(IMAGES[0])["sha256"], digests(IMAGES[1])["md5"]], by=admin)
    [notice] = rematch_after_activation(version=first, previous_id=None)
    assert triages(files) == ["known", "known", "new_image", "new_image"]
    assert (notice.dossier, notice.files_now_known, notice.files_no_longer_known) == (exhibit.dossier, 2, 0)
    known = EvidenceFile.objects.get(pk=files[0].pk)
    assert (known.match_list, known.match_algorithm, known.match_category) == (first.hash_list, "sha256", "1")
    second = make_hash_list("Alerts", [digests(IMAGES[0])["sha256"]], by=admin)
    [notice] = rematch_after_activation(version=second, previous_id=first.pk)
    assert triages(files) == ["known", "new_image", "new_image", "new_image"]
    assert (notice.files_now_known, notice.files_no_longer_known) == (0, 1)
    assert EvidenceFile.objects.get(pk=files[1].pk).match_list is None


def test_a_non_alert_category_of_the_scheme_makes_a_file_known_good_not_known(admin, exhibit, owner):
    from hashing.models import CategoryScheme

    files = ingested(exhibit, owner, IMAGES[:2])
    version = make_hash_list("Scheme", [digests(IMAGES[0])["md5"], digests(IMAGES[1])["md5"]], by=admin, category="0")
    version.hash_list.scheme = CategoryScheme.objects.get(code="vics")
    version.hash_list.save()
    rematch_after_activation(version=version, previous_id=None)
    assert triages(files) == ["known_good", "known_good"]
    version.hash_list.scheme = None
    version.hash_list.save()
    rematch_after_activation(version=version, previous_id=None)
    assert triages(files) == ["known", "known"]


def test_only_files_holding_a_changed_hash_are_looked_at(admin, exhibit, owner):
    from evidence.triage.matching import changed_file_ids

    files = ingested(exhibit, owner, IMAGES)
    first = make_hash_list("Alerts", [digests(IMAGES[0])["md5"], digests(IMAGES[1])["md5"]], by=admin)
    second = make_hash_list("Alerts", [digests(IMAGES[1])["md5"], digests(IMAGES[2])["md5"]], by=admin)
    assert changed_file_ids(second.pk, first.pk) == [files[0].pk, files[2].pk]


@pytest.mark.django_db(transaction=True)
def test_a_list_imported_through_the_page_rematches_a_dossier_and_its_members_are_told(
    client, admin, owner, outsider, exhibit, celery_worker
):
    files = ingested(exhibit, owner, IMAGES)
    client.force_login(admin)
    upload = io.BytesIO(vics_1([digests(IMAGES[1]), digests(IMAGES[3])]))
    upload.name = "export.json"
    response = client.post(
        reverse("hashlist_import"),
        {"name": "VICS export", "kind": "alert", "source": "National database export", "file": upload},
    )
    preview = client.get(response.url).content.decode()
    assert "Project VIC VICS JSON" in preview and digests(IMAGES[1])["md5"] in preview
    client.post(response.url, {"action": "start"})
    version = HashListVersion.objects.get(hash_list__name="VICS export")
    wait_until(lambda: RematchNotice.objects.filter(version=version).exists())
    assert triages(files) == ["new_image", "known", "new_image", "known"]
    version.refresh_from_db()
    assert (version.source, version.entries, version.is_active) == ("National database export", 7, True)

    client.force_login(owner)
    page = client.get(exhibit.dossier.get_absolute_url()).content.decode()
    assert "2 files of this dossier are now known" in page
    notice = RematchNotice.objects.get(version=version)
    client.force_login(outsider)
    assert client.post(reverse("rematch_notice_seen", args=[notice.pk])).status_code == 404
    client.force_login(owner)
    client.post(reverse("rematch_notice_seen", args=[notice.pk]))
    assert "now known" not in client.get(exhibit.dossier.get_absolute_url()).content.decode()
