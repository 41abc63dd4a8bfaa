"""Videos: keyframes sampled and hashed like images, a contact sheet, the duration."""

import io

from config.messages import english
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile, VideoFrame
from evidence.synthetic import synthetic_image
from hashing.perceptual import digest_image, hamming
from tests.evidence.test_ingest import run_inline
from tests.factories import video_bytes, zip_bytes


def jpeg(seed) -> io.BytesIO:
    out = io.BytesIO()
    synthetic_image(seed, size=(160, 120)).save(out, format="JPEG", quality=95)
    out.seek(0)
    return out


def test_a_video_gets_its_duration_keyframe_hashes_and_a_contact_sheet(exhibit, owner, tmp_path, settings):
    settings.DERIVED_ROOT = tmp_path / "derived"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "clip.mp4").write_bytes(video_bytes([1, 2, 3]))
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    clip = EvidenceFile.objects.get()
    assert (clip.mime, clip.triage, clip.error) == ("video/mp4", "new_video", "")
    assert round(clip.duration) == 3 and (clip.width, clip.height) == (160, 120)
    frames = list(clip.frames.all())
    assert [round(frame.time) for frame in frames] == [0, 1, 2]
    for seed, frame in zip([1, 2, 3], frames, strict=True):  # each keyframe hashes like its picture
        assert hamming(bytes(frame.phash), digest_image(jpeg(seed)).phash) <= 10
    assert (settings.DERIVED_ROOT / clip.thumbnail).exists()


def test_a_video_in_an_archive_is_sampled_too_and_a_damaged_one_is_recorded(exhibit, owner, tmp_path, settings):
    settings.DERIVED_ROOT = tmp_path / "derived"
    good = video_bytes([4, 5])
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "phone.zip").write_bytes(zip_bytes({"DCIM/v.mp4": good, "DCIM/broken.mp4": good[:300]}))
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    video = EvidenceFile.objects.get(path="src/phone.zip/DCIM/v.mp4")
    assert video.frames.count() == 2 and video.error == ""
    broken = EvidenceFile.objects.get(path="src/phone.zip/DCIM/broken.mp4")
    assert (broken.mime, broken.triage) == ("video/mp4", "error") and english(broken.error).startswith("corrupt video")
    assert VideoFrame.objects.filter(file=broken).count() == 0
