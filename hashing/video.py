"""Keyframes of a video, each hashed like an image (``hashing.perceptual.image_hashes``), and a contact
sheet of them. Plain Python: no Django here."""

import io
from dataclasses import dataclass, field

from PIL import Image

from config.messages import Message, MessageError, message
from hashing.perceptual import image_hashes


class VideoRefused(MessageError, ValueError):
    """Why a video is not sampled: ``message`` is a stored message (config.messages)."""


@dataclass(frozen=True)
class VideoFrameDigest:
    time: float  # seconds from the start
    phash: bytes
    pdq: bytes
    pdq_quality: int
    pdq_variants: bytes = b""
    phash_variants: bytes = b""


@dataclass(frozen=True)
class VideoDigest:
    duration: float | None
    width: int
    height: int
    frames: list[VideoFrameDigest]
    contact_sheet: bytes  # JPEG grid of the sampled keyframes
    findings: tuple[Message, ...] = ()  # read, but worth knowing (a video cut short of its own index)
    # What the caller's ``observe`` made of each sampled keyframe, in order (``digest_video``).
    observed: list = field(default_factory=list)


def digest_video(source, max_frames: int = 12, *, observe=None) -> VideoDigest:
    """Keyframes of a video (decoded alone: cheap), each hashed like an image, and a contact sheet.

    ``observe``: a callable given each sampled keyframe (at most 512 px), whose answers are kept in
    ``observed`` (the detectors look at keyframes as at images).

    ``source`` is a path or a seekable binary stream. Some codecs (VP9) ignore the keyframe-only
    request, so frames are also checked for ``key_frame``. Raises VideoRefused with the reason.
    """
    import av

    try:
        with av.open(source) as container:
            if not container.streams.video:
                raise VideoRefused(message("video.no_stream"))
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            duration = (
                float(stream.duration * stream.time_base)
                if stream.duration
                else (container.duration / 1_000_000 if container.duration else None)
            )
            keyframes, packets, stated = [], 0, stream.frames
            for packet in container.demux(stream):
                packets += packet.size > 0
                for frame in packet.decode():
                    if not frame.key_frame:
                        continue
                    image = frame.to_image()
                    image.thumbnail((512, 512))
                    keyframes.append((float(frame.time or 0.0), image))
                if len(keyframes) > 50 * max_frames:
                    stated = 0  # a pathological file: enough samples, the rest not read
                    break
            width, height = stream.codec_context.width, stream.codec_context.height
    except VideoRefused:
        raise
    except (av.FFmpegError, OSError, ValueError, EOFError) as error:
        raise VideoRefused(message("video.corrupt", reason=str(error))) from error
    if not keyframes:
        raise VideoRefused(message("video.no_keyframe"))
    step = max(1, -(-len(keyframes) // max_frames))
    sampled = keyframes[::step][:max_frames]
    frames = []
    for time, image in sampled:
        # Keyframes are many and matched as a set: a crop or a tilt is not undone on each.
        frames.append(VideoFrameDigest(time, **image_hashes(image, undo_edits=False)))
    findings = ()
    if stated and packets < stated:
        # An index written first (MP4 "fast start") states every frame; a cut copy holds fewer.
        findings = (message("video.cut_short", frames=packets, stated=stated),)
    observed = [observe(image) for _, image in sampled] if observe is not None else []
    sheet = _contact_sheet([image for _, image in sampled])
    return VideoDigest(duration, width, height, frames, sheet, findings, observed)


def _contact_sheet(images: list[Image.Image], columns: int = 4, cell: int = 128) -> bytes:
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * cell, rows * cell), (32, 32, 32))
    for position, image in enumerate(images):
        tile = image.copy()
        tile.thumbnail((cell, cell))
        x, y = (position % columns) * cell, (position // columns) * cell
        sheet.paste(tile, (x + (cell - tile.width) // 2, y + (cell - tile.height) // 2))
    out = io.BytesIO()
    sheet.save(out, format="JPEG", quality=80)
    return out.getvalue()
