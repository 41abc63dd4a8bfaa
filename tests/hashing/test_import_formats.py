"""Each format imported into a version through the real importer and PostgreSQL COPY."""

import io

import pytest
from django.urls import reverse

from config.messages import english
from hashing.importers import hash_list_version_import
from hashing.models import HashEntry, HashListVersion
from hashing.services import hash_list_version_cancel, hash_list_version_create
from tests.factories import make_hash_list
from tests.hashing import listdata

ROWS = listdata.random_digests(6, seed=4)


def import_bytes(admin, content: bytes, name: str = "List", file_name: str = "list", **options) -> HashListVersion:
    version = hash_list_version_create(
        name=name, kind=options.pop("kind", "alert"), stream=io.BytesIO(content), file_name=file_name, by=admin,
        default_category="1", **options,
    )  # fmt: skip
    return hash_list_version_import(version=version)


def stored(version, algorithm="md5"):
    return {
        bytes(value).hex(): (category, series)
        for value, category, series in HashEntry.objects.filter(
            version=version, algorithm=HashEntry.BY_NAME[algorithm]
        ).values_list("value", "category", "series")
    }


def test_hashdeep_output_is_imported_with_its_three_hashes(admin):
    version = import_bytes(admin, listdata.hashdeep_text(ROWS))
    assert (version.file_format, version.status, version.entries, version.malformed) == ("hashdeep", "ready", 18, 0)
    assert set(stored(version, "sha256")) == {row["sha256"] for row in ROWS}


def test_vics_json_keeps_category_series_and_flags_and_counts_duplicates(admin):
    version = import_bytes(admin, listdata.vics_1(ROWS + ROWS[:2]))
    assert (version.file_format, version.status, version.entries, version.duplicates) == ("vics", "ready", 19, 13)
    # Every Media carries the same synthetic PDQ: one entry, the rest duplicates.
    assert HashEntry.objects.filter(version=version, algorithm=HashEntry.Algorithm.PDQ).count() == 1
    assert stored(version)[ROWS[1]["md5"]] == ("1", "series-1")
    entry = HashEntry.objects.filter(version=version, algorithm=HashEntry.Algorithm.SHA1).first()
    assert entry.extra["IsDistributed"] is True and entry.name.startswith("img")


def test_truncated_vics_fails_cleanly_and_the_active_version_stays(admin):
    good = import_bytes(admin, listdata.vics_1(ROWS))
    content = listdata.vics_2_cases(ROWS)
    broken = import_bytes(admin, content[: len(content) - 40])
    good.refresh_from_db()
    assert (
        broken.status == "failed"
        and "JSON syntax error at byte" in english(broken.error)
        and "line" in english(broken.error)
    )
    assert not HashEntry.objects.filter(version=broken).exists() and not broken.is_active
    assert good.is_active


def test_icse_csv_keeps_photodna_opaque(admin):
    version = import_bytes(admin, listdata.icse_text(ROWS))
    assert (version.file_format, version.entries) == ("icse", 12)
    entry = HashEntry.objects.filter(version=version, algorithm=HashEntry.Algorithm.MD5).order_by("id").first()
    assert entry.extra["PhotoDNA"].startswith("AAAA") and entry.series.startswith("series")


def test_csv_mapping_is_saved_with_the_list_and_reused_by_its_next_version(admin):
    header = "Hash;Kind of file;Set\n"
    content = (header + "".join(f"{r['sha1']};2;beach\n" for r in ROWS)).encode()
    draft = hash_list_version_create(
        name="Partner", kind="alert", stream=io.BytesIO(b"SHA1 value;Category;Set\n"), file_name="a.csv", by=admin,
        draft=True,
    )  # fmt: skip
    assert draft.file_format == "csv" and draft.column_mapping == {"category": "Category"}
    draft.hash_list.column_mapping = {"sha1": "Hash", "category": "Kind of file", "series": "Set"}
    draft.hash_list.save()
    version = import_bytes(admin, content, name="Partner")
    assert version.column_mapping == {"sha1": "Hash", "category": "Kind of file", "series": "Set"}
    assert (version.status, version.entries) == ("ready", 6)
    assert set(stored(version, "sha1").values()) == {("2", "beach")}


def test_nsrl_rds_is_imported_as_an_ignorable_list(admin, tmp_path):
    path = listdata.nsrl_database(tmp_path / "RDS_modern_minimal.db", ROWS)
    version = import_bytes(admin, path.read_bytes(), name="NSRL", kind="ignorable")
    assert (version.file_format, version.status, version.entries) == ("nsrl", "ready", 18)
    assert version.hash_list.kind == "ignorable" and version.progress_done == version.progress_total == 6


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"\xef\xbb\xbf\r\n", "empty file"), (b"# only a comment\n", "no hash")],
)
def test_a_file_without_hashes_fails_and_a_real_one_succeeds(admin, content, reason):
    assert reason in english(import_bytes(admin, content).error)
    assert import_bytes(admin, f"{ROWS[0]['md5']}\r\n".encode()).status == "ready"


def test_malformed_lines_of_any_format_are_listed_with_their_number(admin):
    content = listdata.hashdeep_text(ROWS[:2]) + b"12,zz,zz,zz,bad.jpg\n" + b"\xff,1\n"
    version = import_bytes(admin, content)
    assert version.entries == 6 and version.malformed == 2
    assert version.malformed_sample[0][0] == 8 and "md5" in english(version.malformed_sample[0][1])


def test_a_new_version_records_what_it_added_and_removed(client, admin):
    first = make_hash_list("Diffed", [r["md5"] for r in ROWS[:4]], by=admin)
    second = make_hash_list("Diffed", [r["md5"] for r in ROWS[2:]], by=admin)
    assert (first.added, first.removed) == (4, 0)
    assert (second.diff_base, second.added, second.removed) == (first, 2, 2)
    client.force_login(admin)
    page = client.get(reverse("hashlist_detail", args=[second.hash_list_id])).content.decode()
    assert "2 added · 2 removed since" in page
    response = client.get(reverse("version_diff_csv", args=[second.pk]))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "change,algorithm,hash" and len(lines) == 5
    assert f"added,md5,{ROWS[5]['md5']}" in lines and f"removed,md5,{ROWS[0]['md5']}" in lines


def test_a_ready_version_is_immutable_but_can_be_activated(admin):
    version = make_hash_list("Fixed", [ROWS[0]["md5"]], by=admin)
    version.entries = 99
    with pytest.raises(ValueError, match="immutable"):
        version.save()
    version.refresh_from_db()
    version.is_active = False
    version.save(update_fields=["is_active"])


def test_admin_activates_an_older_version_by_hand_after_confirming(client, admin, owner):
    first = make_hash_list("Manual", [ROWS[0]["md5"]], by=admin)
    second = make_hash_list("Manual", [ROWS[1]["md5"]], by=admin)
    url = reverse("version_activate", args=[first.pk])
    client.force_login(owner)
    assert client.post(url).status_code == 403
    client.force_login(admin)
    assert "Activate version" in client.get(url).content.decode()
    first.refresh_from_db()
    assert not first.is_active
    client.post(url)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_active and not second.is_active


def test_a_cancelled_import_keeps_nothing_and_a_queued_one_is_cancelled_at_once(admin):
    version = hash_list_version_create(
        name="Stopped", kind="alert", stream=io.BytesIO("\n".join(r["md5"] for r in ROWS).encode()),
        file_name="l.txt", by=admin,
    )  # fmt: skip
    hash_list_version_cancel(version=version, by=admin)
    version = hash_list_version_import(version=HashListVersion.objects.get(pk=version.pk))
    assert version.status == "cancelled" and not version.is_active
    assert not HashEntry.objects.filter(version=version).exists()
    assert import_bytes(admin, ROWS[0]["md5"].encode(), name="Stopped").status == "ready"


def test_a_draft_s_column_mapping_changes_until_its_import_starts(admin):
    from hashing.services import hash_list_version_map_columns, hash_list_version_start

    draft = hash_list_version_create(
        name="Partner", kind="alert", stream=io.BytesIO(b"Hash;Kind\n"), file_name="a.csv", by=admin, draft=True
    )
    hash_list_version_map_columns(version=draft, mapping={"sha1": "Hash", "category": "Kind"})
    draft.refresh_from_db()
    assert draft.column_mapping == {"sha1": "Hash", "category": "Kind"}
    queued = []
    hash_list_version_start(version=draft, by=admin, queue_import=queued.append)
    assert [version.pk for version in queued] == [draft.pk]
    # Once queued, the mapping is the one the import reads (and the audit recorded): it stays.
    hash_list_version_map_columns(version=draft, mapping={"md5": "Hash"})
    draft.refresh_from_db()
    assert draft.column_mapping == {"sha1": "Hash", "category": "Kind"}
