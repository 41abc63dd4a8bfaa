"""Near copies of listed or categorised images become near matches, with their distance."""

import io

import pytest
from PIL import Image, ImageOps

from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile, IngestJob
from evidence.synthetic import synthetic_image, synthetic_video_bytes
from evidence.triage.matching import rematch_after_activation
from hashing import indexes
from hashing.importers import hash_list_version_import
from hashing.perceptual import digest_image, hamming
from hashing.services import hash_list_version_create
from tests.evidence.test_ingest import run_inline
from tests.factories import make_exhibit, sha256_hex

LISTED, OTHER, FLAT = 5, 12, 3  # synthetic seeds: PDQ quality 100, 100 and 24 at 640x480


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def hashes(image: Image.Image):
    return digest_image(io.BytesIO(jpeg(image)))


def perceptual_list(name: str, images, by, *, sha256s=(), category: str = "1"):
    """Import (and activate) a CSV list of the images' pHash and PDQ, plus exact SHA-256 lines."""
    lines = ["pHash,PDQ,SHA-256,Category"]
    for image in images:
        digest = hashes(image)
        lines.append(f"{digest.phash.hex()},{digest.pdq.hex()},,{category}")
    lines += [f",,{value},{category}" for value in sha256s]
    version = hash_list_version_create(
        name=name,
        kind="alert",
        stream=io.BytesIO("\n".join(lines).encode()),
        file_name=f"{name}.csv",
        by=by,
    )
    return hash_list_version_import(version=version)


def ingest(exhibit, by, folder, files: dict[str, bytes]) -> dict[str, EvidenceFile]:
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=folder, by=by, queue=False))
    return {name: EvidenceFile.objects.get(exhibit=exhibit, path=f"{folder.name}/{name}") for name in files}


@pytest.fixture(autouse=True)
def _derived_in_tmp(settings, tmp_path):
    settings.DERIVED_ROOT = tmp_path / "derived"


def test_resized_mirrored_and_re_encoded_copies_of_a_listed_image_are_near_matches(admin, exhibit, owner, tmp_path):
    original = synthetic_image(LISTED)
    version = perceptual_list("Near list", [original], by=admin)
    files = ingest(
        exhibit,
        owner,
        tmp_path / "src",
        {
            "resized.jpg": jpeg(original.resize((320, 240))),
            "mirrored.jpg": jpeg(ImageOps.mirror(original)),
            "rotated.jpg": jpeg(original.rotate(90, expand=True)),
            "re-encoded.jpg": jpeg(original, quality=30),
            "unrelated.jpg": jpeg(synthetic_image(OTHER)),
        },
    )
    for name in ("resized.jpg", "mirrored.jpg", "rotated.jpg", "re-encoded.jpg"):
        near = files[name]
        assert (near.triage, near.match_list, near.match_category) == ("near", version.hash_list, "1"), name
        assert near.match_algorithm in ("pdq", "phash") and near.match_file is None
        threshold = 31 if near.match_algorithm == "pdq" else 10
        assert 0 <= near.match_distance <= threshold
    unrelated = files["unrelated.jpg"]
    assert (unrelated.triage, unrelated.match_list, unrelated.match_distance) == ("new_image", None, None)


def test_a_video_whose_keyframe_is_near_a_listed_image_is_near(admin, exhibit, owner, tmp_path):
    perceptual_list("Near list", [synthetic_image(LISTED, size=(160, 120))], by=admin)
    files = ingest(
        exhibit,
        owner,
        tmp_path / "src",
        {"clip.mp4": synthetic_video_bytes([OTHER, LISTED]), "other.mp4": synthetic_video_bytes([OTHER, 14])},
    )
    assert files["clip.mp4"].triage == "near" and files["clip.mp4"].match_distance is not None
    assert files["other.mp4"].triage == "new_video"  # control: no keyframe near the list


def test_a_near_copy_of_a_file_a_reviewer_categorised_in_another_dossier_is_near(
    client, exhibit, owner, other_dossier, outsider, tmp_path
):
    theirs = ingest(
        make_exhibit(other_dossier), outsider, tmp_path / "theirs", {"a.jpg": jpeg(synthetic_image(LISTED))}
    )
    categorised = theirs["a.jpg"]
    EvidenceFile.objects.filter(pk=categorised.pk).update(triage="known", match_algorithm="review", match_category="1")
    files = ingest(
        exhibit,
        owner,
        tmp_path / "ours",
        {"copy.jpg": jpeg(synthetic_image(LISTED).resize((400, 300))), "other.jpg": jpeg(synthetic_image(OTHER))},
    )
    near = files["copy.jpg"]
    assert (near.triage, near.match_file, near.match_list, near.match_category) == ("near", categorised, None, "1")
    assert near.match_distance is not None
    assert files["other.jpg"].triage == "new_image"
    assert list(categorised.near_copies.all()) == [near]
    # The page shows the category and distance, not where the categorised file lies (not the owner's).
    client.force_login(owner)
    page = client.get(near.get_absolute_url()).content.decode()
    assert "a file categorised in this installation" in page and f"{near.match_distance} bit" in page
    assert "theirs/a.jpg" not in page and other_dossier.notice_number not in page
    # Control: a member of both dossiers is shown the file.
    from cases.models import Membership

    Membership.objects.create(dossier=other_dossier, user=owner, role=Membership.Role.INVESTIGATOR)
    assert "theirs/a.jpg" in client.get(near.get_absolute_url()).content.decode()


def test_an_exact_match_wins_over_a_near_one(admin, exhibit, owner, tmp_path):
    content = jpeg(synthetic_image(LISTED))
    version = perceptual_list("Both", [synthetic_image(LISTED)], by=admin, sha256s=[sha256_hex(content)])
    files = ingest(
        exhibit,
        owner,
        tmp_path / "src",
        {"same.jpg": content, "resized.jpg": jpeg(synthetic_image(LISTED).resize((320, 240)))},
    )
    exact = files["same.jpg"]
    assert (exact.triage, exact.match_algorithm, exact.match_distance, exact.match_list) == (
        "known",
        "sha256",
        None,
        version.hash_list,
    )
    assert files["resized.jpg"].triage == "near"


def test_a_low_quality_pdq_is_not_used(admin, exhibit, owner, tmp_path):
    flat, good = synthetic_image(FLAT), synthetic_image(LISTED)
    assert hashes(flat).pdq_quality < 50 <= hashes(good).pdq_quality
    lines = ["PDQ,Category", f"{hashes(flat).pdq.hex()},1", f"{hashes(good).pdq.hex()},1"]
    version = hash_list_version_create(
        name="PDQ only",
        kind="alert",
        stream=io.BytesIO("\n".join(lines).encode()),
        file_name="p.csv",
        by=admin,
    )
    hash_list_version_import(version=version)
    files = ingest(
        exhibit,
        owner,
        tmp_path / "src",
        {"flat.jpg": jpeg(flat.resize((320, 240))), "good.jpg": jpeg(good.resize((320, 240)))},
    )
    assert files["flat.jpg"].triage == "new_image"
    assert (files["good.jpg"].triage, files["good.jpg"].match_algorithm) == ("near", "pdq")  # control


def test_a_uniform_border_is_trimmed_before_matching(admin, exhibit, owner, tmp_path):
    original = synthetic_image(LISTED)
    framed = ImageOps.expand(original, border=64, fill=(255, 255, 255))
    assert hamming(hashes(framed).pdq, hashes(original).pdq) > 31  # the frame alone defeats PDQ
    perceptual_list("Near list", [original], by=admin)
    files = ingest(exhibit, owner, tmp_path / "src", {"framed.jpg": jpeg(framed)})
    assert files["framed.jpg"].triage == "near"


def test_the_index_is_persisted_per_version_and_follows_activation(admin, exhibit, owner, tmp_path, settings):
    first, second = synthetic_image(LISTED), synthetic_image(OTHER)
    old = perceptual_list("Rotating", [first], by=admin)
    files = ingest(
        exhibit,
        owner,
        tmp_path / "src",
        {"one.jpg": jpeg(first.resize((320, 240))), "two.jpg": jpeg(second.resize((320, 240)))},
    )
    assert [files[n].triage for n in ("one.jpg", "two.jpg")] == ["near", "new_image"]
    old_index = indexes.index_path(old, "pdq")
    assert old_index.exists() and old_index.with_suffix(".ids.npy").exists()
    new = perceptual_list("Rotating", [second], by=admin)  # imported and activated: the old one is not active
    rematch_after_activation(version=new, previous_id=old.pk)
    assert indexes.index_path(new, "pdq").exists()
    triages = [EvidenceFile.objects.get(pk=files[n].pk).triage for n in ("one.jpg", "two.jpg")]
    assert triages == ["new_image", "near"]
    loaded = {index.version_id for index in indexes.active_indexes()}
    assert new.pk in loaded and old.pk not in loaded


def test_a_reviewer_categorisation_is_never_undone_by_re_matching(admin, exhibit, owner, tmp_path):
    files = ingest(exhibit, owner, tmp_path / "src", {"a.jpg": jpeg(synthetic_image(OTHER))})
    EvidenceFile.objects.filter(pk=files["a.jpg"].pk).update(
        triage="known", match_algorithm="review", match_category="2"
    )
    version = perceptual_list("Near list", [synthetic_image(LISTED)], by=admin)
    rematch_after_activation(version=version, previous_id=None)
    kept = EvidenceFile.objects.get(pk=files["a.jpg"].pk)
    assert (kept.triage, kept.match_algorithm, kept.match_category) == ("known", "review", "2")
    assert IngestJob.objects.count() == 1


def test_a_still_of_a_categorised_video_is_near_that_video(exhibit, owner, tmp_path):
    videos = ingest(exhibit, owner, tmp_path / "videos", {"clip.mp4": synthetic_video_bytes([OTHER, LISTED])})
    EvidenceFile.objects.filter(pk=videos["clip.mp4"].pk).update(
        triage="known", match_algorithm="review", match_category="1"
    )
    stills = ingest(
        exhibit,
        owner,
        tmp_path / "stills",
        {"still.jpg": jpeg(synthetic_image(LISTED, size=(160, 120))), "other.jpg": jpeg(synthetic_image(14))},
    )
    assert (stills["still.jpg"].triage, stills["still.jpg"].match_file) == ("near", videos["clip.mp4"])
    assert stills["other.jpg"].triage == "new_image"


@pytest.mark.django_db(transaction=True)
def test_copies_ingested_before_a_categorisation_become_near_once_a_reviewer_decides(
    client, exhibit, owner, other_dossier, outsider, tmp_path, celery_worker
):
    from django.urls import reverse

    from tests.evidence.review_data import ensure_category_schemes
    from tests.factories import wait_until

    ensure_category_schemes()  # a transactional test starts without the seeded schemes
    elsewhere = ingest(
        make_exhibit(other_dossier),
        outsider,
        tmp_path / "theirs",
        {"copy.jpg": jpeg(synthetic_image(LISTED).resize((400, 300))), "other.jpg": jpeg(synthetic_image(OTHER))},
    )
    ours = ingest(exhibit, owner, tmp_path / "ours", {"a.jpg": jpeg(synthetic_image(LISTED))})
    assert elsewhere["copy.jpg"].triage == "new_image"  # nothing known yet
    client.force_login(owner)
    response = client.post(
        reverse("review_categorise", args=[exhibit.dossier.pk]), {"files": str(ours["a.jpg"].pk), "category": "vics:1"}
    )
    assert response.status_code == 302
    assert EvidenceFile.objects.get(pk=ours["a.jpg"].pk).triage == "known"
    copy = elsewhere["copy.jpg"]
    wait_until(lambda: EvidenceFile.objects.get(pk=copy.pk).triage == "near")
    copy.refresh_from_db()
    assert (copy.match_file_id, copy.match_category) == (ours["a.jpg"].pk, "1") and copy.match_distance is not None
    assert EvidenceFile.objects.get(pk=elsewhere["other.jpg"].pk).triage == "new_image"  # control: unrelated
