"""The detectors (issue 22): throughput of one worker process on 12 MP JPEGs with everything on
(three digests, one reduced decode, pHash and PDQ with their variants, thumbnail, EXIF, NudeNet)
against the detector's bare inference on the same pre-resized inputs and against the pipeline
without it; the share of the per-image time each step takes; face detection on bundled photos.

Every image is benign: scikit-image's bundled photos upscaled to 4000 x 3000 with a sensor's grain,
saved as JPEG at quality 92, as a phone writes them.
"""

import io
import time
from pathlib import Path

# Human faces in scikit-image's photos (bench.match.SKIMAGE_PHOTOS): the astronaut's portrait and the
# cameraman; every other photo (a cat, a coffee cup, coins, a rocket, landscapes, cells) has none.
FACES = {"astronaut.png": 1, "camera.png": 1}


def _photos(folder: Path, count: int) -> list[tuple[str, Path]]:
    from bench.keypoints import _real_size, skimage_photo
    from bench.match import SKIMAGE_PHOTOS

    written = []
    for number, name in enumerate(SKIMAGE_PHOTOS[:count]):
        photo = _real_size(skimage_photo(name), number, side=4000).resize((4000, 3000))
        path = folder / f"{Path(name).stem}.jpg"
        photo.save(path, format="JPEG", quality=92)
        written.append((name, path))
    return written


def _variants(content: bytes, image, detector, observe):
    """(name, callable) of each way one image is timed: the detector bare, each step, the pipeline
    without the detector ("today") and with it ("everything")."""
    from hashing.exif import camera_facts
    from hashing.hashers import digest_stream
    from hashing.perceptual import decode, digest_image

    return (
        ("bare", lambda: detector.detect(image)),
        ("digests", lambda: digest_stream(io.BytesIO(content))),
        ("decode", lambda: decode(io.BytesIO(content), luma_modes=True)),
        ("exif", lambda: camera_facts(image)),
        ("today", lambda: (digest_stream(io.BytesIO(content)), digest_image(io.BytesIO(content)))),
        (
            "everything",
            lambda: (digest_stream(io.BytesIO(content)), digest_image(io.BytesIO(content), observe=observe)),
        ),
    )


def bench_detectors(work: Path) -> dict:
    from bench.run import SCALE, figure
    from detectors.nudity import NudityDetector
    from detectors.observe import observer
    from hashing.perceptual import decode

    folder = work / "detectors"
    folder.mkdir()
    photos = _photos(folder, max(4, int(16 * SCALE)))
    contents = [path.read_bytes() for _, path in photos]
    detector = NudityDetector.shared()
    observe = observer(["nudenet"])
    # The detector's own input: the reduced decode the pipeline makes, made beforehand.
    decoded = [decode(io.BytesIO(content), luma_modes=True) for content in contents]
    detector.detect(decoded[0])  # the model's first run allocates its buffers
    # Interleaved, image by image, so that the machine's other work weighs on each variant alike.
    spent = {"bare": 0.0, "digests": 0.0, "decode": 0.0, "exif": 0.0, "today": 0.0, "everything": 0.0}
    for content, image in zip(contents, decoded, strict=True):
        for name, work in _variants(content, image, detector, observe):
            started = time.perf_counter()
            work()
            spent[name] += time.perf_counter() - started
    bare, today, everything = spent["bare"], spent["today"], spent["everything"]
    in_pipeline = max(everything - today, 1e-9)
    count = len(contents)
    shares = {
        "digests": spent["digests"],
        "decode": spent["decode"],
        "hashes_thumbnail": max(today - spent["digests"] - spent["decode"] - spent["exif"], 0.0),
        "exif": spent["exif"],
        "detector": in_pipeline,
    }
    found = {name: seen.faces for (name, _), image in zip(photos, decoded, strict=True) for seen in observe(image)}
    expected = {name: FACES.get(name, 0) for name, _ in photos}
    recall = sum(min(found[name], expected[name]) for name in expected) / max(sum(expected.values()), 1)
    false_faces = sum(max(found[name] - expected[name], 0) for name in expected)
    out = {
        "detector_in_pipeline_ms": figure(
            1000 * in_pipeline / count,
            f"ms an image that NudeNet {detector.version} adds to the worker's pipeline (12 MP JPEGs, 1 thread: "
            "its input taken from the pipeline's own decode); baseline: its bare inference on the same "
            "pre-resized inputs (ratio = bare / in pipeline, goal >= 0.8)",
            1000 * bare / count,
            bare / in_pipeline,
        ),
        "detector_pipeline_images_per_s": figure(
            count / everything,
            "images/s, everything on (digests, decode, hashes, thumbnail, EXIF, NudeNet), 1 thread; "
            "baseline: the same pipeline without the detector",
            count / today,
            today / everything,
        ),
    }
    for step, seconds in shares.items():
        out[f"detector_pipeline_share_{step}"] = figure(
            seconds / everything, "share of the per-image time, everything on", 1.0, seconds / everything
        )
    out["detector_face_recall"] = figure(
        recall,
        f"faces found of {sum(expected.values())} in {count} bundled photos (the astronaut, the cameraman)",
        1.0,
        recall,
    )
    out["detector_face_false_detections"] = figure(
        false_faces, f"faces found beyond the expected ones, {count} photos (goal 0)", 0, false_faces
    )
    return out
