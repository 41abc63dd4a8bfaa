"""The index of the installation's own files: what was hashed before a build and after it is found alike."""

import json

import pytest

from evidence.models import EvidenceFile
from evidence.synthetic import synthetic_image
from evidence.triage import file_index
from evidence.triage.file_index import file_index_build
from tests.factories import make_exhibit, wait_until
from tests.hashing.test_perceptual_matching import LISTED, OTHER, ingest, jpeg


@pytest.fixture(autouse=True)
def _derived_in_tmp(settings, tmp_path):
    settings.DERIVED_ROOT = tmp_path / "derived"


def categorise(evidence_file: EvidenceFile) -> None:
    EvidenceFile.objects.filter(pk=evidence_file.pk).update(
        triage="known", match_algorithm="review", match_category="1"
    )


@pytest.mark.postgresql(reason="the base and its change log are kept on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_copies_of_files_categorised_before_and_after_a_build_are_both_near(exhibit, owner, tmp_path):
    before = ingest(exhibit, owner, tmp_path / "before", {"a.jpg": jpeg(synthetic_image(LISTED))})["a.jpg"]
    categorise(before)
    pointer = file_index_build()
    assert pointer["sizes"]["pdq"] == 1
    # The file hashed before the build is in the base only: nothing newer in the change log for it.
    assert not file_index._changed_since(pointer) & {before.pk}
    after = ingest(exhibit, owner, tmp_path / "after", {"b.jpg": jpeg(synthetic_image(OTHER))})["b.jpg"]
    categorise(after)
    file_index._state.clear()  # as a worker process started now: the base from disk, the rest from the log
    copies = ingest(
        make_exhibit(exhibit.dossier, "SC-2"),
        owner,
        tmp_path / "copies",
        {
            "a-small.jpg": jpeg(synthetic_image(LISTED).resize((400, 300))),
            "b-small.jpg": jpeg(synthetic_image(OTHER).resize((400, 300))),
            "unrelated.jpg": jpeg(synthetic_image(14)),
        },
    )
    assert (copies["a-small.jpg"].triage, copies["a-small.jpg"].match_file) == ("near", before)
    assert (copies["b-small.jpg"].triage, copies["b-small.jpg"].match_file) == ("near", after)
    assert copies["unrelated.jpg"].triage == "new_image"  # control


@pytest.mark.postgresql(reason="the base and its change log are kept on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_new_base_is_built_by_a_worker_once_enough_files_were_hashed(
    exhibit, owner, tmp_path, settings, celery_worker
):
    settings.FILE_INDEX_DELTA_MAX = 1
    pointer = settings.DERIVED_ROOT / "indexes" / "files.json"
    ingest(exhibit, owner, tmp_path / "one", {"a.jpg": jpeg(synthetic_image(LISTED))})
    ingest(exhibit, owner, tmp_path / "two", {"b.jpg": jpeg(synthetic_image(OTHER))})
    assert not pointer.exists()  # control: one file hashed since (none) is not more than one
    ingest(exhibit, owner, tmp_path / "three", {"c.jpg": jpeg(synthetic_image(14))})
    wait_until(lambda: pointer.exists())
    assert json.loads(pointer.read_text())["sizes"]["pdq"] >= 2


def test_an_index_of_another_database_is_not_used(exhibit, owner, tmp_path, settings):
    folder = settings.DERIVED_ROOT / "indexes"
    folder.mkdir(parents=True)
    (folder / "files.json").write_text(json.dumps({"database": "another:1", "folder": "missing", "xmin": 10**12}))
    file_index._state.clear()
    known = ingest(exhibit, owner, tmp_path / "a", {"a.jpg": jpeg(synthetic_image(LISTED))})["a.jpg"]
    categorise(known)
    copy = ingest(exhibit, owner, tmp_path / "b", {"copy.jpg": jpeg(synthetic_image(LISTED).resize((400, 300)))})
    assert (copy["copy.jpg"].triage, copy["copy.jpg"].match_file) == ("near", known)
