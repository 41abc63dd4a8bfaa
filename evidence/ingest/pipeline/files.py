"""Processing one file: one read for its digests and its type, one decode for an image or a video."""

import dataclasses
import io

from django.conf import settings
from django.utils import timezone

from config.messages import code_of, message, reason_of
from config.store import store_derived
from detectors.faces import distinct
from detectors.observe import detections_and_faces, observer, registered_classifiers, strongest
from evidence.ingest import disk_files, disk_images, filetypes, sources
from evidence.ingest.archives.walk import container_kind
from evidence.models import Detection, Detector, EvidenceFile, Face, ImageMetadata, VideoFrame
from evidence.search.store import file_text_extract, has_text, keeps_text
from hashing import perceptual, video
from hashing.hashers import ALGORITHMS, digest_chunks


class FileRead:
    """One file read and hashed (``hash_read``), to be typed and finished (``hash_finish``)."""

    __slots__ = ("record", "locator", "path", "sniff")

    def __init__(self, record: EvidenceFile, locator, path, sniff: "_Sniffer"):
        self.record, self.locator, self.path, self.sniff = record, locator, path, sniff

    @property
    def typed(self) -> bool:
        """Typed while it was read: a file of several blocks, typed on its first."""
        return self.sniff.mime is not None

    @property
    def held(self) -> int:
        """Bytes this read keeps in memory until it is finished."""
        return len(self.sniff.first or b"") + len(self.sniff.kept or b"")

    def type(self) -> None:
        """Type a file read in one block (once per content in this process: libmagic)."""
        self.sniff.finish(self.record.sha256)


def hash_read(evidence_file: EvidenceFile, reader: disk_files.ImageReader) -> FileRead | None:
    """Read the file once: its three digests and size, its head, and (a file of several blocks)
    its type and the content of media small enough to decode. None when it cannot be read (the
    reason is on the record).

    A file read in one block (up to 1 MiB: nearly every small file) is typed afterwards
    (``FileRead.type``), so that a batch can type its small files one after the other: libmagic
    walks its whole table of tests for each file, and typing in between other work costs both
    libmagic's table and the pipeline's own data their place in the CPU caches (one Celery worker
    on 50,000 random files of 1-64 KiB: 425 us a file before, 400 after; bench/).
    """
    path = sources.real_path(evidence_file.source_path)
    locator = evidence_file.image_locator
    evidence_file.processed_at = timezone.now()
    content = (
        reader.read(path, locator["offset"], locator["inode"], locator.get("type")) if locator else file_blocks(path)
    )
    sniff = _Sniffer(evidence_file, locator)
    try:
        digests, size = digest_chunks(content, on_block=sniff)
    except sources.READ_ERRORS as error:
        evidence_file.error = message("file.unreadable", reason=reason_of(error))
        return None
    evidence_file.md5, evidence_file.sha1, evidence_file.sha256 = (digests[name] for name in ALGORITHMS)
    evidence_file.size = size
    return FileRead(evidence_file, locator, path, sniff)


# A later segment of a split E01 is hashed as a file; its content is listed with the image.


def hash_finish(read: FileRead, *, contents: "JobContents | None" = None) -> str:
    """Type the file if it is not yet (``FileRead.type``) and decode an image or a video from that
    same read.

    An image or video whose content (size and SHA-256) was already decoded in this job takes what
    that decode found from ``contents`` instead of being decoded again: no second decode,
    perceptual hashing, thumbnail or keyframe sampling (and ``match_files`` searches near matches
    once per content). The copy itself is still read once, whole: that it is a copy is known only
    from its SHA-256, and each path's digests must come from its own bytes (a copy's hashes are
    evidence about that copy, never inferred from another path's).
    Return what to expand next: "archive", "image" (a disk image found among files) or "".
    """
    evidence_file, locator, size = read.record, read.locator, read.record.size
    mime, kept, head = read.sniff.finish(evidence_file.sha256)
    evidence_file.mime = mime
    in_memory = io.BytesIO(kept) if kept is not None else None
    media = evidence_file.mime.startswith(("image/", "video/"))
    if size == 0:
        evidence_file.error = message("file.empty")
    elif media and contents is not None and (twin := contents.twin_of(evidence_file)) is not None:
        contents.reuse(evidence_file, twin)
    elif evidence_file.mime.startswith("image/"):
        if in_memory is not None:
            image_facts(evidence_file, in_memory)
        else:
            evidence_file.findings = [*evidence_file.findings, message("file.image_too_large_to_decode")]
    elif evidence_file.mime.startswith("video/"):
        if not locator:
            video_facts(evidence_file, sources.video_input(read.path))  # PyAV reads the file where it lies
        elif in_memory is not None:
            video_facts(evidence_file, in_memory)
        else:
            evidence_file.findings = [*evidence_file.findings, message("file.video_too_large_to_sample")]
    if media and size and contents is not None:
        contents.remember(evidence_file)
    if not media and has_text(evidence_file):
        file_text_extract(evidence_file, kept)  # from the bytes hashed: no second read
    if container_kind(head, evidence_file.mime, evidence_file.path, kept):
        return "archive"  # an archive, or an e-mail with attachments: its members join the job
    if not locator and disk_images.image_to_expand(head):
        return "image"
    if not locator and (segment := disk_images.ewf_segment_number(head)) > 1:
        evidence_file.findings = [*evidence_file.findings, message("file.e01_segment", number=segment)]
    return ""


# What decoding an image or a video found: the same for every copy of the same content.
DECODED_FIELDS = (
    "phash",
    "pdq",
    "pdq_quality",
    "pdq_variants",
    "phash_variants",
    "flat_share",
    "width",
    "height",
    "thumbnail",
    "duration",
    "error",
)
DECODE_FINDINGS = (
    "file.image_too_large_to_decode",
    "file.video_too_large_to_sample",
    "archive.member_too_large_to_decode",
)  # codes (config.messages)


class JobContents:
    """The images and videos of one job already decoded, by content: the same photo found at two
    paths is decoded, hashed perceptually and thumbnailed once, and both paths get the result.

    Content is the same only when size and SHA-256 are (never on a partial digest): two different
    files of the same size are never merged. Each path keeps its own row, its own digests from its
    own read, and a finding naming the path whose decode it shares. Looks in this batch first, then
    in the job's batches already saved (a batch running at the same time on another worker may
    decode the same content too: that costs time, never correctness).
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.seen: dict[tuple[int, bytes], EvidenceFile] = {}

    def twin_of(self, record: EvidenceFile) -> EvidenceFile | None:
        key = (record.size, bytes(record.sha256))
        if key not in self.seen:
            twin = (
                EvidenceFile.objects.filter(
                    job_id=self.job_id, size=record.size, sha256=record.sha256, processed_at__isnull=False
                )
                .exclude(pk=record.pk)
                .filter(mime=record.mime)
                .order_by("pk")
                .first()
            )
            if twin is None:
                return None
            self.seen[key] = twin
        twin = self.seen[key]
        return twin if twin.mime == record.mime else None

    def remember(self, record: EvidenceFile) -> None:
        self.seen.setdefault((record.size, bytes(record.sha256)), record)

    @staticmethod
    def reuse(record: EvidenceFile, twin: EvidenceFile) -> None:
        for name in DECODED_FIELDS:
            setattr(record, name, getattr(twin, name))
        frames = getattr(twin, "sampled_frames", None)
        if frames is None and twin.mime.startswith("video/"):
            frames = list(twin.frames.order_by("index"))
            twin.sampled_frames = frames
        if frames:
            record.sampled_frames = frames
        record.camera = _camera_of(twin)
        record.detected = _detections_of(twin)
        record.faces_seen = _faces_of(twin)
        kept = [finding for finding in twin.findings if code_of(finding) in DECODE_FINDINGS]
        record.findings = [*record.findings, *kept, message("file.same_content", path=twin.path)]


# What is kept of a file's first bytes: enough to tell an archive or a disk image.
HEAD = disk_images.HEAD_BYTES * 2


class _Sniffer:
    """What ``hash_read`` takes from the blocks as they are hashed: the head, the type, and the whole
    content of media small enough to decode in memory, and of documents whose text is read.

    A file of one block is typed after it is hashed (``finish``), once per content; a file of several
    blocks when its second block comes, from its first (the media kept must be known by then).
    """

    def __init__(self, record: EvidenceFile, locator):
        self.record, self.locator = record, locator
        self.first, self.head, self.mime, self.kept = None, b"", None, None

    def __call__(self, block: bytes) -> None:
        if self.first is None:
            self.first, self.head = block, bytes(block[:HEAD])
            return
        if self.mime is None:
            self.mime = filetypes.mime_of(self.head[: filetypes.SNIFF_BYTES])
            self.kept = bytearray(self.first) if self._decodable() else None
        if len(self.head) < HEAD:
            self.head += bytes(block[: HEAD - len(self.head)])
        if self.kept is not None:
            if len(self.kept) + len(block) > settings.ARCHIVE_MAX_BUFFER_BYTES:
                self.kept = None  # and never kept again
            else:
                self.kept.extend(block)

    def finish(self, sha256: bytes) -> tuple[str, "bytes | bytearray | None", bytes]:
        """The type, the content kept for decoding (or None) and the head. Types once."""
        if self.mime is None:  # one block (or none): the whole content, typed once per content
            self.mime = filetypes.mime_of_content(self.head[: filetypes.SNIFF_BYTES], sha256)
            self.kept = self.first if self.first is not None and self._decodable() else None
        return self.mime, self.kept, self.head

    def _decodable(self) -> bool:
        """An image, or a video inside a disk image (PyAV reads other videos where they lie), small
        enough (as listed) to decode from memory; or a document whose text is read (up to
        TEXT_MAX_FILE_BYTES)."""
        media = self.mime.startswith("image/") or (self.mime.startswith("video/") and bool(self.locator))
        return (media and self.record.size <= settings.ARCHIVE_MAX_BUFFER_BYTES) or keeps_text(self.record, self.mime)


def file_blocks(path):
    with sources.open_source(path) as stream:
        while block := stream.read(disk_images.CHUNK):
            yield block


def image_facts(record: EvidenceFile, stream) -> None:
    """Decode the image once: perceptual hashes, size, thumbnail; or the reason it does not decode."""
    try:
        digest = perceptual.digest_image(stream, observe=observer(settings.DETECTORS, registered_classifiers()))
    except perceptual.ImageRefused as refusal:
        record.error = refusal.message
        return
    record.phash, record.pdq, record.pdq_quality = digest.phash, digest.pdq, digest.pdq_quality
    record.pdq_variants, record.phash_variants = digest.pdq_variants, digest.phash_variants
    record.flat_share = digest.flat_share
    record.width, record.height = digest.width, digest.height
    record.camera = digest.camera  # saved with the file (``save_media_details``), as are
    # what the detectors saw (``detectors.Detection``) and the faces (``detectors.faces.Face``)
    record.detected, record.faces_seen = detections_and_faces(digest.observed)
    record.thumbnail = store_derived(
        settings.DERIVED_ROOT, "thumbnails", f"{bytes(record.sha256).hex()}.jpg", digest.thumbnail
    )


def video_facts(record: EvidenceFile, source) -> None:
    """Sample and hash the video's keyframes; a contact sheet as its thumbnail; or why it fails.

    The frames are kept on the record until it is saved (``save_video_frames``).
    """
    try:
        digest = video.digest_video(source, observe=observer(settings.DETECTORS, registered_classifiers()))
    except video.VideoRefused as refusal:
        record.error = refusal.message
        return
    record.duration, record.width, record.height = digest.duration, digest.width, digest.height
    if digest.findings:
        record.findings = [*record.findings, *digest.findings]
    record.thumbnail = store_derived(
        settings.DERIVED_ROOT, "thumbnails", f"{bytes(record.sha256).hex()}.jpg", digest.contact_sheet
    )
    record.sampled_frames = digest.frames
    record.detected = strongest(digest.observed)  # its keyframes looked at like images
    faces = []
    for frame, seen in zip(digest.frames, digest.observed, strict=False):
        faces += [(model, dataclasses.replace(face, time=frame.time)) for model, face in detections_and_faces(seen)[1]]
    record.faces_seen = distinct(faces)  # a person seen in several keyframes: once, the largest


def _camera_of(twin: EvidenceFile):
    """What a decoded twin's tags said: kept on it this run, or its saved row (an earlier batch's)."""
    if hasattr(twin, "camera"):
        return twin.camera
    if twin.pk is None or not twin.mime.startswith("image/"):
        return None
    twin.camera = ImageMetadata.objects.filter(file_id=twin.pk).first()
    return twin.camera


def _detections_of(twin: EvidenceFile) -> list:
    """What the detectors saw in a decoded twin: kept on it this run, or its saved rows."""
    if hasattr(twin, "detected"):
        return twin.detected
    if twin.pk is None:
        return []
    return list(Detection.objects.filter(file_id=twin.pk).select_related("detector"))


def _faces_of(twin: EvidenceFile) -> list:
    """The faces found in a decoded twin: kept on it this run, or its saved rows."""
    if hasattr(twin, "faces_seen"):
        return twin.faces_seen
    if twin.pk is None:
        return []
    return list(Face.objects.filter(file_id=twin.pk).select_related("detector"))


def save_media_details(files: list[EvidenceFile]) -> None:
    """Store what decoding the saved ``files`` found besides their own fields: videos' keyframes,
    images' camera facts, detections and faces (again: a re-run replaces them)."""
    save_video_frames(files)
    save_image_metadata(files)
    save_detections(files)
    save_faces(files)


def save_faces(files: list[EvidenceFile]) -> None:
    """One ``Face`` row per face found in a saved image or video, its crop in the derived store."""
    found = [f for f in files if f.pk is not None and getattr(f, "faces_seen", None)]
    if not found:
        return
    Face.objects.filter(file__in=found).delete()
    fields = ("left", "top", "width", "height", "side", "embedding", "crop", "time")
    models: dict[tuple, Detector] = {}
    rows = []
    for record in found:
        for number, item in enumerate(record.faces_seen):
            if isinstance(item, Face):  # a twin's saved row: the same for this copy
                rows.append(Face(file_id=record.pk, detector=item.detector, **{n: getattr(item, n) for n in fields}))
                continue
            model, face = item
            key = (model.detector, model.version, model.sha256)
            if key not in models:
                models[key] = Detector.objects.get_or_create(name=key[0], version=key[1], sha256=key[2])[0]
            name = f"{bytes(record.sha256).hex()}-{number}.jpg"
            left, top, width, height = face.box
            rows.append(
                Face(
                    file_id=record.pk,
                    detector=models[key],
                    left=left,
                    top=top,
                    width=width,
                    height=height,
                    side=face.side,
                    embedding=face.embedding,
                    crop=store_derived(settings.DERIVED_ROOT, "faces", name, face.crop),
                    time=face.time,
                )
            )
    Face.objects.bulk_create(rows)


def save_detections(files: list[EvidenceFile]) -> None:
    """One ``Detection`` row per saved image and detector that looked at it."""
    images = [f for f in files if f.pk is not None and getattr(f, "detected", None)]
    if not images:
        return
    Detection.objects.filter(file__in=images).delete()
    models: dict[tuple, Detector] = {}
    rows = []
    for image in images:
        for seen in image.detected:
            if isinstance(seen, Detection):  # a twin's saved row: the same for this copy
                rows.append(
                    Detection(
                        file_id=image.pk,
                        detector=seen.detector,
                        score=seen.score,
                        faces=seen.faces,
                        regions=seen.regions,
                    )
                )
                continue
            key = (seen.detector, seen.version, seen.sha256)
            if key not in models:
                models[key] = Detector.objects.get_or_create(name=key[0], version=key[1], sha256=key[2])[0]
            rows.append(
                Detection(
                    file_id=image.pk,
                    detector=models[key],
                    score=seen.score,
                    faces=seen.faces,
                    regions=seen.regions_as_data(),
                )
            )
    Detection.objects.bulk_create(rows)


def save_image_metadata(files: list[EvidenceFile]) -> None:
    """One ``ImageMetadata`` row per saved image whose tags said something (``hashing.exif``)."""
    images = [f for f in files if f.pk is not None and getattr(f, "camera", None) is not None]
    if not images:
        return
    ImageMetadata.objects.filter(file__in=images).delete()
    rows = []
    for image in images:
        facts = image.camera
        if isinstance(facts, ImageMetadata):  # a twin's saved row: the same facts for this copy
            fields = [f.attname for f in ImageMetadata._meta.concrete_fields if f.attname != "file_id"]
            rows.append(ImageMetadata(file_id=image.pk, **{name: getattr(facts, name) for name in fields}))
        else:
            rows.append(ImageMetadata.of_facts(image, facts))
    ImageMetadata.objects.bulk_create(rows)


def save_video_frames(files: list[EvidenceFile]) -> None:
    """Store the keyframes sampled from the saved videos among ``files`` (again: a re-run replaces them)."""
    videos = [f for f in files if getattr(f, "sampled_frames", None)]
    if not videos:
        return
    VideoFrame.objects.filter(file__in=videos).delete()
    VideoFrame.objects.bulk_create(
        VideoFrame(
            file=clip,
            index=index,
            time=frame.time,
            phash=frame.phash,
            pdq=frame.pdq,
            pdq_quality=frame.pdq_quality,
            pdq_variants=frame.pdq_variants,
            phash_variants=frame.phash_variants,
        )
        for clip in videos
        for index, frame in enumerate(clip.sampled_frames)
    )
