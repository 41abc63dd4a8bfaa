"""Faces (issue 22): searching one face among 1 M faces, exactly, with numpy (the app's
``detectors.faces.nearest``) and with faiss's IndexFlatL2 (exact too: recall against numpy's
answer); grouping FACES_GROUP_MAX faces of a dossier; and what faces add to the pipeline's time
per 12 MP image, with NudeNet's face boxes and with dlib's HOG detector.

The 1 M descriptions are synthetic: dlib's are 128 numbers whose same-person distances are mostly
under 0.6 and different-person ones mostly above; here 100,000 people seen 5 times each (members
about 0.35 from one another) and 500,000 faces seen once, every description scaled to norm 1.
"""

import io
import os
import statistics
import time
from pathlib import Path

import numpy as np

DIMENSIONS = 128


def synthetic_faces(count: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """(count x 128 float32 descriptions, the person of each: -1 for a face seen once)."""
    people, seen = count // 10, 5
    centres = rng.normal(size=(people, DIMENSIONS)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    members = np.repeat(centres, seen, axis=0) + rng.normal(scale=0.022, size=(people * seen, DIMENSIONS)).astype(
        np.float32
    )
    once = rng.normal(size=(count - people * seen, DIMENSIONS)).astype(np.float32)
    vectors = np.concatenate([members, once])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    person = np.concatenate([np.repeat(np.arange(people), seen), np.full(count - people * seen, -1)])
    return vectors.astype(np.float32), person


def bench_face_search(work: Path) -> dict:
    import faiss

    from bench.run import SCALE, figure
    from detectors.faces import SAME_PERSON_DISTANCE, groups, nearest

    rng = np.random.default_rng(22)
    count = max(10_000, int(1_000_000 * SCALE))
    vectors, person = synthetic_faces(count, rng)
    queries_at = rng.choice(np.flatnonzero(person >= 0), size=50, replace=False)
    queries = vectors[queries_at] + rng.normal(scale=0.01, size=(len(queries_at), DIMENSIONS)).astype(np.float32)
    norms = np.einsum("ij,ij->i", vectors, vectors)
    # Both as a web process runs them: numpy's OpenBLAS and faiss's OpenMP with their default threads.
    index = faiss.IndexFlatL2(DIMENSIONS)
    index.add(vectors)

    numpy_spent, faiss_spent, found, agreed = 0.0, 0.0, 0, 0
    for query in queries:
        started = time.perf_counter()
        exact = nearest(query, vectors, limit=50, threshold=SAME_PERSON_DISTANCE, norms=norms)
        numpy_spent += time.perf_counter() - started
        started = time.perf_counter()
        distances, rows = index.search(query[None, :], 50)  # squared L2
        faiss_spent += time.perf_counter() - started
        by_faiss = {
            int(r) for r, d in zip(rows[0], distances[0], strict=True) if r >= 0 and d < SAME_PERSON_DISTANCE**2
        }
        by_numpy = {row for row, _ in exact}
        found += len(by_numpy)
        agreed += len(by_numpy & by_faiss)
    same_person = sum(int((person == person[at]).sum()) for at in queries_at)
    recall = agreed / max(found, 1)
    numpy_ms = 1000 * numpy_spent / len(queries)
    faiss_ms = 1000 * faiss_spent / len(queries)

    group_count = 5000
    sample = vectors[:group_count]  # 1,000 people seen 5 times each
    started = time.perf_counter()
    labels = groups(sample)
    grouping = time.perf_counter() - started
    return {
        "face_search_numpy_ms": figure(
            numpy_ms,
            f"ms a query, exact (numpy, the app's nearest), {count:,} faces x 128 float32, default threads "
            f"({os.cpu_count()} cores); baseline: faiss IndexFlatL2 (exact), default threads (ratio = faiss / numpy)",
            faiss_ms,
            faiss_ms / numpy_ms,
        ),
        "face_search_faiss_recall": figure(
            recall,
            f"share of numpy's answers (within 0.6) that faiss IndexFlatL2 gives, {len(queries)} queries; "
            f"{found} faces found of the {same_person} faces of the queried people",
            1.0,
            recall,
        ),
        "face_grouping_ms": figure(
            1000 * grouping,
            f"ms to group {group_count:,} faces (a dossier's FACES_GROUP_MAX): exact pairs under 0.6 and "
            f"Chinese whispers, default threads; {len(set(labels))} groups (baseline: {group_count // 5} people)",
            group_count // 5,
            len(set(labels)) / (group_count // 5),
        ),
    }


def _ways(content: bytes, image, nudenet, both, hog):
    from hashing.hashers import digest_stream
    from hashing.perceptual import digest_image

    return (
        ("nudenet", lambda: nudenet(image)),
        ("both", lambda: both(image)),
        ("hog", lambda: hog(image)),
        ("pipeline", lambda: (digest_stream(io.BytesIO(content)), digest_image(io.BytesIO(content), observe=both))),
    )


def bench_faces_pipeline(work: Path) -> dict:
    """What the face model adds to one worker's pipeline per 12 MP image (bench.detectors' photos)."""
    from bench.detectors import FACES, _photos
    from bench.run import SCALE, figure
    from detectors.faces import FaceDetector
    from detectors.observe import observer
    from hashing.perceptual import decode

    folder = work / "faces"
    folder.mkdir()
    photos = _photos(folder, max(4, int(16 * SCALE)))
    contents = [path.read_bytes() for _, path in photos]
    decoded = [decode(io.BytesIO(content), luma_modes=True) for content in contents]
    nudenet, both, hog = observer(["nudenet"]), observer(["nudenet", "faces"]), observer(["faces"])
    both(decoded[0])  # the models' first runs allocate their buffers
    hog(decoded[0])
    spent = {"nudenet": 0.0, "both": 0.0, "hog": 0.0, "pipeline": 0.0}
    for content, image in zip(contents, decoded, strict=True):
        for name, work_on in _ways(content, image, nudenet, both, hog):
            started = time.perf_counter()
            work_on()
            spent[name] += time.perf_counter() - started
    count = len(contents)
    faces_by_boxes = {name: len(both(image)[-1].faces) for (name, _), image in zip(photos, decoded, strict=True)}
    faces_by_hog = {name: len(hog(image)[-1].faces) for (name, _), image in zip(photos, decoded, strict=True)}
    described = sum(faces_by_boxes.values())
    expected = sum(FACES.get(name, 0) for name, _ in photos)
    # One face described: the astronaut's, timed alone.
    detector = FaceDetector.shared()
    astronaut = decoded[0]
    boxes = [(0.336, 0.152, 0.2, 0.208)]
    runs = []
    for _ in range(9):
        started = time.perf_counter()
        detector.detect(astronaut, boxes)
        runs.append(time.perf_counter() - started)
    per_face = statistics.median(runs)
    added = (spent["both"] - spent["nudenet"]) / count
    return {
        "faces_in_pipeline_ms": figure(
            1000 * added,
            f"ms an image that the face model adds after NudeNet (its face boxes reused), 12 MP JPEGs, "
            f"{described} faces in {count} photos, 1 thread; baseline: the whole pipeline with both "
            "(ratio = share of it)",
            1000 * spent["pipeline"] / count,
            added / (spent["pipeline"] / count),
        ),
        "faces_hog_ms": figure(
            1000 * spent["hog"] / count,
            "ms an image for faces alone (dlib's HOG detector finds them, NudeNet off); baseline: with "
            "NudeNet's boxes (ratio = HOG / boxes)",
            1000 * added,
            spent["hog"] / count / max(added, 1e-9),
        ),
        "faces_per_face_ms": figure(
            1000 * per_face,
            "ms to describe one face (5-point landmarks, ResNet description, crop) on the 500 x 375 decode, "
            "median of 9",
            1000 * per_face,
            1.0,
        ),
        "faces_found_with_boxes": figure(
            sum(min(faces_by_boxes[n], FACES.get(n, 0)) for n in faces_by_boxes),
            f"faces described of {expected} in {count} bundled photos with NudeNet's boxes "
            f"(false: {sum(max(faces_by_boxes[n] - FACES.get(n, 0), 0) for n in faces_by_boxes)}); "
            f"baseline: with HOG (false: {sum(max(faces_by_hog[n] - FACES.get(n, 0), 0) for n in faces_by_hog)})",
            sum(min(faces_by_hog[n], FACES.get(n, 0)) for n in faces_by_hog),
            1.0,
        ),
    }
