"""Faces found in a dossier's images are stored with their crop, grouped on the dossier's Faces tab
(veiled crops; a reveal audited like a thumbnail's) and searched across the dossiers whose files the
user may see: the same photo in another unit's dossier is found only once the user is its member."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases.models import Membership
from evidence.models import Face
from tests.evidence.test_altered_copies import ingest
from tests.evidence.test_detectors import jpeg_of, video_of
from tests.factories import make_exhibit


@pytest.fixture
def faces_seen(owner, exhibit, tmp_path, faces_on):
    photos = {"astronaut.jpg": jpeg_of("astronaut.png"), "coffee.jpg": jpeg_of("coffee.png")}
    return ingest(exhibit, owner, tmp_path / "seized", photos)


@pytest.mark.django_db
def test_faces_are_stored_grouped_and_shown_veiled(client, colleague, exhibit, faces_seen):
    [face] = Face.objects.select_related("detector")
    assert face.file == faces_seen["astronaut.jpg"] and face.detector.name == "dlib ResNet faces"
    assert len(bytes(face.embedding)) == 512 and face.crop.startswith("faces/") and 0.2 < face.left < 0.5

    client.force_login(colleague)
    tab = client.get(reverse("dossier_faces", args=[exhibit.dossier.pk])).content.decode()
    assert tab.count('data-testid="face-group"') == 1 and reverse("face_crop", args=[face.pk]) in tab
    review = client.get(reverse("dossier_review", args=[exhibit.dossier.pk]), {"signal": "faces"}).content.decode()
    assert "astronaut.jpg" in review and "coffee.jpg" not in review
    page = client.get(faces_seen["astronaut.jpg"].get_absolute_url()).content.decode()
    assert 'data-testid="file-faces"' in page and reverse("face_detail", args=[face.pk]) in page

    veiled = client.get(reverse("face_crop", args=[face.pk]))
    revealed = client.get(reverse("face_crop", args=[face.pk]), {"reveal": "1"})
    assert veiled.status_code == revealed.status_code == 200
    assert b"".join(veiled) != b"".join(revealed)  # blurred and greyscale until revealed
    actions = list(AuditEvent.objects.filter(actor=colleague).values_list("action", "detail"))
    assert ("media.thumbnail", {"face": face.pk}) in actions and ("media.reveal", {"face": face.pk}) in actions
    assert client.session["reveals_this_session"] == 1


@pytest.mark.django_db
def test_a_face_is_found_only_in_the_dossiers_whose_files_the_user_sees(
    client, owner, outsider, exhibit, other_dossier, faces_seen, tmp_path
):
    elsewhere = make_exhibit(other_dossier, seal_number="SC-9", by=outsider)
    ingest(elsewhere, outsider, tmp_path / "other", {"portrait.jpg": jpeg_of("astronaut.png")})
    [mine] = Face.objects.filter(file__exhibit=exhibit)
    theirs = Face.objects.get(file__exhibit=elsewhere)

    client.force_login(owner)
    page = client.get(reverse("face_detail", args=[mine.pk])).content.decode()
    assert 'data-testid="faces-none"' in page and other_dossier.notice_number not in page
    assert client.get(reverse("face_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("face_crop", args=[theirs.pk])).status_code == 404
    event = AuditEvent.objects.filter(actor=owner, action="face.search").latest("pk")
    assert event.detail == {"face": mine.pk, "found": 0}

    # Control: once the owner is an investigating member of the other dossier, its face is found.
    Membership.objects.create(dossier=other_dossier, user=owner, role=Membership.Role.INVESTIGATOR)
    page = client.get(reverse("face_detail", args=[mine.pk])).content.decode()
    assert page.count('data-testid="face-found"') == 1 and other_dossier.notice_number in page
    assert "other/portrait.jpg" in page


@pytest.mark.django_db
def test_a_videos_keyframes_give_its_faces_once_with_their_time(owner, exhibit, tmp_path, faces_on):
    # The astronaut shown for three seconds: three keyframes, one person.
    files = ingest(
        exhibit, owner, tmp_path / "videos", {"portrait.mp4": video_of(["coffee.png"] + ["astronaut.png"] * 3)}
    )
    [face] = Face.objects.filter(file=files["portrait.mp4"])
    assert face.time is not None and face.time >= 1.0 and face.crop


@pytest.mark.django_db
def test_the_court_report_names_the_face_model_and_its_hash(client, prosecutor, exhibit, faces_seen):
    client.force_login(prosecutor)
    report = client.get(reverse("dossier_report", args=[exhibit.dossier.pk])).content.decode()
    model = Face.objects.select_related("detector").get().detector
    assert model.name in report and model.sha256 in report and 'data-testid="report-faces"' in report
    assert "astronaut" not in report  # totals only: no file name


@pytest.mark.django_db
def test_a_search_sees_the_faces_added_and_removed_since_the_last_one(client, owner, exhibit, faces_seen):
    """Each web process keeps a dossier's descriptions between searches (evidence.faces): a face
    added since is found, a face removed since is not."""
    [face] = Face.objects.all()
    url = reverse("face_detail", args=[face.pk])
    client.force_login(owner)
    assert client.get(url).content.decode().count('data-testid="face-found"') == 0

    added = Face.objects.create(
        file=faces_seen["coffee.jpg"], detector=face.detector, left=0.1, top=0.1, width=0.2, height=0.2,
        side=60, embedding=bytes(face.embedding),
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert page.count('data-testid="face-found"') == 1 and reverse("face_crop", args=[added.pk]) in page

    added.delete()
    assert client.get(url).content.decode().count('data-testid="face-found"') == 0
