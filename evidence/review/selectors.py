"""Reads for the review page: which files a reviewer sees, grouped into near-duplicate series."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, Value, When

from evidence.models import Detection, EvidenceFile, Face
from hashing.grouping import near_duplicate_groups
from hashing.models import CategoryScheme

REVIEW_PAGE_SIZE = 60
# Keyboard keys per scheme: digits for Project VIC, letters for CAID (the codes themselves).
KEYBOARD_SCHEMES = ("vics", "caid")


def review_candidates(dossier, *, query: dict):
    """The dossier's files the filters ask for; by default the near and new ones nobody categorised yet."""
    files = EvidenceFile.objects.filter(exhibit__dossier=dossier)
    state = query.get("state") or "review"
    if state == "review":
        files = files.filter(triage__in=EvidenceFile.REVIEW_STATES)
    elif state != "all":
        files = files.filter(triage=state)
    progress = query.get("progress") or "todo"
    if progress == "todo":
        files = files.filter(reviewed_at__isnull=True)
    elif progress == "awaiting":
        files = files.awaiting_confirmation()
    elif progress == "reviewed":
        files = files.filter(reviewed_at__isnull=False)
    if category := query.get("category"):
        files = files.filter(Q(review_category=category) | Q(match_category=category))
    if exhibit := query.get("exhibit"):
        files = files.filter(exhibit=exhibit)
    if path := (query.get("path") or "").strip():
        files = files.filter(path__icontains=path)
    if signal := query.get("signal"):
        files = files.filter(_signal(signal))
    if since := query.get("since"):
        files = files.filter(modified_time__date__gte=since)
    if until := query.get("until"):
        files = files.filter(modified_time__date__lte=until)
    # Near matches first, then possible ones, then the rest (new images and videos).
    strength = Case(
        When(triage=EvidenceFile.Triage.NEAR, then=Value(0)),
        When(triage=EvidenceFile.Triage.POSSIBLE, then=Value(1)),
        default=Value(2),
    )
    order = [strength, "exhibit__seal_number", "path", "id"]
    if query.get("order") == "likely":  # most likely sexual content first; not looked at last
        files = files.annotate(likely=Max("detections__score"))
        order = [F("likely").desc(nulls_last=True), *order]
    elif query.get("order") == "unlikely":
        files, order = _least_likely_first(files, order)
    return (
        files.select_related("exhibit", "match_list", "reviewed_by", "confirmed_by")
        .prefetch_related("detections__detector")
        .order_by(*order)
    )


def _least_likely_first(files, order):
    """Welfare: the images looked at whose every score is below DETECTOR_LIKELY_SCORE and in which no
    face was found come first, together, lowest score first (what a reviewer may mark non-pertinent
    in bulk without revealing them); then those not looked at; the likely ones and faces last."""
    files = files.annotate(likely=Max("detections__score"), most_faces=Max("detections__faces"))
    unlikely = Q(likely__lt=settings.DETECTOR_LIKELY_SCORE, most_faces=0)
    group = Case(When(unlikely, then=Value(0)), When(likely__isnull=True, then=Value(1)), default=Value(2))
    return files, [group, F("likely").asc(nulls_last=True), *order]


def _signal(signal: str) -> Q:
    """Files by what the detectors saw: likely sexual content, faces, or looked at and nothing sexual
    (the images a reviewer may mark non-pertinent in bulk, four eyes applying)."""
    mine = Detection.objects.filter(file=OuterRef("pk"))
    if signal == "likely":
        return Q(Exists(mine.filter(score__gte=settings.DETECTOR_LIKELY_SCORE)))
    if signal == "faces":
        return Q(Exists(mine.filter(faces__gt=0))) | Q(Exists(Face.objects.filter(file=OuterRef("pk"))))
    return Q(Exists(mine)) & ~Q(Exists(mine.filter(score__gt=0)))


def review_page(files, page_number):
    """One page of candidates (60), its near-duplicate groups, each shown once with its members."""
    page = Paginator(files, REVIEW_PAGE_SIZE).get_page(page_number)
    by_id = {f.pk: f for f in page.object_list}
    groups = []
    for ids in near_duplicate_groups((f.pk, f.pdq) for f in page.object_list):
        members = [by_id[i] for i in ids]
        groups.append({"lead": members[0], "files": members, "ids": ",".join(str(i) for i in ids)})
    return page, groups


def to_review_count(files) -> int:
    return files.to_review().count()


def keyboard_schemes():
    """The schemes reviewers categorise with the keyboard, with their values, as data."""
    return list(CategoryScheme.objects.filter(code__in=KEYBOARD_SCHEMES).prefetch_related("values").order_by("name"))


def detections_by_model(dossier) -> list[dict]:
    """How many of the dossier's files each model (name and version) looked at: what a detection job
    would add to."""
    return list(
        Detection.objects.filter(file__exhibit__dossier=dossier)
        .values("detector__name", "detector__version")
        .annotate(files=Count("file", distinct=True))
        .order_by("detector__name", "detector__version")
    )


def faces_by_model(dossier) -> list[dict]:
    """How many of the dossier's files each face model (name and version) found a face in (a file
    where it found none leaves no face behind: it is looked at again by the next detection job)."""
    return list(
        Face.objects.filter(file__exhibit__dossier=dossier)
        .values("detector__name", "detector__version")
        .annotate(files=Count("file", distinct=True))
        .order_by("detector__name", "detector__version")
    )
