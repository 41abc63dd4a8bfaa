"""The same content at two paths of one job is decoded once; files that only share a size never merge."""

import pytest

from config.messages import english
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile, VideoFrame
from evidence.synthetic import synthetic_image, synthetic_image_bytes
from hashing import perceptual
from tests.evidence.test_ingest import run_inline
from tests.factories import sha256_hex, video_bytes, zip_bytes


@pytest.fixture
def decodes(monkeypatch):
    """Counts the image decodes the pipeline asks for (the function itself still runs)."""
    calls = []
    real = perceptual.digest_image

    def counting(stream, **options):
        calls.append(1)
        return real(stream, **options)

    monkeypatch.setattr(perceptual, "digest_image", counting)
    return calls


@pytest.mark.parametrize("batch_files", [1, 500])  # the copy in another batch, then in the same one
def test_a_photo_at_two_paths_is_decoded_once_and_both_paths_are_listed(
    exhibit, owner, tmp_path, settings, decodes, batch_files
):
    settings.INGEST_BATCH_FILES = batch_files
    photo, other = synthetic_image_bytes(1), synthetic_image_bytes(2)
    # A different photo padded to the same size (JPEG readers ignore bytes after the image).
    other = other + b"\0" * (len(photo) - len(other)) if len(other) < len(photo) else other
    photo = photo + b"\0" * (len(other) - len(photo))
    assert len(photo) == len(other) and photo != other
    for name, content in {"a/photo.jpg": photo, "b/copy of photo.jpg": photo, "c/other.jpg": other}.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_bytes(content)
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    assert job.status == "done" and len(decodes) == 2  # the photo once, the other photo once
    first, copy, different = (
        EvidenceFile.objects.get(path=f"src/{name}") for name in ("a/photo.jpg", "b/copy of photo.jpg", "c/other.jpg")
    )
    assert first.sha256_hex == copy.sha256_hex == sha256_hex(photo)
    assert (copy.md5, copy.phash, copy.pdq, copy.thumbnail, copy.triage) == (
        first.md5, first.phash, first.pdq, first.thumbnail, "new_image",
    )  # fmt: skip
    assert [english(f) for f in copy.findings] == [
        "same content as src/a/photo.jpg: decoded once for both"
    ] and first.findings == []
    # Same size, different content: its own digests and its own decode, nothing shared.
    assert different.sha256_hex == sha256_hex(other) != first.sha256_hex and different.findings == []
    assert different.phash != first.phash and different.thumbnail != first.thumbnail


def test_a_video_at_two_paths_shares_its_sampled_keyframes(exhibit, owner, tmp_path, settings):
    settings.INGEST_BATCH_FILES = 1
    (tmp_path / "src").mkdir()
    video = video_bytes([1, 2])
    for name in ("one.mp4", "two.mp4"):
        (tmp_path / "src" / name).write_bytes(video)
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    one, two = EvidenceFile.objects.get(path="src/one.mp4"), EvidenceFile.objects.get(path="src/two.mp4")
    assert one.triage == two.triage == "new_video" and one.duration == two.duration
    frames = [list(VideoFrame.objects.filter(file=f).values_list("phash", "time")) for f in (one, two)]
    assert frames[0] and frames[0] == frames[1]
    assert [english(f) for f in two.findings] == ["same content as src/one.mp4: decoded once for both"]


def test_a_photo_in_an_archive_and_beside_it_is_decoded_and_thumbnailed_once(
    exhibit, owner, tmp_path, settings, decodes
):
    settings.DERIVED_ROOT = tmp_path / "derived"
    photo, other = synthetic_image_bytes(1), synthetic_image_bytes(2)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "photo.jpg").write_bytes(photo)
    (tmp_path / "src" / "seized.zip").write_bytes(
        zip_bytes({"DCIM/photo.jpg": photo, "backup/photo (1).jpg": photo, "other.jpg": other})
    )
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    assert job.status == "done" and len(decodes) == 2  # the photo once for its three paths, the other once
    copies = EvidenceFile.objects.filter(sha256=bytes.fromhex(sha256_hex(photo))).order_by("pk")
    assert copies.count() == 3
    assert len({(f.phash, f.pdq, f.thumbnail, f.triage) for f in copies}) == 1
    assert [[english(x) for x in f.findings] for f in copies[1:]] == [
        ["same content as src/photo.jpg: decoded once for both"]
    ] * 2
    # One thumbnail per content, whatever the number of paths.
    assert len(list((tmp_path / "derived" / "thumbnails").rglob("*.jpg"))) == 2


def test_copies_of_a_photo_near_a_listed_image_are_searched_once_and_both_are_near(
    admin, exhibit, owner, tmp_path, settings, monkeypatch
):
    from evidence.triage import matching
    from tests.hashing.test_perceptual_matching import LISTED, jpeg, perceptual_list

    settings.DERIVED_ROOT = tmp_path / "derived"
    asked = []
    real = matching.near_matches

    def counting(files, frames_of, **options):
        asked.extend(bytes(f.sha256) for f in files)
        return real(files, frames_of, **options)

    monkeypatch.setattr(matching, "near_matches", counting)
    original = synthetic_image(LISTED)
    version = perceptual_list("Near list", [original], by=admin)
    resized = jpeg(original.resize((320, 240)))
    (tmp_path / "src").mkdir()
    for name in ("a.jpg", "b.jpg"):
        (tmp_path / "src" / name).write_bytes(resized)
    (tmp_path / "src" / "unrelated.jpg").write_bytes(synthetic_image_bytes(12))
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    a, b = (EvidenceFile.objects.get(path=f"src/{name}") for name in ("a.jpg", "b.jpg"))
    assert asked.count(bytes(a.sha256)) == 1 and len(asked) == 2  # the copy and the unrelated photo
    assert (a.triage, a.match_list, a.match_distance) == (b.triage, b.match_list, b.match_distance)
    assert (a.triage, a.match_list) == ("near", version.hash_list)
    assert EvidenceFile.objects.get(path="src/unrelated.jpg").triage == "new_image"  # control


def test_libmagic_types_each_content_once_and_every_copy_gets_its_answer(
    exhibit, owner, tmp_path, settings, monkeypatch
):
    import os

    import magic

    from evidence.ingest import filetypes

    asked = []
    real = filetypes.mime_of

    def counting(head):
        asked.append(head)
        return real(head)

    monkeypatch.setattr(filetypes, "mime_of", counting)
    settings.INGEST_BATCH_FILES = 2  # copies in the same batch and in later ones
    note, other = b"a note about the seizure\n" * 40 + os.urandom(8).hex().encode(), os.urandom(1000)
    (tmp_path / "src").mkdir()
    for name, content in {"a.txt": note, "b.txt": note, "c.txt": note, "d.bin": other}.items():
        (tmp_path / "src" / name).write_bytes(content)
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    assert job.status == "done"
    assert sorted(asked) == sorted([note, other])  # once per content, never for a copy
    files = {f.path: f for f in EvidenceFile.objects.filter(job=job)}
    assert {files[f"src/{name}"].mime for name in ("a.txt", "b.txt", "c.txt")} == {magic.from_buffer(note, mime=True)}
    assert files["src/d.bin"].mime == magic.from_buffer(other, mime=True) == "application/octet-stream"
    assert files["src/a.txt"].mime == "text/plain"
