"""A classifier registered after a dossier was ingested is run over its images by a job the team
starts from the review page: on a real worker, chunk by chunk, with its progress; a file that does
not decode (or changed since it was ingested) is counted with its reason and the others are scored;
a second run adds nothing. Tests use a generated ONNX model (never a real classifier)."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from detectors.models import Classifier
from detectors.onnx_classifier import ClassifierSpec
from detectors.services import classifier_register
from evidence.ingest import archive_reading, redetection
from evidence.ingest.archives.walk import walk
from evidence.ingest.detection_jobs import dossier_detection_start
from evidence.ingest.resume import detection_jobs_resume
from evidence.models import Detection, DetectionJob, EvidenceFile, Face
from evidence.synthetic import synthetic_video_bytes
from tests.detectors.test_classifiers import brightness_model, jpeg
from tests.evidence.test_altered_copies import ingest, photo
from tests.evidence.test_altered_copies import jpeg as photo_jpeg
from tests.factories import wait_until, zip_bytes

BRIGHTNESS = ClassifierSpec("Brightness", "test-1", ("bright", "dark"), ("bright",), 16, 16)
CORRUPT_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x17" * 400


def register(admin) -> Classifier:
    return classifier_register(spec=BRIGHTNESS, weights=brightness_model(), by=admin)


def finished(job: DetectionJob) -> DetectionJob:
    return wait_until(lambda: (fresh := DetectionJob.objects.get(pk=job.pk)).is_finished and fresh)


@pytest.mark.django_db(transaction=True)
def test_the_team_runs_a_new_classifier_over_a_dossier_on_a_worker(
    client, admin, owner, colleague, outsider, prosecutor, dossier, exhibit, tmp_path, celery_worker
):
    files = {"dark.jpg": jpeg(20, 1), "bright.jpg": jpeg(235, 2), "grey.jpg": jpeg(128, 3), "broken.jpg": CORRUPT_JPEG}
    ingested = ingest(exhibit, owner, tmp_path / "seized", files)
    assert not Detection.objects.exists()  # ingested before the classifier existed (and NudeNet is off here)
    classifier = register(admin)
    start = reverse("detection_job_start", args=[dossier.pk])
    chosen = {"models": [f"classifier:{classifier.pk}"]}
    client.force_login(outsider)
    assert client.post(start, chosen).status_code == 404
    client.force_login(prosecutor)
    assert client.post(start, chosen).status_code == 403
    assert not DetectionJob.objects.exists()
    client.force_login(colleague)  # control
    assert client.post(start, chosen).status_code == 302

    job = finished(DetectionJob.objects.get(dossier=dossier))
    assert job.status == DetectionJob.Status.DONE and job.percent == 100
    assert job.files_done == job.files_total == 4 and job.files_scored == 3 and job.errors == 1
    assert set(job.reasons) <= {"image.corrupt", "image.unidentified"}
    scores = {d.file.name: d.score for d in Detection.objects.select_related("file", "detector")}
    assert set(scores) == {"dark.jpg", "bright.jpg", "grey.jpg"}
    assert scores["bright.jpg"] > 0.85 > scores["grey.jpg"] > 0.15 > scores["dark.jpg"]
    assert Detection.objects.get(file=ingested["bright.jpg"]).detector.sha256 == classifier.sha256
    start_event = AuditEvent.objects.get(action="detection_job.start")
    assert start_event.detail["classifiers"][0]["sha256"] == classifier.sha256
    progress = client.get(reverse("detection_job_progress", args=[dossier.pk, job.pk])).content.decode()
    assert 'data-status="done"' in progress and "hx-get" not in progress and "corrupt" in progress

    client.post(start, chosen)  # again: every image already has this model's score
    again = finished(DetectionJob.objects.exclude(pk=job.pk).get())
    assert again.status == DetectionJob.Status.DONE and again.files_scored == 0 and again.errors == 1
    assert Detection.objects.count() == 3
    review = client.get(reverse("dossier_review", args=[dossier.pk])).content.decode()
    assert 'data-testid="detection-job"' in review and "Brightness test-1: 3" in review


@pytest.mark.django_db
def test_a_file_changed_since_ingest_is_not_looked_at_and_a_lost_job_is_resumed(
    admin, owner, dossier, exhibit, tmp_path
):
    ingested = ingest(exhibit, owner, tmp_path / "seized", {"a.jpg": jpeg(200, 4), "b.jpg": jpeg(60, 5)})
    (tmp_path / "seized" / "b.jpg").write_bytes(jpeg(61, 6))  # not the bytes hashed at ingest
    job = dossier_detection_start(dossier=dossier, detectors=[], classifiers=[register(admin)], by=owner)
    assert detection_jobs_resume() == 1  # queued, no worker holds it: its message is sent again
    assert redetection.detection_job_run(job=job) is False  # one chunk held both files: done
    job.refresh_from_db()
    assert job.status == DetectionJob.Status.DONE and job.files_scored == 1 and job.errors == 1
    assert list(job.reasons) == ["detection.changed_since_ingest"]
    assert list(Detection.objects.values_list("file", flat=True)) == [ingested["a.jpg"].pk]
    assert detection_jobs_resume() == 0  # finished: nothing to take up again


@pytest.mark.django_db
def test_a_job_goes_on_after_the_last_file_done_and_looks_at_videos_keyframes(
    admin, owner, dossier, exhibit, tmp_path, monkeypatch
):
    monkeypatch.setattr(redetection, "CHUNK_FILES", 1)
    clip = synthetic_video_bytes([51, 52], size=(64, 48))
    files = ingest(exhibit, owner, tmp_path / "seized", {"a.jpg": jpeg(200, 7), "b.jpg": jpeg(60, 8), "c.mp4": clip})
    job = dossier_detection_start(dossier=dossier, detectors=[], classifiers=[register(admin)], by=owner)
    assert redetection.detection_job_run(job=job) is True  # a chunk of one file: the next is to be queued
    job.refresh_from_db()
    assert job.status == DetectionJob.Status.RUNNING and job.files_done == 1 and job.percent == 33
    while redetection.detection_job_run(job=job):
        pass
    job.refresh_from_db()
    assert job.status == DetectionJob.Status.DONE and job.files_scored == 3 and job.errors == 0
    assert Detection.objects.filter(file=files["c.mp4"]).count() == 1  # its keyframes' strongest score


@pytest.mark.django_db
def test_choosing_no_model_starts_nothing(client, colleague, dossier):
    client.force_login(colleague)
    response = client.post(reverse("detection_job_start", args=[dossier.pk]), {}, follow=True)
    assert "Choose at least one detector or classifier" in response.content.decode()
    assert not DetectionJob.objects.exists()


@pytest.mark.django_db
def test_a_dossier_ingested_without_the_face_model_gets_its_faces_from_a_job(
    client, owner, colleague, dossier, exhibit, tmp_path, settings
):
    files = {
        "astronaut.jpg": photo_jpeg(photo("astronaut.png", 800)),
        "coffee.jpg": photo_jpeg(photo("coffee.png", 800)),
    }
    ingested = ingest(exhibit, owner, tmp_path / "seized", files)
    assert not Face.objects.exists()  # ingested with the models off (as before the face model existed)
    settings.DETECTORS = ["nudenet", "faces"]
    client.force_login(colleague)
    form = client.get(reverse("dossier_review", args=[dossier.pk])).content.decode()
    assert 'value="detector:faces"' in form and 'value="detector:nudenet"' in form

    def run(detectors: list[str]) -> DetectionJob:
        job = dossier_detection_start(dossier=dossier, detectors=detectors, classifiers=[], by=owner)
        assert job.detectors == detectors
        while redetection.detection_job_run(job=job):
            pass
        job.refresh_from_db()
        assert job.status == DetectionJob.Status.DONE and job.errors == 0
        return job

    # As a unit that had NudeNet before the face model: its scores (and face boxes) are stored.
    assert run(["nudenet"]).files_scored == 2 and Detection.objects.count() == 2 and not Face.objects.exists()
    # The face model describes the faces in NudeNet's stored boxes: the astronaut's, none on the cup.
    assert run(["faces"]).files_scored == 2
    [face] = Face.objects.select_related("file", "detector")
    assert face.file == ingested["astronaut.jpg"] and face.detector.name == "dlib ResNet faces"
    assert len(bytes(face.embedding)) == 128 * 4 and face.crop and face.side >= 40
    # Again: the astronaut keeps its one face (not described twice); the cup, which left no face
    # behind, is looked at again.
    assert run(["faces"]).files_scored == 1
    assert Face.objects.count() == 1 and Detection.objects.count() == 2
    review = client.get(reverse("dossier_review", args=[dossier.pk])).content.decode()
    assert 'data-testid="faces-by"' in review and "dlib ResNet faces" in review


@pytest.mark.django_db
def test_members_of_an_archive_are_read_again_from_it_and_a_changed_member_is_not_looked_at(
    admin, owner, dossier, exhibit, tmp_path
):
    inner = zip_bytes({"bright.jpg": jpeg(235, 9)})
    archive = zip_bytes({"dark.jpg": jpeg(20, 10), "grey.jpg": jpeg(128, 11), "inner.zip": inner})
    ingest(exhibit, owner, tmp_path / "seized", {"holiday.zip": archive, "loose.jpg": jpeg(200, 12)})
    members = {f.path.rsplit("/", 1)[1]: f for f in EvidenceFile.objects.filter(container__isnull=False)}
    assert {"dark.jpg", "grey.jpg", "bright.jpg"} <= set(members)  # the nested member too
    classifier = register(admin)

    job = dossier_detection_start(dossier=dossier, detectors=[], classifiers=[classifier], by=owner)
    while redetection.detection_job_run(job=job):
        pass
    job.refresh_from_db()
    assert job.status == DetectionJob.Status.DONE and job.errors == 0, job.reasons
    assert job.files_scored == 4  # the loose photo and the three members, read from the archive
    scores = {d.file.name: d.score for d in Detection.objects.select_related("file")}
    assert scores["bright.jpg"] > 0.85 > scores["grey.jpg"] > 0.15 > scores["dark.jpg"]

    # The archive on the disk changed since: one member another picture, one gone. Neither is looked at.
    (tmp_path / "seized" / "holiday.zip").write_bytes(zip_bytes({"dark.jpg": jpeg(21, 13), "inner.zip": inner}))
    Detection.objects.all().delete()
    again = dossier_detection_start(dossier=dossier, detectors=[], classifiers=[classifier], by=owner)
    while redetection.detection_job_run(job=again):
        pass
    again.refresh_from_db()
    assert again.files_scored == 2 and again.errors == 2  # the loose photo and the untouched nested member
    assert set(again.reasons) == {"archive.member_changed", "archive.member_not_found_again"}
    assert {d.file.name for d in Detection.objects.select_related("file")} == {"loose.jpg", "bright.jpg"}


@pytest.mark.django_db
@pytest.mark.parametrize(("run_on", "walks"), [(1000, {1}), (2, {4, 5})])
def test_a_chunk_ending_among_an_archive_s_members_runs_on_to_the_last_of_them(
    admin, owner, dossier, exhibit, tmp_path, monkeypatch, run_on, walks
):
    """Chunks of two files: the first chunk takes the archive's eight members with it, so the archive
    is walked once, not once a chunk (control: with no running on, once per chunk holding members,
    four or five by where the loose photo falls, for the same scores)."""
    monkeypatch.setattr(redetection, "CHUNK_FILES", 2)
    monkeypatch.setattr(archive_reading, "ARCHIVE_CHUNK_FILES", run_on)
    walked = []
    monkeypatch.setattr(
        archive_reading, "walk", lambda *args, **kwargs: walked.append(args[2]) or walk(*args, **kwargs)
    )
    archive = zip_bytes({f"photo-{number}.jpg": jpeg(20 + 25 * number, number) for number in range(8)})
    ingest(exhibit, owner, tmp_path / "seized", {"album.zip": archive, "z-loose.jpg": jpeg(200, 12)})
    job = dossier_detection_start(dossier=dossier, detectors=[], classifiers=[register(admin)], by=owner)
    while redetection.detection_job_run(job=job):
        pass
    job.refresh_from_db()
    assert job.status == DetectionJob.Status.DONE and job.errors == 0 and job.files_scored == 9
    assert Detection.objects.count() == 9
    assert set(walked) == {"seized/album.zip"} and len(walked) in walks
