"""The same content at two paths of one job is decoded once; files that only share a size never merge."""

import pytest

from evidence.models import EvidenceFile, VideoFrame
from evidence.services import ingest_job_create_from_path
from evidence.synthetic import synthetic_image_bytes
from hashing import perceptual
from tests.evidence.test_ingest import run_inline
from tests.factories import sha256_hex, video_bytes


@pytest.fixture
def decodes(monkeypatch):
    """Counts the image decodes the pipeline asks for (the function itself still runs)."""
    calls = []
    real = perceptual.digest_image

    def counting(stream):
        calls.append(1)
        return real(stream)

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
    assert copy.findings == ["same content as src/a/photo.jpg: decoded once for both"] and first.findings == []
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
    assert two.findings == ["same content as src/one.mp4: decoded once for both"]
