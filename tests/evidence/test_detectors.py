"""Detectors run on every image the pipeline decodes: their scores and faces are stored per image
and model, shown on the tiles and the file page without revealing anything, filter and order the
review, and name their model in the court report; turned off, nothing runs."""

import io
from pathlib import Path

import pytest
import skimage
from django.urls import reverse
from PIL import Image

from evidence.models import Detection
from tests.evidence.test_altered_copies import ingest

DATA = Path(skimage.__file__).parent / "data"


def jpeg_of(name: str) -> bytes:
    out = io.BytesIO()
    Image.open(DATA / name).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


PHOTOS = {"astronaut.jpg": "astronaut.png", "cat.jpg": "chelsea.png", "coffee.jpg": "coffee.png"}


@pytest.fixture
def looked_at(owner, exhibit, tmp_path, detectors_on):
    return ingest(exhibit, owner, tmp_path / "seized", {name: jpeg_of(source) for name, source in PHOTOS.items()})


@pytest.mark.django_db
def test_every_image_is_looked_at_and_the_review_filters_and_orders_by_what_was_seen(
    client, colleague, exhibit, looked_at
):
    seen = {d.file.path.split("/")[-1]: d for d in Detection.objects.select_related("file", "detector")}
    assert set(seen) == set(PHOTOS)
    assert seen["astronaut.jpg"].faces == 1 and seen["cat.jpg"].faces == 0
    assert seen["astronaut.jpg"].detector.name == "NudeNet 320n"

    client.force_login(colleague)
    url = reverse("dossier_review", args=[exhibit.dossier.pk])
    faces = client.get(url, {"signal": "faces"}).content.decode()
    assert "astronaut.jpg" in faces and "cat.jpg" not in faces and 'data-testid="tile-faces"' in faces
    nothing = client.get(url, {"signal": "none"}).content.decode()
    assert "cat.jpg" in nothing
    # Most likely first: the tiles in the order of the stored scores, highest first.
    ordered = client.get(url, {"order": "likely"}).content.decode()
    positions = {name: ordered.index(f'data-path="seized/{name}"') for name in PHOTOS}
    by_score = sorted(PHOTOS, key=lambda name: (-seen[name].score, name))
    assert [name for name, _ in sorted(positions.items(), key=lambda item: item[1])][0] == by_score[0]

    page = client.get(looked_at["astronaut.jpg"].get_absolute_url()).content.decode()
    assert 'data-testid="detection"' in page and "FACE_FEMALE" in page


@pytest.mark.django_db
def test_the_court_report_names_the_model_its_version_and_hash(client, prosecutor, exhibit, looked_at):
    client.force_login(prosecutor)
    report = client.get(reverse("dossier_report", args=[exhibit.dossier.pk])).content.decode()
    sha256 = Detection.objects.select_related("detector").first().detector.sha256
    assert 'data-testid="report-detectors"' in report and "NudeNet 320n" in report and sha256 in report
    assert "astronaut" not in report  # totals only: no file name


@pytest.mark.django_db
def test_turned_off_no_detector_runs(owner, exhibit, tmp_path, settings):
    settings.DETECTORS = []
    files = ingest(exhibit, owner, tmp_path / "off", {"astronaut.jpg": jpeg_of("astronaut.png")})
    assert files["astronaut.jpg"].pdq and not Detection.objects.exists()  # hashed, not looked at


def video_of(names: list[str], size=(512, 512)) -> bytes:
    """An MP4 showing each bundled photo for a second, a keyframe a second."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.gop_size = 10
        for name in names:
            frame = av.VideoFrame.from_image(Image.open(DATA / name).convert("RGB").resize(size))
            for _ in range(10):
                for packet in stream.encode(frame):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_videos_keyframes_are_looked_at_like_images(owner, exhibit, tmp_path, detectors_on):
    files = ingest(
        exhibit,
        owner,
        tmp_path / "videos",
        {"portrait.mp4": video_of(["chelsea.png", "astronaut.png"]), "cat.mp4": video_of(["chelsea.png"] * 2)},
    )
    portrait, cat = (Detection.objects.get(file=files[name]) for name in ("portrait.mp4", "cat.mp4"))
    assert files["portrait.mp4"].triage == "new_video"
    assert (portrait.faces, cat.faces) == (1, 0)  # the astronaut's keyframe; none in the cat's
