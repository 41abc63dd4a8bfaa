"""Triage reads: a file's copies and near copies in the dossiers a user sees, re-match notices."""

from django.conf import settings

from cases.selectors import dossiers_with_files_visible_to
from evidence.models import EvidenceFile, RematchNotice
from evidence.triage.file_index import file_hits
from hashing.near_matching import perceptual_queries
from hashing.nearest import as_codes

RELATED_LIMIT = 50


def related_files_visible_to(user, evidence_file: EvidenceFile) -> list[dict]:
    """The other files with the same content (SHA-256) or near it (PDQ within PDQ_MATCH_DISTANCE,
    rotations and mirrors included), in the dossiers where ``user`` may see files.

    Each item: {"file", "same_content", "distance"} (distance None for the same content), same
    content first, then the closest. Nothing is said of dossiers the user may not see, not even a
    count: that a file is known elsewhere would tell that another dossier exists and holds it.
    Near copies come from the installation's file index (``evidence.triage.file_index``), then one query
    keeps those in the user's dossiers: the page costs the same for a thousand files or ten million.
    """
    dossiers = dossiers_with_files_visible_to(user).values("pk")
    others = (
        EvidenceFile.objects.filter(exhibit__dossier__in=dossiers)
        .exclude(pk=evidence_file.pk)
        .select_related("exhibit__dossier")
    )
    related: dict[int, dict] = {}
    if evidence_file.sha256 is not None and evidence_file.size:
        for other in others.filter(sha256=evidence_file.sha256)[:RELATED_LIMIT]:
            related[other.pk] = {"file": other, "same_content": True, "distance": None}
    queries = perceptual_queries(evidence_file, list(evidence_file.frames.all()) or None)["pdq"]
    if queries:
        hits = file_hits({"pdq": as_codes(queries, 256)}, {"pdq": settings.PDQ_MATCH_DISTANCE})["pdq"]
        distances: dict[int, int] = {}
        for _, pk, distance in hits:
            if pk != evidence_file.pk and pk not in related:
                distances[pk] = min(distance, distances.get(pk, distance))
        # Only files of the user's dossiers are kept (the index knows every dossier's files).
        visible = set(others.filter(pk__in=list(distances)).values_list("pk", flat=True))
        closest = sorted(visible, key=lambda pk: (distances[pk], pk))[: RELATED_LIMIT - len(related)]
        for other in others.filter(pk__in=closest):
            related[other.pk] = {"file": other, "same_content": False, "distance": distances[other.pk]}
    return sorted(related.values(), key=lambda item: (not item["same_content"], item["distance"] or 0, item["file"].pk))


def match_file_visible_to(user, evidence_file: EvidenceFile) -> EvidenceFile | None:
    """The categorised file a near match is near, if ``user`` may see its dossier's files; else None.

    The match itself (category, distance) is shown like a list's; where the file lies is not.
    """
    if evidence_file.match_file_id is None:
        return None
    dossiers = dossiers_with_files_visible_to(user).values("pk")
    return (
        EvidenceFile.objects.filter(pk=evidence_file.match_file_id, exhibit__dossier__in=dossiers)
        .select_related("exhibit__dossier")
        .first()
    )


def rematch_notices_for(user, dossier):
    """The re-match notices of a dossier the user has not dismissed. Precondition: the user may see the dossier."""
    return (
        RematchNotice.objects.filter(dossier=dossier)
        .exclude(seen_by=user)
        .select_related("version__hash_list")
        .order_by("-created_at")[:5]
    )
