"""Processing one file: one read for its digests and its type, one decode for an image or a video."""

import io

from django.conf import settings
from django.utils import timezone

from evidence import archives, disk_images, filetypes, sources
from evidence.models import EvidenceFile, VideoFrame
from evidence.store import store_derived
from hashing import perceptual
from hashing.hashers import ALGORITHMS, digest_chunks


def hash_one(
    evidence_file: EvidenceFile, reader: disk_images.ImageReader, *, contents: "JobContents | None" = None
) -> str:
    """Hash one file in one read and type it by content; decode an image from that same read.

    An image or video whose content (size and SHA-256) was already decoded in this job takes what
    that decode found from ``contents`` instead of being decoded again: no second decode,
    perceptual hashing, thumbnail or keyframe sampling (and ``match_files`` searches near matches
    once per content). The copy itself is still read once, whole: that it is a copy is known only
    from its SHA-256, and each path's digests must come from its own bytes (a copy's hashes are
    evidence about that copy, never inferred from another path's).
    Return what to expand next: "archive", "image" (a disk image found among files) or "".
    """
    head = bytearray()
    kept = bytearray()  # the whole content, when it is media small enough to decode in memory
    state = {"keep": None, "mime": "application/x-empty"}
    path = sources.real_path(evidence_file.source_path)
    locator = evidence_file.image_locator

    def sniff(block: bytes) -> None:
        if len(head) < disk_images.HEAD_BYTES * 2:
            head.extend(block[: disk_images.HEAD_BYTES * 2 - len(head)])
        if state["keep"] is None:  # the type and what to keep are decided on the first block
            state["mime"] = mime = filetypes.mime_of(bytes(block[: filetypes.SNIFF_BYTES]))
            decodable = mime.startswith("image/") or (mime.startswith("video/") and locator)
            state["keep"] = bool(decodable) and evidence_file.size <= settings.ARCHIVE_MAX_BUFFER_BYTES
        if state["keep"]:
            if len(kept) + len(block) > settings.ARCHIVE_MAX_BUFFER_BYTES:
                state["keep"] = False
                kept.clear()
            else:
                kept.extend(block)

    evidence_file.processed_at = timezone.now()
    content = reader.read(path, locator["offset"], locator["inode"]) if locator else file_blocks(path)
    try:
        digests, size = digest_chunks(content, on_block=sniff)
    except sources.READ_ERRORS as error:
        evidence_file.error = f"unreadable: {error}"
        return ""
    evidence_file.md5, evidence_file.sha1, evidence_file.sha256 = (digests[name] for name in ALGORITHMS)
    evidence_file.size = size
    evidence_file.mime = state["mime"]
    in_memory = io.BytesIO(kept) if state["keep"] else None
    media = evidence_file.mime.startswith(("image/", "video/"))
    if size == 0:
        evidence_file.error = "empty file (0 bytes)"
    elif media and contents is not None and (twin := contents.twin_of(evidence_file)) is not None:
        contents.reuse(evidence_file, twin)
    elif evidence_file.mime.startswith("image/"):
        if in_memory is not None:
            image_facts(evidence_file, in_memory)
        else:
            evidence_file.findings = [*evidence_file.findings, "image too large to decode in memory"]
    elif evidence_file.mime.startswith("video/"):
        if not locator:
            video_facts(evidence_file, sources.video_input(path))  # PyAV reads the file where it lies
        elif in_memory is not None:
            video_facts(evidence_file, in_memory)
        else:
            evidence_file.findings = [*evidence_file.findings, "video too large to sample in memory"]
    if media and size and contents is not None:
        contents.remember(evidence_file)
    if archives.archive_kind(bytes(head)):
        return "archive"
    if not locator and disk_images.image_kind(bytes(head)):
        return "image"
    return ""


# What decoding an image or a video found: the same for every copy of the same content.
DECODED_FIELDS = (
    "phash",
    "pdq",
    "pdq_quality",
    "pdq_variants",
    "phash_variants",
    "width",
    "height",
    "thumbnail",
    "duration",
    "error",
)
DECODE_FINDINGS = (
    "image too large to decode in memory",
    "video too large to sample in memory",
    "too large to decode in memory",  # an archive member
)


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
        kept = [finding for finding in twin.findings if finding in DECODE_FINDINGS]
        record.findings = [*record.findings, *kept, f"same content as {twin.path}: decoded once for both"]


def file_blocks(path):
    with sources.open_source(path) as stream:
        while block := stream.read(disk_images.CHUNK):
            yield block


def image_facts(record: EvidenceFile, stream) -> None:
    """Decode the image once: perceptual hashes, size, thumbnail; or the reason it does not decode."""
    try:
        digest = perceptual.digest_image(stream)
    except perceptual.ImageRefused as refusal:
        record.error = str(refusal)
        return
    record.phash, record.pdq, record.pdq_quality = digest.phash, digest.pdq, digest.pdq_quality
    record.pdq_variants, record.phash_variants = digest.pdq_variants, digest.phash_variants
    record.width, record.height = digest.width, digest.height
    record.thumbnail = store_derived(
        settings.DERIVED_ROOT, "thumbnails", f"{bytes(record.sha256).hex()}.jpg", digest.thumbnail
    )


def video_facts(record: EvidenceFile, source) -> None:
    """Sample and hash the video's keyframes; a contact sheet as its thumbnail; or why it fails.

    The frames are kept on the record until it is saved (``save_video_frames``).
    """
    try:
        digest = perceptual.digest_video(source)
    except perceptual.VideoRefused as refusal:
        record.error = str(refusal)
        return
    record.duration, record.width, record.height = digest.duration, digest.width, digest.height
    record.thumbnail = store_derived(
        settings.DERIVED_ROOT, "thumbnails", f"{bytes(record.sha256).hex()}.jpg", digest.contact_sheet
    )
    record.sampled_frames = digest.frames


def save_video_frames(files: list[EvidenceFile]) -> None:
    """Store the keyframes sampled from the saved videos among ``files`` (again: a re-run replaces them)."""
    videos = [f for f in files if getattr(f, "sampled_frames", None)]
    if not videos:
        return
    VideoFrame.objects.filter(file__in=videos).delete()
    VideoFrame.objects.bulk_create(
        VideoFrame(
            file=video,
            index=index,
            time=frame.time,
            phash=frame.phash,
            pdq=frame.pdq,
            pdq_quality=frame.pdq_quality,
            pdq_variants=frame.pdq_variants,
            phash_variants=frame.phash_variants,
        )
        for video in videos
        for index, frame in enumerate(video.sampled_frames)
    )
