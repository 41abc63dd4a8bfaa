"""A file's page lists its identical and near copies in the dossiers the user may see, and nothing else."""

import io

import pytest
from django.db import connection
from PIL import Image

from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile
from evidence.synthetic import synthetic_image
from evidence.triage.selectors import related_files_visible_to
from tests.evidence.test_ingest import run_inline
from tests.factories import make_exhibit


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def ingest(exhibit, by, folder, files):
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=folder, by=by, queue=False))
    return {name: EvidenceFile.objects.get(exhibit=exhibit, path=f"{folder.name}/{name}") for name in files}


def test_copies_are_shown_only_in_dossiers_the_user_may_see(
    client, owner, outsider, exhibit, other_dossier, tmp_path, settings
):
    settings.DERIVED_ROOT = tmp_path / "derived"
    photo = synthetic_image(5)
    mine = ingest(
        exhibit, owner, tmp_path / "mine", {"photo.jpg": jpeg(photo), "unrelated.jpg": jpeg(synthetic_image(12))}
    )
    second = ingest(make_exhibit(exhibit.dossier, "SC-2"), owner, tmp_path / "second", {"copy.jpg": jpeg(photo)})
    resized = ingest(
        make_exhibit(exhibit.dossier, "SC-3"), owner, tmp_path / "third", {"small.jpg": jpeg(photo.resize((320, 240)))}
    )
    theirs = ingest(
        make_exhibit(other_dossier, "SC-9"), outsider, tmp_path / "theirs", {"secret-name.jpg": jpeg(photo)}
    )
    photo_file = mine["photo.jpg"]

    related = related_files_visible_to(owner, photo_file)
    assert [(item["file"], item["same_content"]) for item in related] == [
        (second["copy.jpg"], True),
        (resized["small.jpg"], False),
    ]
    assert related[1]["distance"] <= 31
    assert related_files_visible_to(owner, mine["unrelated.jpg"]) == []

    client.force_login(owner)
    page = client.get(photo_file.get_absolute_url()).content.decode()
    assert "SC-2" in page and "copy.jpg" in page and "small.jpg" in page
    # Nothing of the dossier the owner is not a member of: no name, no seal, no count.
    assert "secret-name.jpg" not in page and "SC-9" not in page and other_dossier.notice_number not in page

    # Control: the outsider, in whose dossier the copy is, sees the owner's files no more.
    assert related_files_visible_to(outsider, theirs["secret-name.jpg"]) == []
    client.force_login(outsider)
    page = client.get(theirs["secret-name.jpg"].get_absolute_url()).content.decode()
    assert "No identical or near copy" in page and "photo.jpg" not in page
    # Once a member of both, the same page shows the owner's copies.
    from cases.models import Membership

    Membership.objects.create(dossier=exhibit.dossier, user=outsider, role=Membership.Role.INVESTIGATOR)
    assert photo_file in [item["file"] for item in related_files_visible_to(outsider, theirs["secret-name.jpg"])]


def test_a_prosecutor_member_is_shown_no_copies(prosecutor, owner, exhibit, tmp_path, settings):
    settings.DERIVED_ROOT = tmp_path / "derived"
    files = ingest(
        exhibit, owner, tmp_path / "a", {"a.jpg": jpeg(synthetic_image(5)), "b.jpg": jpeg(synthetic_image(5))}
    )
    assert related_files_visible_to(prosecutor, files["a.jpg"]) == []
    assert len(related_files_visible_to(owner, files["a.jpg"])) == 1  # control


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason="the index of the installation's files is built on PostgreSQL only")
def test_near_copies_from_the_index_are_shown_only_within_the_user_dossiers(
    client, owner, colleague, outsider, exhibit, other_dossier, tmp_path, settings
):
    from evidence.triage import file_index
    from evidence.triage.file_index import file_index_build

    settings.DERIVED_ROOT = tmp_path / "derived"
    photo = synthetic_image(5)
    mine = ingest(exhibit, owner, tmp_path / "mine", {"photo.jpg": jpeg(photo)})["photo.jpg"]
    resized = jpeg(photo.resize((400, 300)))
    theirs = ingest(make_exhibit(other_dossier, "SC-9"), outsider, tmp_path / "theirs", {"secret-name.jpg": resized})
    theirs = theirs["secret-name.jpg"]
    assert file_index_build()["sizes"]["pdq"] == 2  # both in the base: the page reads no file table scan
    # A copy hashed after the build comes from the change log.
    small = jpeg(photo.resize((320, 240)))
    ours = ingest(make_exhibit(exhibit.dossier, "SC-2"), colleague, tmp_path / "ours", {"small.jpg": small})
    ours = ours["small.jpg"]
    file_index._state.clear()  # a web process started now

    for user in (owner, colleague):
        assert [item["file"] for item in related_files_visible_to(user, mine)] == [ours]
        client.force_login(user)
        page = client.get(mine.get_absolute_url()).content.decode()
        assert "small.jpg" in page
        # The outsider's near copy is neither named nor counted.
        assert "secret-name.jpg" not in page and "SC-9" not in page and other_dossier.notice_number not in page
    assert related_files_visible_to(outsider, theirs) == []
    client.force_login(outsider)
    page = client.get(theirs.get_absolute_url()).content.decode()
    assert "No identical or near copy" in page and "photo.jpg" not in page and "small.jpg" not in page
    # Control: once a member of the owner's dossier, the outsider is shown both copies.
    from cases.models import Membership

    Membership.objects.create(dossier=exhibit.dossier, user=outsider, role=Membership.Role.INVESTIGATOR)
    assert {item["file"] for item in related_files_visible_to(outsider, theirs)} == {mine, ours}


def test_the_file_page_says_when_no_index_of_the_installations_files_is_built(client, owner, evidence_file):
    """On the embedded default (SQLite) the near-copy search reads every file's hashes: the page says
    so, as it is what a growing demo installation slows down on. On PostgreSQL (an index) it does not."""
    client.force_login(owner)
    page = client.get(evidence_file.get_absolute_url())
    assert page.status_code == 200
    on_sqlite = connection.vendor != "postgresql"
    assert ('data-testid="no-file-index"' in page.content.decode()) is on_sqlite
    assert ("no index of its files is built" in page.content.decode()) is on_sqlite
