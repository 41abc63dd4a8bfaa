import hashlib
import io

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from config.messages import english
from hashing.importers import hash_list_version_import
from hashing.models import HashEntry, HashListVersion
from hashing.services import hash_list_version_create
from tests.factories import make_hash_list, stored_digests, wait_until

MD5S = [hashlib.md5(str(n).encode()).hexdigest() for n in range(5)]


def test_import_counts_entries_duplicates_and_malformed_lines(admin):
    lines = ["# demo", MD5S[0], MD5S[1], MD5S[0].upper(), "xyz", "", MD5S[2]]
    version = make_hash_list("Demo", lines, by=admin)
    assert version.status == HashListVersion.Status.READY
    assert (version.lines_read, version.entries, version.duplicates, version.malformed) == (7, 3, 1, 1)
    assert [[line, english(reason)] for line, reason in version.malformed_sample] == [[5, "not a hexadecimal hash"]]
    assert version.is_active
    assert version.file_sha256_hex == hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_a_new_version_replaces_the_active_one(admin):
    first = make_hash_list("Demo", MD5S[:2], by=admin)
    second = make_hash_list("Demo", MD5S[2:], by=admin)
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    assert HashListVersion.objects.filter(hash_list=first.hash_list, is_active=True).count() == 1


def test_a_file_without_any_hash_fails_and_leaves_the_previous_version_active(admin):
    good = make_hash_list("Demo", MD5S, by=admin)
    version = hash_list_version_create(
        name="Demo", kind="alert", stream=io.BytesIO(b'{"value": []}'), file_name="x.json", by=admin
    )
    version = hash_list_version_import(version=version)
    good.refresh_from_db()
    assert version.status == HashListVersion.Status.FAILED and "no hash" in english(version.error)
    assert not version.is_active and good.is_active
    assert not HashEntry.objects.filter(version=version).exists()


def test_non_admin_cannot_reach_the_import_page(client, owner, admin):
    client.force_login(owner)
    assert client.get(reverse("hashlist_import")).status_code == 403
    client.force_login(admin)
    assert client.get(reverse("hashlist_import")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_admin_imports_a_list_through_the_page_and_a_worker_loads_it(client, admin, celery_worker):
    client.force_login(admin)
    upload = io.BytesIO(("# list\n" + "\n".join(MD5S) + "\nbad line\n").encode())
    upload.name = "list.txt"
    response = client.post(
        reverse("hashlist_import"),
        {"name": "National list", "kind": "alert", "default_category": "1", "file": upload},
    )
    version = HashListVersion.objects.get(hash_list__name="National list")
    assert response.url == reverse("version_preview", args=[version.pk])
    preview = client.get(response.url).content.decode()
    assert "Plain text" in preview and MD5S[0] in preview
    client.post(response.url, {"action": "start"})
    wait_until(lambda: HashListVersion.objects.get(pk=version.pk).is_finished)
    version.refresh_from_db()
    assert (version.status, version.entries, version.malformed, version.is_active) == ("ready", 5, 1, True)
    page = client.get(reverse("hashlist_detail", args=[version.hash_list_id])).content.decode()
    assert "5 entries" in page and "1 malformed lines" in page
    assert AuditEvent.objects.filter(action="hashlist.import", actor=admin).exists()


def test_a_big_list_goes_in_whole_blocks_with_the_same_counts_and_line_numbers(admin, monkeypatch):
    from hashing.listformats import text

    monkeypatch.setattr(text, "RUN_BLOCK", 100)  # about three digests a block: many blocks, of both kinds
    many = [hashlib.md5(str(n).encode()).hexdigest() for n in range(40)]
    lines = [*many[:20], many[3].upper(), "# a comment", "not a hash", f"{many[30]}  photo.jpg", *many[20:], many[0]]
    version = make_hash_list("Blocks", [line + "\r" for line in lines], by=admin)  # Windows line ends
    assert (version.status, version.lines_read, version.entries, version.duplicates, version.malformed) == (
        "ready", 45, 40, 3, 1,
    )  # fmt: skip
    assert [[line, english(reason)] for line, reason in version.malformed_sample] == [[23, "not a hexadecimal hash"]]
    stored = stored_digests(version)
    assert len(stored) == version.entries
    assert set(stored) == set(many) and stored[many[30]] == "photo.jpg"  # the first occurrence keeps its name
