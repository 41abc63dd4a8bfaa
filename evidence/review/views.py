"""The review page of a dossier (or one exhibit), its actions, and the hash-set exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import step_up_required
from accounts.welfare import blur_radius_for, exposure_of, reviewer_settings_update
from audit.services import client_ip
from cases.selectors import dossier_for, membership_of
from evidence.ingest.detection_jobs import dossier_detection_start
from evidence.ingest.redetection import files_to_observe
from evidence.models import EvidenceFile
from evidence.review.forms import DetectionJobForm, ReviewerSettingsForm, ReviewFilterForm
from evidence.review.selectors import (
    detections_by_model,
    faces_by_model,
    keyboard_schemes,
    review_candidates,
    review_page,
    to_review_count,
)
from evidence.review.services import (
    dossier_four_eyes_set,
    files_categorise,
    files_categorise_non_pertinent,
    files_confirm,
    near_match_settle,
)
from evidence.review.sharing import export_build, local_alert_list_extend, reviewed_alert_count, shared_files

MAX_FILES_PER_ACTION = 5000


def _back(request, dossier):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("dossier_review", dossier.pk)


def _file_ids(request) -> list[int]:
    ids = []
    for value in request.POST.getlist("files"):
        for part in value.split(","):
            if part.strip().isdigit():
                ids.append(int(part))
    return ids[:MAX_FILES_PER_ACTION]


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
def dossier_review(request, pk: int):
    """The grid of veiled thumbnails: prosecutors (403) and non-members (404) never reach it."""
    dossier = dossier_for(request.user, pk, files=True)
    schemes = keyboard_schemes()
    form = ReviewFilterForm(request.GET or None, dossier=dossier, schemes=schemes)
    query = form.cleaned_data if form.is_valid() else {}
    exhibit = dossier.exhibits.filter(pk=query["exhibit"]).first() if query.get("exhibit") else None
    page, groups = review_page(review_candidates(dossier, query=query), request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    all_files = EvidenceFile.objects.filter(exhibit__dossier=dossier)
    context = {
        "dossier": dossier,
        "membership": membership_of(request.user, dossier),
        "tab": "review",
        "exhibit": exhibit,
        "form": form,
        "page": page,
        "groups": groups,
        "schemes": schemes,
        "querystring": params.urlencode(),
        "to_review": to_review_count(all_files if exhibit is None else all_files.filter(exhibit=exhibit)),
        "awaiting": all_files.awaiting_confirmation().count() if dossier.four_eyes else 0,
        "shared_count": shared_files(dossier, exhibit=exhibit).count(),
        "reviewed_alerts": reviewed_alert_count(dossier),
        "exposure": exposure_of(request.user, request.session),
        "settings_form": ReviewerSettingsForm(initial={"blur_radius": blur_radius_for(request.user)}),
        "detection_job": dossier.detection_jobs.first(),
        "detection_form": DetectionJobForm(),
        "looked_at": detections_by_model(dossier),
        "faces_by": faces_by_model(dossier),
        "media_count": files_to_observe(dossier).count(),
    }
    return render(request, "evidence/review.html", context)


@login_required
@require_POST
def detection_job_start(request, pk: int):
    """Run detectors and classifiers again over the dossier's images and videos: the team, who sees
    its files, starts it (administrators see no dossier); no image is shown, the start is audited."""
    dossier = dossier_for(request.user, pk, write=True, files=True)
    form = DetectionJobForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose at least one detector or classifier."))
        return redirect("dossier_review", dossier.pk)
    try:
        job = dossier_detection_start(
            dossier=dossier,
            detectors=form.detectors(),
            classifiers=form.classifiers(),
            by=request.user,
            ip=client_ip(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Looking again at %(count)s images and videos.") % {"count": job.files_total})
    return redirect("dossier_review", dossier.pk)


@login_required
def detection_job_progress(request, pk: int, job_pk: int):
    dossier = dossier_for(request.user, pk, files=True)
    job = get_object_or_404(dossier.detection_jobs, pk=job_pk)
    return render(request, "evidence/_detection_job_progress.html", {"dossier": dossier, "detection_job": job})


def _non_pertinent(request, dossier, files, result: dict) -> str:
    """The welfare bulk action: the files not categorised yet, non-pertinent (four eyes applying)."""
    count, kept = files_categorise_non_pertinent(files=files, dossier=dossier, by=request.user, ip=client_ip(request))
    result.update(categorised=count, kept=kept, category="0", four_eyes=dossier.four_eyes)
    message = _("%(count)s files marked non-pertinent.") % {"count": count}
    if dossier.four_eyes and count:
        message += " " + _("Another reviewer must confirm them (four eyes).")
    if kept:
        message += " " + _("%(count)s already categorised kept their category.") % {"count": kept}
    return message


@login_required
@require_POST
def review_categorise(request, pk: int):
    """Categorise, confirm (second reviewer) or settle near matches for the files posted."""
    dossier = dossier_for(request.user, pk, write=True)
    files = EvidenceFile.objects.filter(pk__in=_file_ids(request), exhibit__dossier=dossier)
    action = request.POST.get("action", "categorise")
    result = {"action": action, "files": [f.pk for f in files]}
    try:
        if action == "confirm":
            confirmed, refused = files_confirm(files=files, dossier=dossier, by=request.user, ip=client_ip(request))
            result.update(confirmed=confirmed, refused=refused)
            message = ngettext(
                "%(count)s categorisation confirmed.", "%(count)s categorisations confirmed.", confirmed
            ) % {"count": confirmed}
            if refused:
                message += " " + _("%(count)s are yours: another reviewer must confirm them.") % {"count": refused}
        elif action == "non_pertinent":
            message = _non_pertinent(request, dossier, files, result)
        elif action in ("confirm_near", "reject_near"):
            awaiting = 0
            for evidence_file in files:
                settled = near_match_settle(
                    evidence_file=evidence_file,
                    confirm=action == "confirm_near",
                    by=request.user,
                    ip=client_ip(request),
                )
                awaiting += settled.awaits_confirmation
            result.update(awaiting=awaiting)
            message = _("Near match settled.")
            if awaiting:
                message = _("%(count)s near matches confirmed: another reviewer must confirm them (four eyes).") % {
                    "count": awaiting
                }
        else:
            scheme, _sep, category = request.POST.get("category", "").partition(":")
            count = files_categorise(
                files=files,
                dossier=dossier,
                scheme=scheme,
                category=category,
                series=request.POST.get("series", "").strip(),
                by=request.user,
                ip=client_ip(request),
            )
            result.update(categorised=count, category=category, four_eyes=dossier.four_eyes)
            message = ngettext(
                "%(count)s file categorised %(category)s.", "%(count)s files categorised %(category)s.", count
            ) % {"count": count, "category": category}
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        messages.error(request, " ".join(error.messages))
        return _back(request, dossier)
    if _wants_json(request):
        return JsonResponse(result)
    messages.success(request, message)
    return _back(request, dossier)


@login_required
@require_POST
def review_four_eyes(request, pk: int):
    dossier = dossier_for(request.user, pk, write=True)
    dossier_four_eyes_set(
        dossier=dossier,
        enabled=request.POST.get("four_eyes") == "1",
        by=request.user,
        membership=membership_of(request.user, dossier),
        ip=client_ip(request),
    )
    messages.success(request, _("Four-eyes review is on.") if dossier.four_eyes else _("Four-eyes review is off."))
    return _back(request, dossier)


@login_required
@require_POST
def reviewer_settings(request):
    """A reviewer's own blur strength (welfare): anyone logged in sets their own."""
    form = ReviewerSettingsForm(request.POST)
    if form.is_valid():
        reviewer_settings_update(user=request.user, blur_radius=form.cleaned_data["blur_radius"], ip=client_ip(request))
        messages.success(request, _("Blur strength saved."))
    else:
        messages.error(request, _("Choose a blur strength."))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("home")


def _export(request, pk: int, kind: str, content_type: str):
    dossier = dossier_for(request.user, pk, files=True)
    exhibit = None
    if request.GET.get("exhibit", "").isdigit():
        exhibit = get_object_or_404(dossier.exhibits, pk=int(request.GET["exhibit"]))
    content, name = export_build(dossier=dossier, kind=kind, exhibit=exhibit, by=request.user, ip=client_ip(request))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@step_up_required
def export_vics(request, pk: int):
    """The dossier's (or ?exhibit=) known material as a VICS 2.0 hash set: hashes only, no image, no name."""
    return _export(request, pk, "vics", "application/json; charset=utf-8")


@login_required
@step_up_required
def export_icse(request, pk: int):
    return _export(request, pk, "icse", "text/csv; charset=utf-8")


@login_required
@step_up_required
def review_alert_list(request, pk: int):
    """Add the dossier's reviewed alert material to the local alert list (a new version, then re-matching)."""
    dossier = dossier_for(request.user, pk, write=True)
    if request.method != "POST":
        return redirect("dossier_review", dossier.pk)
    if not reviewed_alert_count(dossier):
        messages.error(request, _("Nothing categorised in this dossier yet."))
        return _back(request, dossier)
    version = local_alert_list_extend(dossier=dossier, by=request.user, ip=client_ip(request))
    messages.success(
        request,
        _("A new version of %(list)s is being imported; every dossier will then be matched against it.")
        % {"list": version.hash_list.name},
    )
    return _back(request, dossier)
