from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.roles import INVESTIGATOR, PROSECUTOR, has_role
from audit.services import audit_record, client_ip
from cases.models import Dossier
from cases.selectors import audit_events_for, can_see_files, dossier_for
from evidence.custody.selectors import custody_events
from evidence.models import EvidenceFile
from evidence.selectors import exhibit_for
from reports.charts import stacked_bars_svg
from reports.forms import VerifyForm
from reports.pdf import PdfUnavailable
from reports.selectors import (
    dossier_report_data,
    ingest_job_report_for,
    ingest_report_data,
    reports_of_dossier,
    statistics_for,
)
from reports.services import report_generate, report_verify


def _deliver(request, *, template, context, action, target, pdf, file_stem):
    try:
        report = report_generate(
            template=template,
            context=context,
            action=action,
            target=target,
            by=request.user,
            ip=client_ip(request),
            pdf=pdf,
            file_stem=file_stem,
        )
    except PdfUnavailable:
        return render(request, "reports/pdf_unavailable.html", {"target": target}, status=503), None
    response = HttpResponse(report.content, content_type=report.content_type)
    if pdf:
        response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
    response["X-Report-SHA256"] = report.sha256
    return response, report


def _stem(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


@login_required
def dossier_report(request, pk: int):
    """The court report as a page: the report itself, its sha256, earlier reports and the copy check."""
    dossier = dossier_for(request.user, pk)
    _, report = _deliver(
        request,
        template="reports/dossier_report.html",
        context=dossier_report_data(dossier),
        action="report.dossier",
        target=dossier,
        pdf=False,
        file_stem=_stem(f"report-{dossier.notice_number}"),
    )
    context = report.context | {
        "screen": True,
        "report_sha256": report.sha256,
        # Their labels name the exhibit or the ingest job (its upload names): as the viewer may read them.
        "reports": audit_events_for(request.user, reports_of_dossier(dossier))[:20],
        "verify_form": VerifyForm(),
    }
    return render(request, "reports/dossier_report.html", context)


@login_required
def dossier_report_pdf(request, pk: int):
    dossier = dossier_for(request.user, pk)
    response, _ = _deliver(
        request,
        template="reports/dossier_report.html",
        context=dossier_report_data(dossier),
        action="report.dossier",
        target=dossier,
        pdf=True,
        file_stem=_stem(f"report-{dossier.notice_number}"),
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def dossier_report_verify(request, pk: int):
    """Paste or upload a printed copy's PDF (or its sha256): was it generated from this dossier?"""
    dossier = dossier_for(request.user, pk)
    form = VerifyForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        sha256, generated = report_verify(
            dossier=dossier,
            copy=form.cleaned_data.get("copy"),
            sha256=form.cleaned_data.get("sha256", ""),
            by=request.user,
            ip=client_ip(request),
        )
        if generated is not None:
            generated = audit_events_for(request.user, reports_of_dossier(dossier)).get(pk=generated.pk)
        outcome = {"sha256": sha256, "generated": generated}
    context = {"dossier": dossier, "form": form, "outcome": outcome}
    return render(request, "reports/verify.html", context, status=200)


@login_required
def custody_sheet_pdf(request, pk: int):
    """The printable custody sheet (evidence/custody_sheet.html) as a PDF, audited like every report."""
    exhibit = exhibit_for(request.user, pk)
    context = {"exhibit": exhibit, "dossier": exhibit.dossier, "events": custody_events(exhibit), "user": request.user}
    response, _ = _deliver(
        request,
        template="reports/custody_sheet_pdf.html",
        context=context,
        action="report.custody",
        target=exhibit,
        pdf=True,
        file_stem=_stem(f"custody-{exhibit.dossier.notice_number}-{exhibit.seal_number}"),
    )
    return response


@login_required
def ingest_report(request, pk: int, pdf: bool = False):
    job = ingest_job_report_for(request.user, pk)
    response, _ = _deliver(
        request,
        template="reports/ingest_report.html",
        context=ingest_report_data(job) | {"files_visible": can_see_files(request.user, job.exhibit.dossier)},
        action="report.ingest",
        target=job,
        pdf=pdf,
        file_stem=_stem(f"ingest-{job.exhibit.seal_number}-{job.pk}"),
    )
    return response


@login_required
def statistics(request):
    """Figures over the dossiers the user can see, for investigators and prosecutors; charts drawn as SVG."""
    if not (has_role(request.user, INVESTIGATOR) or has_role(request.user, PROSECUTOR)):
        raise PermissionDenied
    figures = statistics_for(request.user)
    audit_record(actor=request.user, action="statistics.view", ip=client_ip(request))
    context = figures | {
        "dossiers_chart": stacked_bars_svg(figures["dossiers_by_month"], "dossiers"),
        "files_chart": stacked_bars_svg(figures["files_by_month"], "files"),
        "statuses": Dossier.Status.choices,
        "triage_states": EvidenceFile.Triage.choices,
    }
    return render(request, "reports/statistics.html", context)
