"""A video matches a known video as a whole: by the share of its keyframes that match the known
video's in order (vPDQ's idea), shown on the review tile and the file page; one shared keyframe is
not enough."""

import io

import pytest
from django.urls import reverse

from evidence.models import EvidenceFile
from evidence.synthetic import synthetic_video_bytes
from hashing.near_matching import NEAR, POSSIBLE, FrameShare, longest_in_order, video_strength
from hashing.perceptual import hamming
from tests.hashing.test_perceptual_matching import ingest
from tests.languages import _language_back_to_default, page_in  # noqa: F401 - an autouse fixture

KNOWN = [60, 61, 62, 63, 64, 65, 66, 67]  # synthetic seeds, one keyframe a second; 60 is the title card
OTHERS = [70, 71, 72]


@pytest.fixture(autouse=True)
def _derived_in_tmp(settings, tmp_path):
    settings.DERIVED_ROOT = tmp_path / "derived"


def trimmed(content: bytes, seconds: float) -> bytes:
    """The first ``seconds`` of a video, decoded and encoded again at a lower bit rate."""
    import av

    out = io.BytesIO()
    with av.open(io.BytesIO(content)) as source, av.open(out, mode="w", format="mp4") as target:
        stream = target.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        stream.gop_size, stream.bit_rate = 10, 120_000
        for frame in source.decode(video=0):
            if frame.time >= seconds:
                break
            again = av.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"), format="rgb24")
            for packet in stream.encode(again):
                target.mux(packet)
        for packet in stream.encode():
            target.mux(packet)
    return out.getvalue()


def test_a_trimmed_copy_matches_a_known_video_as_a_whole_and_one_shared_keyframe_does_not(
    client, exhibit, owner, tmp_path, settings
):
    original = synthetic_video_bytes(KNOWN)
    known = ingest(exhibit, owner, tmp_path / "known", {"known.mp4": original})["known.mp4"]
    assert known.frames.count() == len(KNOWN)
    EvidenceFile.objects.filter(pk=known.pk).update(triage="known", match_algorithm="review", match_category="1")
    files = ingest(
        exhibit,
        owner,
        tmp_path / "seized",
        {
            "trimmed.mp4": trimmed(original, len(KNOWN) / 2),  # its first half, re-encoded
            "same-title.mp4": synthetic_video_bytes([KNOWN[0], *OTHERS]),  # one keyframe in common
        },
    )
    copy = files["trimmed.mp4"]
    assert (copy.triage, copy.match_file_id, copy.match_category) == ("near", known.pk, "1")
    assert copy.match_detail["frames"] == {"matched": 4, "of": 4, "known": 8}
    assert copy.match_distance is not None and copy.match_detail["strength"] == "near"
    other = files["same-title.mp4"]
    # Its first keyframe is the known video's (the same title card): near by itself, yet not a match.
    title, theirs = other.frames.get(index=0), known.frames.get(index=0)
    assert hamming(bytes(title.pdq), bytes(theirs.pdq)) <= settings.PDQ_MATCH_DISTANCE
    assert (other.triage, other.match_file_id, other.match_detail) == ("new_video", None, None)

    client.force_login(owner)
    tile = client.get(reverse("dossier_review", args=[exhibit.dossier.pk])).content.decode()
    assert 'data-testid="match-frames"' in tile and "keyframes 4/4 in order" in tile
    page = client.get(copy.get_absolute_url()).content.decode()
    assert "4 of this video's 4 keyframes (100 %)" in page and "50 % of its 8 keyframes" in page
    assert "4 des 4 images clés de cette vidéo (100 %)" in page_in(client, "fr", copy.get_absolute_url())


def test_the_share_in_order_decides(settings):
    settings.VIDEO_NEAR_SHARE, settings.VIDEO_POSSIBLE_SHARE, settings.VIDEO_MIN_FRAMES = 0.5, 0.25, 2
    assert longest_in_order([[True, False], [False, True]]) == 2
    assert longest_in_order([[False, True], [True, False]]) == 1  # crossed: not in order
    assert longest_in_order([[True, True, True]]) == 1  # one keyframe counts once
    assert longest_in_order([]) == 0
    assert video_strength(FrameShare(6, 12, 10)) == NEAR
    assert video_strength(FrameShare(3, 12, 3)) == POSSIBLE
    assert video_strength(FrameShare(2, 12, 2)) is None
    assert video_strength(FrameShare(1, 2, 8)) is None  # one shared keyframe, however short the video
