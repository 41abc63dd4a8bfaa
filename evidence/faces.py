"""A dossier's faces grouped by likely person, and one face searched across the dossiers whose files
the user may see (``detectors.faces``: dlib's descriptions, 0.6 apart or less for one person).

Both are leads, never identifications: the model was trained on adults' frontal faces. Nothing of a
dossier the user may not see is searched or shown, not even that it holds a face.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404

from audit.services import audit_record
from cases.selectors import check_dossier_role, dossiers_visible_to, dossiers_with_files_visible_to
from detectors.faces import DIMENSIONS, SAME_PERSON_DISTANCE, groups, nearest
from evidence.models import Face

SHOWN_PER_GROUP = 8  # crops shown in a group's row
SEARCH_RESULTS = 50


@dataclass
class FaceGroup:
    faces: list = field(default_factory=list)  # Face rows, the largest first
    by_exhibit: dict = field(default_factory=dict)  # seal number -> faces

    @property
    def size(self) -> int:
        return len(self.faces)

    @property
    def shown(self) -> list:
        return self.faces[:SHOWN_PER_GROUP]

    @property
    def files(self) -> int:
        return len({face.file_id for face in self.faces})


def _vectors(embeddings) -> np.ndarray:
    if not embeddings:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.frombuffer(b"".join(bytes(e) for e in embeddings), dtype="<f4").reshape(-1, DIMENSIONS)


def dossier_faces(dossier):
    return Face.objects.filter(file__exhibit__dossier=dossier)


def dossier_face_groups(dossier, *, limit: int | None = None) -> tuple[list[FaceGroup], int]:
    """The dossier's faces grouped by likely person (Chinese whispers at SAME_PERSON_DISTANCE), the
    largest groups first, and how many faces the dossier holds. At most ``limit`` faces
    (FACES_GROUP_MAX), the largest ones, are grouped: computed in the request, bounded (5,000 faces:
    about a second on one core, bench/faces.py). For a user who may see the dossier's files."""
    limit = settings.FACES_GROUP_MAX if limit is None else limit
    total = dossier_faces(dossier).count()
    rows = list(dossier_faces(dossier).select_related("file__exhibit").order_by("-side", "pk")[:limit])
    labels = groups(_vectors([row.embedding for row in rows]))
    by_label: dict[int, FaceGroup] = {}
    for row, label in zip(rows, labels, strict=True):
        group = by_label.setdefault(label, FaceGroup())
        group.faces.append(row)
        seal = row.file.exhibit.seal_number
        group.by_exhibit[seal] = group.by_exhibit.get(seal, 0) + 1
    ordered = sorted(by_label.values(), key=lambda g: (-g.size, g.faces[0].pk))
    return ordered, total


def face_for(user, pk: int) -> Face:
    """A face of a dossier whose files ``user`` may see, else 404 (a prosecutor: 403, as for files)."""
    face = get_object_or_404(
        Face.objects.select_related("file__exhibit__dossier").filter(
            file__exhibit__dossier__in=dossiers_visible_to(user)
        ),
        pk=pk,
    )
    check_dossier_role(user, face.file.exhibit.dossier, files=True)
    return face


@dataclass(frozen=True)
class _DossierFaces:
    """A dossier's face descriptions, as one matrix: what it held when read (its count and last id)."""

    stamp: tuple[int, int]
    ids: np.ndarray  # int64, the Face ids of the rows
    vectors: np.ndarray  # n x 128 float32
    norms: np.ndarray  # the rows' squared norms

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.vectors.nbytes + self.norms.nbytes


# Per web process: dossier id -> its faces, the most recently searched last.
_searched: OrderedDict[int, _DossierFaces] = OrderedDict()
_searched_lock = threading.Lock()


def forget_face_matrices() -> None:
    """Drop the faces this process holds (a test's database rolled back may give their ids again)."""
    with _searched_lock:
        _searched.clear()


def _read(faces, stamp: tuple[int, int], before: _DossierFaces | None = None) -> _DossierFaces:
    """``faces`` read into a matrix; with ``before``, only the rows added after it, appended."""
    if before is not None:
        faces = faces.filter(pk__gt=before.stamp[1])
    ids, embeddings = [], []
    for pk, embedding in faces.order_by("pk").values_list("pk", "embedding").iterator(chunk_size=5000):
        ids.append(pk)
        embeddings.append(embedding)
    ids_read, vectors = np.asarray(ids, dtype=np.int64), _vectors(embeddings)
    norms = np.einsum("ij,ij->i", vectors, vectors)
    if before is not None:
        ids_read = np.concatenate([before.ids, ids_read])
        vectors = np.concatenate([before.vectors, vectors])
        norms = np.concatenate([before.norms, norms])
    return _DossierFaces(stamp=stamp, ids=ids_read, vectors=vectors, norms=norms)


def _dossier_vectors(dossier_id: int) -> _DossierFaces:
    """The dossier's faces as a matrix, from this process's memory while no face was added or removed
    since (faces are only added by ingest and removed with their files: a count and the last id tell)."""
    faces = Face.objects.filter(file__exhibit__dossier_id=dossier_id)
    now = faces.aggregate(count=Count("pk"), last=Max("pk"))
    stamp = (now["count"], now["last"] or 0)
    with _searched_lock:
        cached = _searched.get(dossier_id)
    if cached is not None and cached.stamp == stamp:
        matrix = cached
    elif cached is not None and faces.filter(pk__lte=cached.stamp[1]).count() == cached.stamp[0]:
        matrix = _read(faces, stamp, before=cached)  # only added since: read the new rows
    else:
        matrix = _read(faces, stamp)
    budget = settings.FACES_SEARCH_CACHE_MB << 20
    with _searched_lock:
        _searched[dossier_id] = matrix
        _searched.move_to_end(dossier_id)
        while len(_searched) > 1 and sum(item.nbytes for item in _searched.values()) > budget:
            _searched.popitem(last=False)
    return matrix


def faces_like(user, face: Face, *, limit: int = SEARCH_RESULTS) -> list[tuple[Face, float]]:
    """The faces nearest to ``face`` (exact: every face is compared), within SAME_PERSON_DISTANCE, in
    the dossiers whose files ``user`` may see (a member with an investigating role), closest first.
    Other dossiers are not searched. Each dossier's descriptions are read once per web process and
    kept (``_dossier_vectors``): a search of a million faces is a matrix product, not a read of them."""
    query = _vectors([face.embedding])[0]
    found: list[tuple[float, int]] = []
    for dossier_id in dossiers_with_files_visible_to(user).values_list("pk", flat=True):
        matrix = _dossier_vectors(dossier_id)
        # One more than the limit: the face asked about is among them when it is of this dossier.
        for row, distance in nearest(
            query, matrix.vectors, limit=limit + 1, threshold=SAME_PERSON_DISTANCE, norms=matrix.norms
        ):
            if int(matrix.ids[row]) != face.pk:
                found.append((distance, int(matrix.ids[row])))
    found.sort()
    found = found[:limit]
    rows = Face.objects.select_related("file__exhibit__dossier").in_bulk([pk for _distance, pk in found])
    return [(rows[pk], distance) for distance, pk in found if pk in rows]


def face_search(*, user, face: Face, ip: str | None = None) -> list[tuple[Face, float]]:
    """``faces_like``, audited with the face asked about and how many were found."""
    found = faces_like(user, face)
    audit_record(actor=user, action="face.search", target=face.file, ip=ip, face=face.pk, found=len(found))
    return found
