"""A video cut short of its own index (an MP4 written "fast start") says so instead of passing as whole."""

import av

from config.messages import english
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile
from evidence.synthetic import synthetic_image
from hashing.video import digest_video
from tests.evidence.test_ingest import run_inline


def fast_start_mp4(path, seconds: int = 6) -> bytes:
    """The index (moov) written before the frames, as phones and web encoders do."""
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        stream.gop_size = 10
        for seed in range(seconds):
            frame = av.VideoFrame.from_image(synthetic_image(seed, size=(160, 120)))
            for _ in range(10):
                for packet in stream.encode(frame):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = path.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # the index does come first
    return data


def test_a_cut_fast_start_video_is_noted_and_a_whole_one_is_not(tmp_path):
    whole = fast_start_mp4(tmp_path / "whole.mp4")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) * 6 // 10])
    digest = digest_video(str(cut))
    assert digest.frames  # what is there is still sampled
    assert (
        len(digest.findings) == 1
        and "cut short" in english(digest.findings[0])
        and "of the 60 frames" in english(digest.findings[0])
    )
    assert digest_video(str(tmp_path / "whole.mp4")).findings == ()


def test_the_pipeline_records_the_cut_on_the_file(exhibit, owner, tmp_path, settings):
    settings.DERIVED_ROOT = tmp_path / "derived"
    source = tmp_path / "src"
    source.mkdir()
    whole = fast_start_mp4(tmp_path / "whole.mp4")
    (source / "cut.mp4").write_bytes(whole[: len(whole) // 2])
    (source / "whole.mp4").write_bytes(whole)
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner, queue=False))
    cut, complete = EvidenceFile.objects.get(path="src/cut.mp4"), EvidenceFile.objects.get(path="src/whole.mp4")
    assert cut.triage == "new_video" and any("cut short" in finding for finding in map(english, cut.findings))
    assert complete.triage == "new_video" and not any(
        "cut short" in finding for finding in map(english, complete.findings)
    )
