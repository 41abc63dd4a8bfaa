"""Detectors and classifiers run again over a dossier's images and videos already ingested: a
``DetectionJob``, a chunk of files per task, on the `media` queue.

Each file is read again where the ingest read it (a folder, a disk image), its SHA-256 computed on
the way: what a model looks at must be the bytes that were hashed (evidence is read-only), so a file
changed since is not looked at, with its reason. An image is decoded at the reduced size the
pipeline decodes it (``hashing.perceptual.decode``), a video's keyframes sampled as the pipeline
samples them (``hashing.video.digest_video``; its hashes are computed again and dropped). A model
that already looked at a file (its ``Detection`` under the same name, version and weights; for the
face model, a face of the file under its name) is not run on it again, and a content found at two
paths is decoded once per chunk. The face model takes NudeNet's face boxes, from this look or, for
an image, from NudeNet's stored detection; dlib's HOG detector where NudeNet never looked. Members
of an archive are read again by walking their archive once per chunk for all of them
(``evidence.ingest.archive_reading.members_again``), their SHA-256 checked on the way.
"""

import dataclasses
import hashlib
import io
from contextlib import nullcontext

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record
from config.messages import MessageError, code_of, message, reason_of
from config.work_locks import claim
from detectors import NUDENET
from detectors.faces import FaceDetector, distinct
from detectors.nudity import FACES as FACE_LABELS
from detectors.observe import (
    builtin,
    detections_and_faces,
    face_boxes,
    faces_model,
    forget_classifiers,
    model_key,
    registered_classifiers,
    scoring,
    strongest,
)
from evidence.background import background_job_fail
from evidence.ingest import disk_files, sources
from evidence.ingest.archive_reading import chunk_after, in_archive, members_again
from evidence.ingest.pipeline.files import file_blocks, save_faces
from evidence.models import Detection, DetectionJob, Detector, EvidenceFile, Face
from hashing import perceptual, video

CHUNK_FILES = 50  # a task's share: about 5 s of images, a minute or two of videos, far below the queue's limit


class NotLooked(MessageError):
    """Why a file was not looked at: ``message`` is a stored message (config.messages)."""


def files_to_observe(dossier):
    """The dossier's images and videos that the ingest finished with."""
    return EvidenceFile.objects.filter(exhibit__dossier=dossier, processed_at__isnull=False, size__gt=0).filter(
        Q(mime__startswith="image/") | Q(mime__startswith="video/")
    )


def detection_job_run(*, job: DetectionJob) -> bool:
    """Look at the job's next chunk of files (after the last one done); True if files may remain (the
    caller queues the next chunk), False once the job is finished or another worker holds it."""
    with claim("detection_job", job.pk) as mine:
        if not mine:
            return False
        job.refresh_from_db()
        if job.is_finished:
            return False
        models = _models_of(job)
        if not models:
            detection_job_fail(job_id=job.pk, reason=message("detection.no_model"))
            return False
        if job.status == DetectionJob.Status.QUEUED:
            DetectionJob.objects.filter(pk=job.pk).update(status=DetectionJob.Status.RUNNING)
        chunk = chunk_after(files_to_observe(job.dossier), job.last_file_id, CHUNK_FILES)
        if chunk:
            _observe_chunk(job, chunk, models)
        if len(chunk) < CHUNK_FILES:
            _finish(job)
            return False
        return True


def _models_of(job: DetectionJob) -> list:
    """The job's models as this worker has them: the built-in ones the DETECTORS setting still names,
    and the chosen classifiers still enabled (asked of the database now, not within REFRESH_SECONDS:
    a job is typically started right after a classifier is registered)."""
    forget_classifiers()
    wanted = set(job.classifiers.values_list("name", flat=True))
    names = [name for name in job.detectors if name in settings.DETECTORS]
    models = builtin(scoring(names)) + [loaded for loaded in registered_classifiers() if loaded.spec.name in wanted]
    return models + ([faces_model()] if "faces" in names else [])


def _observe_chunk(job: DetectionJob, chunk: list[EvidenceFile], models: list) -> None:
    by_key = {model_key(model): model for model in models}
    rows = {key: Detector.objects.get_or_create(name=key[0], version=key[1], sha256=key[2])[0] for key in by_key}
    done = set(
        Detection.objects.filter(file__in=chunk, detector__in=rows.values()).values_list("file_id", "detector_id")
    )
    # The face model left faces where it found some (none is no mark: such a file is looked at again).
    done |= set(Face.objects.filter(file__in=chunk, detector__in=rows.values()).values_list("file_id", "detector_id"))
    boxes = _stored_face_boxes(chunk) if any(isinstance(model, FaceDetector) for model in models) else {}
    found, with_faces, scored, reasons = [], [], 0, []
    looked: dict[tuple, tuple | NotLooked] = {}  # by content and models: copies decoded once

    def missing_of(record) -> tuple:
        return tuple(key for key, row in rows.items() if (record.pk, row.pk) not in done)

    def to_look_at():
        """The chunk's files each with its bytes: read where they lie when they are looked at
        (READ_HERE), or, members of an archive, as the walk of their archive reads them."""
        members = [record for record in chunk if in_archive(record) and missing_of(record)]
        yield from ((record, READ_HERE) for record in chunk if not in_archive(record))
        yield from members_again(members)

    with disk_files.ImageReader() as reader:
        for record, given in to_look_at():
            missing = missing_of(record)
            if not missing:
                continue
            content = (bytes(record.sha256 or b""), record.size, missing)
            if content not in looked:
                try:
                    looked[content] = _look(
                        record, [by_key[key] for key in missing], reader, boxes.get(record.pk), given
                    )
                except NotLooked as refusal:
                    looked[content] = refusal
            result = looked[content]
            if isinstance(result, NotLooked):
                reasons.append(result.message)
                continue
            scored += 1
            detections, faces = result
            found += [
                Detection(
                    file_id=record.pk,
                    detector=rows[(seen.detector, seen.version, seen.sha256)],
                    score=seen.score,
                    faces=seen.faces,
                    regions=seen.regions_as_data(),
                )
                for seen in detections
            ]
            if faces:
                record.faces_seen = faces
                with_faces.append(record)
    with transaction.atomic():
        # A chunk done twice (a task delivered again) adds nothing: one row per file and model, and
        # a file's faces replaced by the same ones.
        Detection.objects.bulk_create(found, ignore_conflicts=True)
        save_faces(with_faces)
        job.files_done += len(chunk)
        job.files_scored += scored
        job.errors += len(reasons)
        for reason in reasons:
            entry = job.reasons.setdefault(code_of(reason) or "other", {"count": 0, "first": reason})
            entry["count"] += 1
        job.last_file_id = chunk[-1].pk
        job.save(update_fields=["files_done", "files_scored", "errors", "reasons", "last_file_id"])


READ_HERE = object()  # a file read where it lies when it is looked at (not a member of an archive)


def _look(record: EvidenceFile, models: list, reader, stored_boxes=None, given=READ_HERE) -> tuple[list, list]:
    """What ``models`` see in the file: its detections (``detectors.nudity.Detection``s) and its faces
    (``(FacesSeen, Face)`` pairs, as the pipeline keeps them), or NotLooked with why. ``stored_boxes``:
    the face boxes NudeNet stored for the image, None if it never looked (``_stored_face_boxes``);
    ``given``: a member's bytes as its archive's walk read them (``members_again``)."""
    if given is READ_HERE:
        content = _read_again(record, reader)
    elif isinstance(given, dict):  # a stored message: why the member was not read again
        raise NotLooked(given)
    elif given is None:
        raise NotLooked(message("archive.member_too_large_to_decode"))
    else:
        content = given
    faces = next((model for model in models if isinstance(model, FaceDetector)), None)
    scorers = [model for model in models if model is not faces]
    nudenet = any(model_key(model)[0] == NUDENET for model in scorers)

    def observe(image, stored_boxes=None):
        seen = [model.detect(image) for model in scorers]
        if faces is not None:
            seen.append(faces.detect(image, face_boxes(seen) if nudenet else stored_boxes))
        return seen

    if record.mime.startswith("image/"):
        if content is None:
            raise NotLooked(message("file.image_too_large_to_decode"))
        stored = stored_boxes if faces is not None and not nudenet else None
        try:
            return detections_and_faces(observe(perceptual.decode(io.BytesIO(content), luma_modes=True), stored))
        except perceptual.ImageRefused as refusal:
            raise NotLooked(refusal.message) from refusal
    if content is None and record.image_locator:
        raise NotLooked(message("file.video_too_large_to_sample"))
    source = io.BytesIO(content) if content is not None else sources.video_input(sources.real_path(record.source_path))
    try:
        with source if hasattr(source, "read") else nullcontext(source) as opened:
            digest = video.digest_video(opened, observe=observe)
    except video.VideoRefused as refusal:
        raise NotLooked(refusal.message) from refusal
    seen_faces = []  # as the pipeline keeps a video's: each with its keyframe's time, a person once
    for frame, seen in zip(digest.frames, digest.observed, strict=False):
        seen_faces += [
            (model, dataclasses.replace(face, time=frame.time)) for model, face in detections_and_faces(seen)[1]
        ]
    return strongest(digest.observed), distinct(seen_faces)


def _stored_face_boxes(chunk: list[EvidenceFile]) -> dict[int, list[tuple]]:
    """File id -> the face boxes NudeNet found when it looked at the image (its latest stored regions),
    for the chunk's files NudeNet looked at, in one query; the face model looks for faces itself in the
    others."""
    boxes: dict[int, list[tuple]] = {}
    for file_id, regions in (
        Detection.objects.filter(file__in=chunk, detector__name=NUDENET)
        .order_by("pk")
        .values_list("file_id", "regions")
    ):
        boxes[file_id] = [tuple(region["box"]) for region in regions if region.get("label") in FACE_LABELS]
    return boxes


def _read_again(record: EvidenceFile, reader) -> bytes | None:
    """The file's bytes, or None past ARCHIVE_MAX_BUFFER_BYTES (hashed to its end all the same), once
    its SHA-256 is the one recorded at ingest; NotLooked otherwise."""
    path = sources.real_path(record.source_path)
    locator = record.image_locator
    digest, content = hashlib.sha256(), bytearray()
    try:
        blocks = (
            reader.read(path, locator["offset"], locator["inode"], locator.get("type"))
            if locator
            else file_blocks(path)
        )
        for block in blocks:
            digest.update(block)
            if content is not None:
                content.extend(block)
                if len(content) > settings.ARCHIVE_MAX_BUFFER_BYTES:
                    content = None
    except sources.READ_ERRORS as error:
        raise NotLooked(message("file.unreadable", reason=reason_of(error))) from error
    if record.sha256 is None or digest.digest() != bytes(record.sha256):
        raise NotLooked(message("detection.changed_since_ingest"))
    return bytes(content) if content is not None else None


def _finish(job: DetectionJob) -> None:
    with transaction.atomic():
        job.status, job.finished_at = DetectionJob.Status.DONE, timezone.now()
        job.files_done = max(job.files_done, job.files_total)
        job.save(update_fields=["status", "finished_at", "files_done"])
        audit_record(
            actor=None,
            action="detection_job.done",
            target=job,
            files=job.files_done,
            scored=job.files_scored,
            errors=job.errors,
        )


def detection_job_fail(*, job_id: int, reason) -> None:
    """Record why it stopped, so that it does not stay "running" for good."""
    background_job_fail(DetectionJob, pk=job_id, reason=reason, action="detection_job.failed", progress="files_done")
