"""Local features of an image, and whether two images show the same picture. Plain Python: no Django.

Where a perceptual hash only says "possibly the same", and the image it may be a copy of is here
(a file already categorised in this installation), the two are looked at: ORB keypoints of each,
matched, and a similarity transform (rotation, uniform scale, shift) fitted to the matches by RANSAC
(``cv2.estimateAffinePartial2D``). A copy that was cropped, turned a little, stamped with a logo or
a box of text, brightened or re-encoded keeps most of its keypoints where the transform puts them.

A pair is verified only when all of these hold (thresholds chosen by bench/keypoints.py, see
``verify``): enough matches agree with one transform; that transform is a plausible edit (scale
within MIN_SCALE..MAX_SCALE, rotation within MAX_TILT of a quarter turn; a mirror is not one: the
hashes' dihedral variants find mirrors); and, laid one on the other by that transform, the two
images agree in most of the textured cells of the part they share, looked at from each side
(AGREEMENT, see ``_agreement``), so that a logo, a letterhead or an application's window frame that
two different images have in common does not make them one.
"""

import math
import struct
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps
from scipy.spatial import cKDTree

from hashing.perceptual import decode

# The image is described at this long side: a 12 MP photo's detail that survives a re-share, for about
# 10 ms of ORB. Smaller images are described as they are (upsampling adds no keypoint worth having).
LONG_SIDE = 640
FEATURES = 1000
DETECTED = 4 * FEATURES  # candidates, of which FEATURES are kept spread over the image
BUCKETS = 8
# ORB's corner threshold (FAST): lower than OpenCV's 20 so that soft photos (fog, night, skin) still
# give keypoints; ORB keeps the FEATURES strongest anyway.
FAST_THRESHOLD = 10
# Lowe's ratio test: a match counts only when the best candidate is clearly better than the second
# (a repeated texture, glyphs of a text, gives ambiguous matches, which are dropped).
RATIO = 0.8
# RANSAC: a match agrees with the transform when it lands within this many pixels (at LONG_SIDE).
REPROJECTION = 4.0
MIN_INLIERS = 20
# Of the matches that pass the ratio test, the share one transform explains. A copy keeps its corners
# where the transform puts them: on the near-match corpus (bench/near_verified.py) the verified
# copies' median was 0.98 and their 5th percentile 0.88 (crops, tilts, overlays, JPEG 30). Two screens
# of one application's form with different text agree on the frame and not on the rest: 0.31-0.72.
MIN_INLIER_RATIO = 0.8
MIN_SCALE, MAX_SCALE = 0.5, 2.0
MAX_TILT = 10.0  # degrees from a multiple of 90
# The look once the transform is known (see _agreement). SAME_BITS: a corner re-detected in a copy
# (JPEG 30, +/-30 % brightness, 3 degrees) mostly keeps its descriptor within 40 bits; at 48 and
# above, two windows of one chat application with different lines agreed.
EDGE = 32  # pixels: ORB finds no keypoint nearer its image's edge than its edgeThreshold (31)
NEAR = 5.0  # pixels
SAME_BITS = 40  # of 256
GRID = 8
CELL_KEYPOINTS = 6
CELL_AGREEMENT = 0.2
AGREEMENT = 0.6
_POPCOUNT = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint8)

_MAGIC = b"SKP1"
_HEADER = struct.Struct("<4sHHI")  # magic, width, height, keypoints


@dataclass(frozen=True, eq=False)
class Features:
    """An image's ORB keypoints (positions at the described size) and their 256-bit descriptors."""

    width: int  # of the described image (long side at most LONG_SIDE)
    height: int
    points: np.ndarray  # float32, (n, 2): x, y
    descriptors: np.ndarray  # uint8, (n, 32)

    def to_bytes(self) -> bytes:
        """A compact, versioned form to cache (about 40 bytes a keypoint)."""
        head = _HEADER.pack(_MAGIC, self.width, self.height, len(self.points))
        points = np.ascontiguousarray(self.points, dtype="<f4").tobytes()
        return head + points + np.ascontiguousarray(self.descriptors, dtype=np.uint8).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Features":
        data = bytes(data)
        if len(data) < _HEADER.size:
            raise ValueError("not serialised keypoints: too short")
        magic, width, height, count = _HEADER.unpack_from(data)
        if magic != _MAGIC:
            raise ValueError("not serialised keypoints: wrong magic")
        if len(data) != _HEADER.size + count * (8 + 32):
            raise ValueError("serialised keypoints of the wrong length")
        start = _HEADER.size
        points = np.frombuffer(data, dtype="<f4", count=2 * count, offset=start).reshape(count, 2)
        descriptors = np.frombuffer(data, dtype=np.uint8, count=32 * count, offset=start + 8 * count)
        return cls(width, height, points.astype(np.float32), descriptors.reshape(count, 32).copy())


@dataclass(frozen=True)
class Verification:
    matched: int  # matches passing the ratio test
    inliers: int  # of those, the ones the fitted transform explains
    inlier_ratio: float  # inliers / matched
    scale: float | None  # of the fitted transform (the candidate's size relative to the known image)
    rotation: float | None  # degrees, in (-180, 180]
    agreement: float  # share of the shared part's textured cells where both images agree (see _agreement)
    verified: bool


def _stretched(pixels: np.ndarray) -> np.ndarray:
    """The grey levels stretched so that the 1st and 99th percentiles span 0-255: a darkened or flattened
    copy then has the contrast of its original, and FAST finds the same corners in both."""
    low, high = np.percentile(pixels, (1, 99))
    if high - low < 8:
        return pixels  # flat: stretching would only enlarge the noise
    scale = 255.0 / (high - low)
    return cv2.convertScaleAbs(pixels, alpha=scale, beta=-low * scale)


def describe(image: Image.Image) -> Features:
    """The ORB features of an image (any mode), greyed and reduced to a long side of LONG_SIDE.

    Keypoints are spread over the image: the strongest of each cell of a BUCKETS x BUCKETS grid
    first, so that a text box or a logo (sharp, strong corners) cannot take the whole budget.
    """
    grey = image.getchannel(0) if image.mode == "YCbCr" else image if image.mode == "L" else image.convert("L")
    if max(grey.size) > LONG_SIDE:
        # Not in place: the caller's image is left alone.
        grey = ImageOps.contain(grey, (LONG_SIDE, LONG_SIDE), Image.Resampling.BILINEAR)
    pixels = _stretched(np.asarray(grey))
    orb = cv2.ORB_create(nfeatures=DETECTED, fastThreshold=FAST_THRESHOLD)
    keypoints = _spread(orb.detect(pixels, None), grey.width, grey.height)
    keypoints, descriptors = orb.compute(pixels, keypoints)
    if descriptors is None or not keypoints:
        return Features(grey.width, grey.height, np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8))
    points = np.array([keypoint.pt for keypoint in keypoints], dtype=np.float32)
    return Features(grey.width, grey.height, points, descriptors)


def _spread(keypoints, width: int, height: int) -> list:
    """At most FEATURES keypoints: each bucket's strongest first (an equal share), then the strongest left."""
    if len(keypoints) <= FEATURES:
        return list(keypoints)
    ranked = sorted(keypoints, key=lambda keypoint: -keypoint.response)
    share = -(-FEATURES // (BUCKETS * BUCKETS))
    taken: dict[tuple[int, int], int] = {}
    chosen, rest = [], []
    for keypoint in ranked:
        x, y = keypoint.pt
        bucket = (min(int(x * BUCKETS / width), BUCKETS - 1), min(int(y * BUCKETS / height), BUCKETS - 1))
        if taken.get(bucket, 0) < share:
            taken[bucket] = taken.get(bucket, 0) + 1
            chosen.append(keypoint)
        else:
            rest.append(keypoint)
    return (chosen + rest)[:FEATURES]


def describe_stream(stream) -> Features:
    """Decode an image (as ``hashing.perceptual.decode`` does: bombs and truncation refused) and describe it."""
    return describe(decode(stream, luma_modes=True, draft_side=LONG_SIDE))


_NOT_VERIFIED = Verification(0, 0, 0.0, None, None, 0.0, False)


def verify(known: Features, candidate: Features) -> Verification:
    """Whether ``candidate`` shows the picture of ``known`` (cropped, turned a little, marked, re-encoded).

    Matches are each candidate keypoint's nearest known one by Hamming distance, kept when the ratio
    test passes; a similarity transform candidate -> known is fitted by RANSAC.
    """
    if len(known.points) < 2 or len(candidate.points) < 2:
        return _NOT_VERIFIED
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(candidate.descriptors, known.descriptors, k=2)
    good = [pair[0] for pair in pairs if len(pair) == 2 and pair[0].distance < RATIO * pair[1].distance]
    # One known keypoint answers one candidate keypoint (the closest): many matches piling onto one
    # point fit a degenerate transform.
    closest: dict[int, cv2.DMatch] = {}
    for match in good:
        if match.trainIdx not in closest or match.distance < closest[match.trainIdx].distance:
            closest[match.trainIdx] = match
    good = list(closest.values())
    if len(good) < MIN_INLIERS:
        return Verification(len(good), 0, 0.0, None, None, 0.0, False)
    source = candidate.points[[match.queryIdx for match in good]]
    target = known.points[[match.trainIdx for match in good]]
    transform, mask = cv2.estimateAffinePartial2D(
        source, target, method=cv2.RANSAC, ransacReprojThreshold=REPROJECTION, maxIters=2000, confidence=0.995
    )
    if transform is None:
        return Verification(len(good), 0, 0.0, None, None, 0.0, False)
    inlying = mask.ravel().astype(bool)
    inliers = int(inlying.sum())
    scale = float(math.hypot(transform[0, 0], transform[1, 0]))
    rotation = float(math.degrees(math.atan2(transform[1, 0], transform[0, 0])))
    ratio = inliers / len(good)
    tilt = abs((rotation + 45.0) % 90.0 - 45.0)
    plausible = inliers >= MIN_INLIERS and ratio >= MIN_INLIER_RATIO and MIN_SCALE <= scale <= MAX_SCALE
    agreement = 0.0
    if plausible and tilt <= MAX_TILT:
        inverse = cv2.invertAffineTransform(transform)
        agreement = min(_agreement(known, candidate, transform), _agreement(candidate, known, inverse))
    verified = plausible and tilt <= MAX_TILT and agreement >= AGREEMENT
    return Verification(
        len(good), inliers, round(ratio, 3), round(scale, 3), round(rotation, 2), round(agreement, 3), verified
    )


def _agreement(known: Features, candidate: Features, transform: np.ndarray) -> float:
    """Share of the shared part's textured cells where the two images agree, in ``known``'s frame
    (``transform``: candidate -> known).

    Each candidate keypoint that the transform carries inside the known image (away from its edge,
    where ORB finds nothing) agrees when a known keypoint lies within NEAR pixels of where it lands
    with a descriptor within SAME_BITS of its own: the same corner, seen in both. The known image is
    cut into GRID x GRID cells; a cell holding CELL_KEYPOINTS carried keypoints is textured, and
    agrees when CELL_AGREEMENT of them do. A copy agrees nearly everywhere but under its overlays; two
    letters of one layout agree on the letterhead and the labels, not on the text, and two windows
    of one application on the frame, not on what they show. ``verify`` asks both ways: a logo that
    two pictures share is all the texture of a plain one and a small part of the other's.
    """
    mapped = cv2.transform(candidate.points[None], transform)[0]
    inside = (
        (mapped[:, 0] >= EDGE)
        & (mapped[:, 0] < known.width - EDGE)
        & (mapped[:, 1] >= EDGE)
        & (mapped[:, 1] < known.height - EDGE)
    )
    if not inside.any():
        return 0.0
    landed, descriptors = mapped[inside], candidate.descriptors[inside]
    agrees = np.zeros(len(landed), dtype=bool)
    for position, near in enumerate(cKDTree(known.points).query_ball_point(landed, NEAR)):
        if near:
            bits = _POPCOUNT[np.bitwise_xor(known.descriptors[near], descriptors[position])].sum(axis=1)
            agrees[position] = bits.min() <= SAME_BITS
    cell = np.minimum((landed * GRID / (known.width, known.height)).astype(int), GRID - 1)
    index = cell[:, 1] * GRID + cell[:, 0]
    counts = np.bincount(index, minlength=GRID * GRID)
    agreeing = np.bincount(index, weights=agrees, minlength=GRID * GRID)
    textured = counts >= CELL_KEYPOINTS
    if not textured.any():
        return 0.0
    alike = agreeing[textured] >= CELL_AGREEMENT * counts[textured]
    return float(alike.mean())
