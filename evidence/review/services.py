"""Review of what the workers could not decide: categorise, confirm (four eyes), settle near matches.

Writes only (services); reads for the review page are in ``evidence.review.selectors``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Membership
from evidence.list_tasks import review_near_copies
from evidence.models import Categorisation, EvidenceFile
from evidence.triage.matching import unmatched_triage
from hashing.models import CategoryValue

REVIEW_ALGORITHM = "review"
# Filled in by perceptual matching on near files; cleared when a near match is settled.
NEAR_FIELDS = ("match_distance", "match_file_id", "match_detail")


def category_value(scheme: str, code: str) -> CategoryValue:
    value = CategoryValue.objects.select_related("scheme").filter(scheme__code=scheme, code=code).first()
    if value is None:
        raise ValidationError(_("No category %(code)s in the scheme %(scheme)s.") % {"code": code, "scheme": scheme})
    return value


def _apply(evidence_file: EvidenceFile, *, category: str, is_alert: bool) -> None:
    """Let a categorisation decide the file's state: an alert category makes it known material."""
    if is_alert:
        evidence_file.triage = EvidenceFile.Triage.KNOWN
        evidence_file.match_category = category
        evidence_file.match_algorithm = REVIEW_ALGORITHM
        evidence_file.match_list = None
    elif evidence_file.match_algorithm == REVIEW_ALGORITHM:
        # It was known on a reviewer's word only: that word changed.
        evidence_file.match_algorithm = evidence_file.match_category = ""
        evidence_file.triage = unmatched_triage(evidence_file)


def _look_for_near_copies(files) -> None:
    """Once committed, the copies of newly known files waiting elsewhere become near matches (a task)."""
    ids = [f.pk for f in files if f.triage == EvidenceFile.Triage.KNOWN]
    if ids:
        transaction.on_commit(lambda: review_near_copies.delay(ids))


def _record(evidence_file, *, action, scheme, before, triage_before, by, ip, series="", match_key="") -> Categorisation:
    entry = Categorisation.objects.create(
        file=evidence_file,
        action=action,
        scheme=scheme,
        category_before=before,
        category_after=evidence_file.review_category,
        triage_before=triage_before,
        triage_after=evidence_file.triage,
        series=series,
        match_key=match_key,
        by=by,
    )
    audit_record(
        actor=by,
        action=f"review.{action}",
        target=evidence_file,
        ip=ip,
        scheme=scheme,
        before=before,
        after=evidence_file.review_category,
        triage_before=triage_before,
        triage_after=evidence_file.triage,
        series=series,
        **({"rejected": match_key} if match_key else {}),
    )
    return entry


SAVED = [
    "triage",
    "match_list",
    "match_algorithm",
    "match_category",
    "review_scheme",
    "review_category",
    "review_series",
    "reviewed_by",
    "reviewed_at",
    "confirmed_by",
    "confirmed_at",
]


@transaction.atomic
def files_categorise(*, files, dossier, scheme: str, category: str, by, series: str = "", ip: str | None = None) -> int:
    """Give each file of ``files`` (of ``dossier``) a category; return how many were categorised.

    In a four-eyes dossier the categorisation waits for a second reviewer (``files_confirm``)
    before it changes the file's state; otherwise it takes effect at once (``confirmed_at`` is
    set, ``confirmed_by`` left empty). Every file gets a Categorisation row and an audit event.
    """
    value = category_value(scheme, category)
    now = timezone.now()
    count = 0
    done = []
    for evidence_file in files.select_for_update().filter(exhibit__dossier=dossier):
        before, triage_before = evidence_file.review_category, evidence_file.triage
        evidence_file.review_scheme = scheme
        evidence_file.review_category = category
        evidence_file.review_series = series[:255]
        evidence_file.reviewed_by, evidence_file.reviewed_at = by, now
        evidence_file.confirmed_by = None
        evidence_file.confirmed_at = None if dossier.four_eyes else now
        if not dossier.four_eyes:
            _apply(evidence_file, category=category, is_alert=value.is_alert)
        evidence_file.save(update_fields=SAVED)
        _record(
            evidence_file,
            action=Categorisation.Action.CATEGORISE,
            scheme=scheme,
            before=before,
            triage_before=triage_before,
            by=by,
            ip=ip,
            series=series,
        )
        done.append(evidence_file)
        count += 1
    _look_for_near_copies(done)
    return count


# Non-pertinent: Project VIC's category 0 (not an alert). A bulk request is bounded: a page of the
# grid holds 60 tiles, each a near-identical group of files.
NON_PERTINENT = ("vics", "0")
NON_PERTINENT_MAX_FILES = 1000


@transaction.atomic
def files_categorise_non_pertinent(*, files, dossier, by, ip: str | None = None) -> tuple[int, int]:
    """Mark the files of ``files`` (of ``dossier``) that nobody categorised yet non-pertinent, in one
    go: the welfare flow of the review (the least likely images grouped, selected a page at a time,
    never revealed). The rule is one categorisation's (``files_categorise``): four eyes applying,
    each file recorded and audited. A file already categorised keeps its category (a bulk action
    never overrides a reviewer's decision). Returns (categorised, kept); more than
    NON_PERTINENT_MAX_FILES files raise ValidationError, nothing done."""
    ids = list(files.filter(exhibit__dossier=dossier).values_list("pk", flat=True)[: NON_PERTINENT_MAX_FILES + 1])
    if len(ids) > NON_PERTINENT_MAX_FILES:
        raise ValidationError(
            _("At most %(count)s files at once: select fewer tiles.") % {"count": NON_PERTINENT_MAX_FILES}
        )
    pending = EvidenceFile.objects.filter(pk__in=ids, reviewed_at__isnull=True)
    scheme, category = NON_PERTINENT
    count = files_categorise(files=pending, dossier=dossier, scheme=scheme, category=category, by=by, ip=ip)
    return count, len(ids) - count


def _awaits_near_confirmation(evidence_file: EvidenceFile) -> bool:
    """A near match one reviewer confirmed in a four-eyes dossier, not yet confirmed by a second one:
    its last decision is that confirmation and nobody confirmed it since."""
    if evidence_file.reviewed_at is None or evidence_file.confirmed_at is not None:
        return False
    last = evidence_file.categorisations.order_by("-at", "-id").values_list("action", flat=True).first()
    return last == Categorisation.Action.CONFIRM_NEAR


def _near_category(evidence_file: EvidenceFile) -> str:
    matched = getattr(evidence_file, "match_file", None)
    return evidence_file.match_category or (matched.match_category if matched else "")


def _make_known_as_near(evidence_file: EvidenceFile, category: str) -> None:
    """A confirmed near match is known material with the matched category; the list (or file) it
    matched and its distance stay on the file, as the reason it is known."""
    evidence_file.triage = EvidenceFile.Triage.KNOWN
    evidence_file.match_category = category
    evidence_file.review_category = category


def _near_second_confirm(evidence_file: EvidenceFile, *, by, now, ip) -> None:
    """A second reviewer confirms a near match the first one confirmed (four eyes): it becomes known."""
    before, triage_before = evidence_file.review_category, evidence_file.triage
    _make_known_as_near(evidence_file, evidence_file.review_category or _near_category(evidence_file))
    evidence_file.confirmed_by, evidence_file.confirmed_at = by, now
    evidence_file.save(update_fields=SAVED)
    _record(
        evidence_file,
        action=Categorisation.Action.CONFIRM,
        scheme=evidence_file.review_scheme,
        before=before,
        triage_before=triage_before,
        by=by,
        ip=ip,
    )


@transaction.atomic
def files_confirm(*, files, dossier, by, ip: str | None = None) -> tuple[int, int]:
    """A second reviewer confirms categorisations (and near-match confirmations) awaiting confirmation;
    return (confirmed, refused).

    A reviewer never confirms their own decision: those are counted as refused. A near match whose
    match went away meanwhile (the file is no longer near) is left for a reviewer to look at again.
    """
    confirmed = refused = 0
    now = timezone.now()
    done = []
    for evidence_file in files.select_for_update().filter(exhibit__dossier=dossier).awaiting_confirmation():
        if evidence_file.reviewed_by_id == by.pk:
            refused += 1
            continue
        if _awaits_near_confirmation(evidence_file):
            if evidence_file.triage not in EvidenceFile.MATCH_STATES:
                continue
            _near_second_confirm(evidence_file, by=by, now=now, ip=ip)
            done.append(evidence_file)
            confirmed += 1
            continue
        triage_before = evidence_file.triage
        value = category_value(evidence_file.review_scheme, evidence_file.review_category)
        evidence_file.confirmed_by, evidence_file.confirmed_at = by, now
        _apply(evidence_file, category=evidence_file.review_category, is_alert=value.is_alert)
        evidence_file.save(update_fields=SAVED)
        _record(
            evidence_file,
            action=Categorisation.Action.CONFIRM,
            scheme=evidence_file.review_scheme,
            before=evidence_file.review_category,
            triage_before=triage_before,
            by=by,
            ip=ip,
            series=evidence_file.review_series,
        )
        done.append(evidence_file)
        confirmed += 1
    _look_for_near_copies(done)
    return confirmed, refused


def _clear_near(evidence_file: EvidenceFile) -> list[str]:
    fields = []
    for field in NEAR_FIELDS:
        if hasattr(evidence_file, field):
            setattr(evidence_file, field, None)
            fields.append(field.removesuffix("_id"))
    return fields


@transaction.atomic
def near_match_settle(*, evidence_file: EvidenceFile, confirm: bool, by, ip: str | None = None) -> EvidenceFile:
    """Confirm a near or possible match (the file becomes known with the matched category) or reject
    it (back to new; the rejected candidate is remembered and not proposed to this file again).

    In a four-eyes dossier a confirmation counts, as a categorisation does, once a second, different
    reviewer confirms it (here, or with ``files_confirm``): the first one leaves the file a near match
    awaiting confirmation; the same reviewer confirming again gets ValidationError.
    Precondition: the file is a near or possible match; any other file raises ValidationError (the
    page says so).
    """
    evidence_file = EvidenceFile.objects.select_for_update().select_related("exhibit__dossier").get(pk=evidence_file.pk)
    if evidence_file.triage not in EvidenceFile.MATCH_STATES:
        raise ValidationError(_("This file is not a near match."))
    rejected_key = (evidence_file.match_detail or {}).get("key", "")
    now = timezone.now()
    four_eyes = evidence_file.exhibit.dossier.four_eyes
    if confirm and four_eyes and _awaits_near_confirmation(evidence_file):
        if evidence_file.reviewed_by_id == by.pk:
            raise ValidationError(_("You already confirmed this near match: another reviewer must confirm it."))
        _near_second_confirm(evidence_file, by=by, now=now, ip=ip)
        _look_for_near_copies([evidence_file])
        return evidence_file
    before, triage_before = evidence_file.review_category, evidence_file.triage
    fields = list(SAVED)
    if confirm and four_eyes:
        # Proposed only: the file stays a near match until a second reviewer confirms it.
        evidence_file.review_category = _near_category(evidence_file)
    elif confirm:
        _make_known_as_near(evidence_file, _near_category(evidence_file))
    else:
        evidence_file.triage = unmatched_triage(evidence_file)
        evidence_file.match_list = None
        evidence_file.match_algorithm = evidence_file.match_category = ""
        fields += _clear_near(evidence_file)
    evidence_file.reviewed_by, evidence_file.reviewed_at = by, now
    evidence_file.confirmed_by, evidence_file.confirmed_at = None, (None if confirm and four_eyes else now)
    evidence_file.save(update_fields=fields)
    _record(
        evidence_file,
        action=Categorisation.Action.CONFIRM_NEAR if confirm else Categorisation.Action.REJECT_NEAR,
        scheme=evidence_file.review_scheme,
        before=before,
        triage_before=triage_before,
        by=by,
        ip=ip,
        match_key="" if confirm else rejected_key,
    )
    _look_for_near_copies([evidence_file])
    return evidence_file


@transaction.atomic
def dossier_four_eyes_set(*, dossier, enabled: bool, by, membership, ip: str | None = None) -> None:
    """Only the dossier's lead turns the four-eyes rule on or off."""
    if membership is None or membership.role != Membership.Role.LEAD:
        raise PermissionDenied
    if dossier.four_eyes == enabled:
        return
    dossier.four_eyes = enabled
    dossier.save(update_fields=["four_eyes"])
    audit_record(actor=by, action="dossier.four_eyes", target=dossier, ip=ip, enabled=enabled)
