"""Altered copies of listed photos (crops, tilts, overlays, light, combinations) are found through the
real pipeline, a hard negative is not, and a possible match is settled like a near match: confirmed
or rejected with the same keys, a rejection remembered across list changes until its entry changes."""

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
import skimage
from django.urls import reverse
from PIL import Image, ImageDraw, ImageEnhance

from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import Categorisation, EvidenceFile, RematchNotice
from evidence.review.services import near_match_settle
from evidence.triage.matching import near_copies_rematch, rematch_after_activation
from hashing.importers import hash_list_version_import
from hashing.models import HashListVersion
from hashing.near_matching import NEAR, POSSIBLE, match_strength
from hashing.perceptual import digest_image
from hashing.services import hash_list_version_create
from tests.evidence.test_ingest import run_inline
from tests.factories import wait_until

PHOTOS = ("astronaut.png", "coffee.png", "motorcycle_left.png")


def photo(name: str, long_side: int = 1600) -> Image.Image:
    """A bundled scikit-image photo at a camera-like size, with a little grain (as a JPEG from a phone)."""
    image = Image.open(Path(skimage.__file__).parent / "data" / name).convert("RGB")
    scale = long_side / max(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BICUBIC)
    grain = np.random.default_rng(len(name)).normal(0, 4, (image.height, image.width, 3))
    return Image.fromarray(np.clip(np.asarray(image, dtype=np.float32) + grain, 0, 255).astype(np.uint8))


def jpeg(image: Image.Image, quality: int = 88) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def crop(image: Image.Image, left=0.0, top=0.0, right=0.0, bottom=0.0) -> Image.Image:
    width, height = image.size
    return image.crop(
        (round(width * left), round(height * top), round(width * (1 - right)), round(height * (1 - bottom)))
    )


def overlay(image: Image.Image, share: float) -> Image.Image:
    """An opaque box with a channel's text over ``share`` of the image, low on the right."""
    marked = image.copy()
    width, height = marked.size
    box_width = round((width * height * share * 2.5) ** 0.5)
    box_height = round(width * height * share / box_width)
    left, top = round(width * 0.55), round(height * 0.7)
    draw = ImageDraw.Draw(marked)
    draw.rectangle((left, top, left + box_width, top + box_height), fill=(16, 16, 16))
    draw.text((left + 8, top + 8), "t.me/example_channel", fill=(255, 255, 255))
    return marked


def logo(image: Image.Image, share: float) -> Image.Image:
    """A channel's logo in the top right corner: a disc and a banner with letters, over ``share``."""
    marked = image.copy()
    width, height = marked.size
    side = (share * width * height) ** 0.5
    left, top = width - side - 0.02 * min(width, height), 0.02 * min(width, height)
    draw = ImageDraw.Draw(marked)
    draw.ellipse((left, top, left + side, top + side), fill=(30, 90, 200), outline=(255, 255, 255), width=3)
    draw.rectangle((left, top + side * 0.6, left + side, top + side * 0.9), fill=(255, 255, 255))
    draw.text((left + side * 0.1, top + side * 0.62), "TV7", fill=(30, 90, 200), font_size=side * 0.22)
    return marked


ALTERATIONS = {
    "crop 5 % every side": lambda image: crop(image, 0.05, 0.05, 0.05, 0.05),
    "crop 8 % on the left": lambda image: crop(image, left=0.08),
    "tilt 3 degrees": lambda image: image.rotate(3, resample=Image.Resampling.BICUBIC),
    "box with text over 6 %": lambda image: overlay(image, 0.06),
    "a channel's logo over 4 %": lambda image: logo(image, 0.04),
    "brightness +30 %": lambda image: ImageEnhance.Brightness(image).enhance(1.3),
    "contrast -30 %": lambda image: ImageEnhance.Contrast(image).enhance(0.7),
    "crop 4 % and a box over 4 %": lambda image: overlay(crop(image, 0.04, 0.04, 0.04, 0.04), 0.04),
    "tilt 2 degrees and brightness +20 %": lambda image: ImageEnhance.Brightness(image.rotate(-2)).enhance(1.2),
}


def list_csv(images, sha256s=()) -> bytes:
    """A partner's perceptual list: one line per image, its pHash and PDQ, never the image; and
    exact SHA-256 lines."""
    lines = ["pHash,PDQ,SHA-256,Category"]
    for image in images:
        digest = digest_image(io.BytesIO(jpeg(image)))
        lines.append(f"{digest.phash.hex()},{digest.pdq.hex()},,1")
    lines += [f",,{value},1" for value in sha256s]
    return "\n".join(lines).encode()


@pytest.fixture(autouse=True)
def _derived_in_tmp(settings, tmp_path):
    settings.DERIVED_ROOT = tmp_path / "derived"


def ingest(exhibit, by, folder: Path, files: dict[str, bytes]) -> dict[str, EvidenceFile]:
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=folder, by=by, queue=False))
    return {name: EvidenceFile.objects.get(exhibit=exhibit, path=f"{folder.name}/{name}") for name in files}


def test_the_rule_decides_with_both_hashes(settings):
    settings.PDQ_MATCH_DISTANCE, settings.PHASH_MATCH_DISTANCE, settings.NEAR_JOINT_DISTANCES = 31, 10, [44, 14]
    settings.POSSIBLE_PDQ_DISTANCE, settings.POSSIBLE_PHASH_DISTANCE = 40, 12
    settings.POSSIBLE_JOINT_DISTANCES = [56, 16]
    assert match_strength({"pdq": 31}) == match_strength({"phash": 10}) == NEAR
    assert match_strength({"pdq": 44, "phash": 14}) == NEAR  # each beyond its own bound, together near
    assert match_strength({"pdq": 44}) is None or match_strength({"pdq": 44}) == POSSIBLE
    assert match_strength({"pdq": 45, "phash": 14}) == POSSIBLE
    assert match_strength({"pdq": 56, "phash": 16}) == POSSIBLE
    assert match_strength({"pdq": 57, "phash": 16}) is None and match_strength({"pdq": 56, "phash": 18}) is None
    assert match_strength({"phash": 16}) is None  # the joint rule needs both hashes


@pytest.mark.django_db(transaction=True)
def test_altered_copies_are_found_after_a_list_import_and_a_hard_negative_is_not(
    client, admin, owner, exhibit, tmp_path, celery_worker
):
    photos = {name: photo(name) for name in PHOTOS}
    # The list holds the left part of the motorcycle; its right part (no pixel in common) is a
    # different image a unit may well hold: it must stay new.
    motorcycle = photos.pop("motorcycle_left.png")
    listed = [*photos.values(), crop(motorcycle, right=0.5)]
    seized = {
        f"{name[:6]}-{number}.jpg": jpeg(alter(image))
        for name, image in photos.items()
        for number, alter in enumerate(ALTERATIONS.values())
    }
    seized["other-half.jpg"] = jpeg(crop(motorcycle, left=0.5))
    # An exact copy on the list too: once it is known, the re-match is over (its notice says so).
    seized["exact.jpg"] = jpeg(photo("chelsea.png"))
    files = ingest(exhibit, owner, tmp_path / "seized", seized)
    assert {f.triage for f in files.values()} == {"new_image"}  # nothing listed yet

    client.force_login(admin)
    upload = io.BytesIO(list_csv(listed, [hashlib.sha256(seized["exact.jpg"]).hexdigest()]))
    upload.name = "partner.csv"
    response = client.post(reverse("hashlist_import"), {"name": "Partner", "kind": "alert", "file": upload})
    mapping = {"phash": "pHash", "pdq": "PDQ", "sha256": "SHA-256", "category": "Category"}
    client.post(response.url, {"action": "start", **mapping})
    version = HashListVersion.objects.get(hash_list__name="Partner")
    wait_until(lambda: RematchNotice.objects.filter(version=version).exists(), timeout=120)

    found = {name: EvidenceFile.objects.get(pk=f.pk) for name, f in files.items()}
    for number, alteration in enumerate(ALTERATIONS):
        for name in photos:
            copy = found[f"{name[:6]}-{number}.jpg"]
            assert copy.triage in ("near", "possible"), f"{alteration} of {name}: {copy.triage}"
            assert copy.match_list == version.hash_list and copy.match_category == "1"
            assert copy.match_distances, alteration  # the distances a reviewer sees
    assert found["other-half.jpg"].triage == "new_image"
    assert found["exact.jpg"].triage == "known"


def _listed(name: str, images, by, category: str = "1"):
    lines = ["pHash,PDQ,Category"] + [
        f"{d.phash.hex()},{d.pdq.hex()},{category}" for d in (digest_image(io.BytesIO(jpeg(i))) for i in images)
    ]
    version = hash_list_version_create(
        name=name, kind="alert", stream=io.BytesIO("\n".join(lines).encode()), file_name=f"{name}.csv", by=by
    )
    return hash_list_version_import(version=version)


@pytest.fixture
def possible_only(settings):
    """Every candidate is a possible match (no near bound), whatever the photos' distances."""
    settings.PDQ_MATCH_DISTANCE = settings.PHASH_MATCH_DISTANCE = -1
    settings.NEAR_JOINT_DISTANCES = settings.NEAR_PHOTO_JOINT_DISTANCES = [-1, -1]
    settings.NEAR_GRAPHIC_PDQ_DISTANCE = -1
    settings.POSSIBLE_PDQ_DISTANCE, settings.POSSIBLE_PHASH_DISTANCE = 60, 16
    settings.POSSIBLE_JOINT_DISTANCES = [-1, -1]


@pytest.mark.django_db
def test_a_rejected_possible_match_is_not_proposed_again_until_its_entry_changes(
    admin, owner, colleague, exhibit, tmp_path, possible_only
):
    astronaut, coffee = photo("astronaut.png", 800), photo("coffee.png", 800)
    files = ingest(
        exhibit,
        owner,
        tmp_path / "seized",
        {"a.jpg": jpeg(ALTERATIONS["crop 5 % every side"](astronaut)), "c.jpg": jpeg(overlay(coffee, 0.05))},
    )
    first = _listed("Partner", [astronaut, coffee], admin)
    rematch_after_activation(version=first, previous_id=None)
    rejected, control = (EvidenceFile.objects.get(pk=files[name].pk) for name in ("a.jpg", "c.jpg"))
    assert rejected.triage == control.triage == "possible"
    assert rejected.match_detail["strength"] == "possible" and "pdq" in rejected.match_detail

    near_match_settle(evidence_file=rejected, confirm=False, by=colleague)
    rejected.refresh_from_db()
    assert rejected.triage == "new_image" and rejected.match_detail is None
    [decision] = Categorisation.objects.filter(file=rejected, action="reject_near")
    assert decision.match_key.startswith("entry:")

    # A new version of the list with the same entries (and one more): the rejection holds; the
    # file nobody rejected is proposed again (control).
    second = _listed("Partner", [astronaut, coffee, photo("chelsea.png", 800)], admin)
    rematch_after_activation(version=second, previous_id=first.pk)
    rejected.refresh_from_db()
    control.refresh_from_db()
    assert (rejected.triage, control.triage) == ("new_image", "possible")

    # The entry changes (another category): the pair is new, proposed again.
    third = _listed("Partner", [astronaut, coffee], admin, category="2")
    rematch_after_activation(version=third, previous_id=second.pk)
    rejected.refresh_from_db()
    assert (rejected.triage, rejected.match_category) == ("possible", "2")


@pytest.mark.django_db
def test_the_review_page_shows_near_before_possible_filters_them_and_settles_both(
    client, admin, owner, colleague, exhibit, tmp_path, settings
):
    astronaut, coffee = photo("astronaut.png", 800), photo("coffee.png", 800)
    files = ingest(
        exhibit,
        owner,
        tmp_path / "seized",
        {
            "b-near.jpg": jpeg(astronaut.resize((700, 700))),
            "a-possible.jpg": jpeg(crop(coffee, 0.08, 0.08, 0.08, 0.08)),
        },
    )
    version = _listed("Partner", [astronaut, coffee], admin)
    # Near: within PDQ 31 or pHash 10 alone; possible: anything else within 60 / 16.
    settings.NEAR_JOINT_DISTANCES, settings.POSSIBLE_JOINT_DISTANCES = [-1, -1], [-1, -1]
    settings.NEAR_PHOTO_JOINT_DISTANCES = [-1, -1]
    settings.POSSIBLE_PDQ_DISTANCE, settings.POSSIBLE_PHASH_DISTANCE = 90, 22
    settings.PDQ_MATCH_DISTANCE, settings.PHASH_MATCH_DISTANCE = 12, 4
    rematch_after_activation(version=version, previous_id=None)
    near, possible = (EvidenceFile.objects.get(pk=files[name].pk) for name in ("b-near.jpg", "a-possible.jpg"))
    assert (near.triage, possible.triage) == ("near", "possible")

    client.force_login(colleague)
    page = client.get(reverse("dossier_review", args=[exhibit.dossier.pk])).content.decode()
    # Near first although its path sorts last; both with their distances.
    assert page.index("b-near.jpg") < page.index("a-possible.jpg")
    assert "Possible match (to confirm)" in page and "PDQ " in page and "pHash " in page
    only = client.get(reverse("dossier_review", args=[exhibit.dossier.pk]) + "?state=possible").content.decode()
    assert "a-possible.jpg" in only and "b-near.jpg" not in only
    detail = client.get(possible.get_absolute_url()).content.decode()
    assert 'data-testid="match-distances"' in detail and "Possible match (to confirm)" in detail

    response = client.post(
        reverse("review_categorise", args=[exhibit.dossier.pk]), {"files": str(possible.pk), "action": "confirm_near"}
    )
    assert response.status_code == 302
    possible.refresh_from_db()
    assert (possible.triage, possible.match_category) == ("known", "1")  # confirmed: known material now


@pytest.mark.django_db
def test_a_possible_match_to_a_categorised_file_is_looked_at_and_promoted_when_it_is_a_copy(
    owner, exhibit, tmp_path, possible_only
):
    motorcycle = photo("motorcycle_left.png", 1200)
    known = ingest(exhibit, owner, tmp_path / "known", {"original.jpg": jpeg(motorcycle)})["original.jpg"]
    EvidenceFile.objects.filter(pk=known.pk).update(triage="known", match_algorithm="review", match_category="1")
    files = ingest(
        exhibit,
        owner,
        tmp_path / "seized",
        {
            "copy.jpg": jpeg(overlay(crop(motorcycle, 0.05, 0.05, 0.05, 0.05), 0.06)),
            # Hashes alone may call it possible; a look at both images must not confirm it.
            "half.jpg": jpeg(crop(motorcycle, left=0.5)),
        },
    )
    copy, half = files["copy.jpg"], files["half.jpg"]
    assert (copy.triage, copy.match_file_id) == ("near", known.pk)
    assert copy.match_detail["strength"] == "near" and copy.match_detail["verified"]["inliers"] >= 20
    assert half.triage in ("possible", "new_image") and "verified" not in (half.match_detail or {})


@pytest.mark.django_db
@pytest.mark.parametrize("evidence", ["here", "gone", "gone after it was made known"])
def test_a_possible_match_is_looked_at_in_its_evidence_where_it_can_be_read_again(
    owner, exhibit, tmp_path, possible_only, evidence
):
    """A copy cut by 10 % on every side is not verified on the two 256 px thumbnails, but is when both
    pictures are read again from the evidence (640 px). With the known picture's evidence gone (a
    source unmounted, an exhibit returned), its description kept when a reviewer made it known is
    looked at instead. Control: gone before it was ever described, the look falls back to the
    thumbnails and the copy stays possible."""
    motorcycle = photo("motorcycle_left.png", 1200)
    known = ingest(exhibit, owner, tmp_path / "known", {"original.jpg": jpeg(motorcycle)})["original.jpg"]
    EvidenceFile.objects.filter(pk=known.pk).update(triage="known", match_algorithm="review", match_category="1")
    if evidence == "gone after it was made known":
        assert near_copies_rematch(file_ids=[known.pk]) == 0  # what a categorisation queues; no copy yet
    if evidence != "here":
        (tmp_path / "known" / "original.jpg").unlink()
    copy = ingest(exhibit, owner, tmp_path / "seized", {"copy.jpg": jpeg(crop(motorcycle, 0.1, 0.1, 0.1, 0.1))})
    copy = EvidenceFile.objects.get(pk=copy["copy.jpg"].pk)
    assert copy.match_file_id == known.pk
    if evidence == "gone":
        assert copy.triage == "possible" and "verified" not in copy.match_detail
    else:
        assert copy.triage == "near" and copy.match_detail["verified"]["inliers"] >= 20


@pytest.mark.django_db
def test_a_possible_match_to_a_listed_image_is_looked_at_where_a_copy_of_that_image_is_here(
    admin, owner, exhibit, tmp_path, possible_only
):
    """A partner's list holds hashes only; where the listed photo itself was seized too (here as a
    re-encoded copy), its pixels are looked at and a stamped, cropped copy becomes a near match. The
    copy of another listed photo, whose original is not here, stays possible (control)."""
    motorcycle, coffee = photo("motorcycle_left.png", 1200), photo("coffee.png", 1200)
    files = ingest(
        exhibit,
        owner,
        tmp_path / "seized",
        {
            "original.jpg": jpeg(motorcycle, quality=80),
            "stamped.jpg": jpeg(overlay(crop(motorcycle, 0.05, 0.05, 0.05, 0.05), 0.06)),
            "coffee-stamped.jpg": jpeg(overlay(crop(coffee, 0.05, 0.05, 0.05, 0.05), 0.06)),
        },
    )
    version = _listed("Partner", [motorcycle, coffee], admin)
    rematch_after_activation(version=version, previous_id=None)
    stamped, other = (EvidenceFile.objects.get(pk=files[name].pk) for name in ("stamped.jpg", "coffee-stamped.jpg"))
    assert stamped.triage == "near" and stamped.match_list_id == version.hash_list_id
    assert stamped.match_detail["verified"]["file"] == files["original.jpg"].pk
    assert stamped.match_detail["verified"]["inliers"] >= 20
    assert other.triage == "possible" and "verified" not in other.match_detail
