"""A near match's page in a browser: its distance, and the same photo elsewhere in the user's dossiers."""

import io
import re

import pytest
from PIL import ImageOps
from playwright.sync_api import expect

from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile
from evidence.synthetic import synthetic_image
from hashing.importers import hash_list_version_import
from hashing.perceptual import digest_image
from hashing.services import hash_list_version_create
from tests.browser.test_walkthrough import log_in
from tests.evidence.test_ingest import run_inline
from tests.factories import make_dossier, make_exhibit, totp_device

pytestmark = pytest.mark.django_db(transaction=True)


def jpeg(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def test_the_file_page_shows_the_distance_and_the_copies(
    page, live_server, screenshot, admin, owner, tmp_path, settings
):
    settings.DERIVED_ROOT = tmp_path / "derived"
    photo = synthetic_image(5)
    digest = digest_image(io.BytesIO(jpeg(photo)))
    version = hash_list_version_create(
        name="Perceptual",
        kind="alert",
        stream=io.BytesIO(f"pHash,PDQ,Category\n{digest.phash.hex()},{digest.pdq.hex()},1\n".encode()),
        file_name="p.csv",
        by=admin,
    )
    hash_list_version_import(version=version)
    dossier = make_dossier(owner)
    copies = (("SC-1", "small.jpg", photo.resize((320, 240))), ("SC-2", "mirrored.jpg", ImageOps.mirror(photo)))
    for seal, name, image in copies:
        folder = tmp_path / seal
        folder.mkdir()
        (folder / name).write_bytes(jpeg(image))
        exhibit = make_exhibit(dossier, seal)
        run_inline(ingest_job_create_from_path(exhibit=exhibit, path=folder, by=owner, queue=False))
    near = EvidenceFile.objects.get(path="SC-1/small.jpg")
    assert near.triage == "near"
    totp_device(owner)
    log_in(page, live_server.url, "owner")
    page.goto(live_server.url + near.get_absolute_url())
    expect(page.get_by_test_id("match-distance")).to_contain_text("bit")
    expect(page.get_by_test_id("related-files")).to_contain_text("mirrored.jpg")
    screenshot("20-near-match-file")


def test_near_before_possible_on_the_grid_and_the_keyboard_settles_a_possible_match(
    page, live_server, screenshot, admin, owner, tmp_path, settings
):
    from tests.evidence.test_altered_copies import crop, overlay

    settings.DERIVED_ROOT = tmp_path / "derived"
    near_photo, possible_photo = synthetic_image(5), synthetic_image(45)
    lines = ["pHash,PDQ,Category"]
    for image in (near_photo, possible_photo):
        digest = digest_image(io.BytesIO(jpeg(image)))
        lines.append(f"{digest.phash.hex()},{digest.pdq.hex()},1")
    version = hash_list_version_create(
        name="Perceptual", kind="alert", stream=io.BytesIO("\n".join(lines).encode()), file_name="p.csv", by=admin
    )
    hash_list_version_import(version=version)
    dossier = make_dossier(owner)
    folder = tmp_path / "SC-1"
    folder.mkdir()
    # Sorted by path the possible one would come first; the grid shows the near match first.
    (folder / "a-reshared.jpg").write_bytes(jpeg(overlay(crop(possible_photo, 0.06, 0.06, 0.06, 0.06), 0.05)))
    (folder / "b-small.jpg").write_bytes(jpeg(near_photo.resize((320, 240))))
    run_inline(ingest_job_create_from_path(exhibit=make_exhibit(dossier, "SC-1"), path=folder, by=owner, queue=False))
    possible = EvidenceFile.objects.get(path="SC-1/a-reshared.jpg")
    assert (EvidenceFile.objects.get(path="SC-1/b-small.jpg").triage, possible.triage) == ("near", "possible")

    totp_device(owner)
    log_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/review/")
    tiles = page.get_by_test_id("tile")
    expect(tiles).to_have_count(2)
    expect(tiles.nth(0).get_by_test_id("tile-state")).to_have_text("Near match (to confirm)")
    expect(tiles.nth(1).get_by_test_id("tile-state")).to_have_text("Possible match (to confirm)")
    expect(tiles.nth(1).get_by_test_id("match-distances")).to_contain_text("pHash")
    screenshot("21-near-and-possible")
    # The same key as a near match rejects it: back to a new image, not proposed again.
    expect(tiles.first).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("n")
    expect(tiles.nth(1)).to_have_class(re.compile(r"\bdone\b"), timeout=30_000)
    possible.refresh_from_db()
    assert possible.triage == "new_image"
