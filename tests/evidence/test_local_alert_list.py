"""Two dossiers adding their reviewed material to the local alert list at once: neither loses its files.

Each addition is a version that holds only its dossier's material and adds to the version active
when it is imported (hashing.importers._take_in_active, under a lock on the list's row).
"""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from evidence.models import EvidenceFile, IngestBatch, IngestJob
from evidence.review.sharing import LOCAL_ALERT_LIST, local_alert_list_extend
from hashing.importers import hash_list_version_import
from hashing.models import HashList, HashListVersion
from tests.factories import make_exhibit, make_hash_list, stored_digests, wait_until

EARLIER = "ab" * 16  # already on the local list before either dossier adds to it


def reviewed_files(dossier, by, seed: int, count: int = 3) -> set[str]:
    """``count`` files of the dossier reviewed as category 1 (known material); their MD5s."""
    exhibit = make_exhibit(dossier, seal_number=f"SC-{seed}", by=by)
    job = IngestJob.objects.create(exhibit=exhibit, source_label="test", created_by=by, status="done")
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    md5s = set()
    for number in range(count):
        digest = bytes([seed, number]) * 8
        EvidenceFile.objects.create(
            exhibit=exhibit, job=job, batch=batch, path=f"{seed}/{number}.jpg", source_path="/nonexistent",
            md5=digest, sha1=digest + b"\0" * 4, sha256=digest * 2, triage="known", match_category="1",
            reviewed_at=timezone.now(), review_series=f"series {seed}",
        )  # fmt: skip
        md5s.add(digest.hex())
    return md5s


def active_version() -> HashListVersion:
    return HashList.objects.get(name=LOCAL_ALERT_LIST).versions.get(is_active=True)


@pytest.mark.django_db
def test_a_single_addition_keeps_the_list_and_adds_the_dossier(admin, owner, dossier):
    make_hash_list(LOCAL_ALERT_LIST, [EARLIER], by=admin)
    mine = reviewed_files(dossier, owner, seed=1)
    version = hash_list_version_import(version=local_alert_list_extend(dossier=dossier, by=owner, queue=False))
    assert (version.status, version.is_active, version.removed) == ("ready", True, 0)
    assert set(stored_digests(version)) >= mine | {EARLIER}


@pytest.mark.django_db
def test_two_additions_requested_before_either_is_imported_both_reach_the_active_version(
    admin, owner, outsider, dossier, other_dossier
):
    make_hash_list(LOCAL_ALERT_LIST, [EARLIER], by=admin)
    mine, theirs = reviewed_files(dossier, owner, seed=1), reviewed_files(other_dossier, outsider, seed=2)
    first = local_alert_list_extend(dossier=dossier, by=owner, queue=False)
    second = local_alert_list_extend(dossier=other_dossier, by=outsider, queue=False)
    hash_list_version_import(version=first)
    hash_list_version_import(version=second)
    assert active_version().pk == second.pk
    assert set(stored_digests(active_version())) >= mine | theirs | {EARLIER}


def import_in_a_thread(version: HashListVersion, backends: list[int], errors: list[BaseException]) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backends.append(cursor.fetchone()[0])
        hash_list_version_import(version=HashListVersion.objects.get(pk=version.pk))
    except BaseException as error:  # noqa: BLE001 - reported to the test
        errors.append(error)
    finally:
        connection.close()


def waiting_for_a_lock(backends: list[int]) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid = ANY(%s)", [backends])
        return cursor.fetchone()[0]


@pytest.mark.postgresql(reason="row locks between two connections")
@pytest.mark.django_db(transaction=True)
def test_two_dossiers_importing_their_additions_at_the_same_moment_both_reach_the_active_version(
    admin, owner, outsider, dossier, other_dossier
):
    make_hash_list(LOCAL_ALERT_LIST, [EARLIER], by=admin)
    mine, theirs = reviewed_files(dossier, owner, seed=1), reviewed_files(other_dossier, outsider, seed=2)
    additions = [
        local_alert_list_extend(dossier=dossier, by=owner, queue=False),
        local_alert_list_extend(dossier=other_dossier, by=outsider, queue=False),
    ]
    backends: list[int] = []
    errors: list[BaseException] = []
    threads = [threading.Thread(target=import_in_a_thread, args=(version, backends, errors)) for version in additions]
    # Hold the list's row: both imports (two workers) reach the merge and wait there together, then
    # go one after the other once it is released.
    with transaction.atomic():
        HashList.objects.select_for_update().get(name=LOCAL_ALERT_LIST)
        for thread in threads:
            thread.start()
        wait_until(lambda: len(backends) == 2 and waiting_for_a_lock(backends) == 2, timeout=60)
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    statuses = set(HashListVersion.objects.filter(pk__in=[v.pk for v in additions]).values_list("status", flat=True))
    assert statuses == {"ready"}
    assert set(stored_digests(active_version())) >= mine | theirs | {EARLIER}
