"""A dossier's faces grouped by likely person, and one face searched across the dossiers whose files
the user may see (``detectors.faces``: dlib's descriptions, 0.6 apart or less for one person).

Both are leads, never identifications: the model was trained on adults' frontal faces. Nothing of a
dossier the user may not see is searched or shown, not even that it holds a face.
"""

from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
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


def faces_like(user, face: Face, *, limit: int = SEARCH_RESULTS) -> list[tuple[Face, float]]:
    """The faces nearest to ``face`` (exact: every face is compared), within SAME_PERSON_DISTANCE, in
    the dossiers whose files ``user`` may see (a member with an investigating role), closest first.
    Other dossiers are not searched."""
    candidates = Face.objects.filter(file__exhibit__dossier__in=dossiers_with_files_visible_to(user)).exclude(
        pk=face.pk
    )
    ids, embeddings = [], []
    for pk, embedding in candidates.values_list("pk", "embedding").iterator(chunk_size=5000):
        ids.append(pk)
        embeddings.append(embedding)
    found = nearest(_vectors([face.embedding])[0], _vectors(embeddings), limit=limit, threshold=SAME_PERSON_DISTANCE)
    rows = Face.objects.select_related("file__exhibit__dossier").in_bulk([ids[row] for row, _ in found])
    return [(rows[ids[row]], distance) for row, distance in found]


def face_search(*, user, face: Face, ip: str | None = None) -> list[tuple[Face, float]]:
    """``faces_like``, audited with the face asked about and how many were found."""
    found = faces_like(user, face)
    audit_record(actor=user, action="face.search", target=face.file, ip=ip, face=face.pk, found=len(found))
    return found
