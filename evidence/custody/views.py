"""Custody pages: an exhibit registered and shown, its custody events and sheet, acquisitions, exhibits from a CSV."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.services import audit_record, client_ip
from cases.selectors import can_see_files, dossier_for, membership_of, search_for
from config.web import keyset_paginate
from evidence.custody.exhibits import exhibit_register, exhibits_bulk_preview, exhibits_bulk_register
from evidence.custody.forms import AcquisitionForm, CustodyEventForm, ExhibitBulkForm, ExhibitForm
from evidence.custody.selectors import custody_events, image_verifications
from evidence.custody.services import acquisition_record, custody_event_record
from evidence.forms import FileFilterForm
from evidence.models import Exhibit
from evidence.search.ocr import exhibit_ocr_on
from evidence.selectors import (
    exhibit_for,
    exhibit_triage_totals,
    files_search,
    ingest_job_progress,
    ingest_job_queues_without_worker,
)


@login_required
def exhibit_new(request, dossier_pk: int):
    dossier = dossier_for(request.user, dossier_pk, write=True)
    initial = {"search": request.GET.get("search")} if request.GET.get("search") else None
    form = ExhibitForm(request.POST or None, dossier=dossier, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            exhibit = exhibit_register(dossier=dossier, by=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as error:  # another registration of the same seal won the race
            form.add_error(None, error)
        else:
            messages.success(request, _("Exhibit %(seal)s registered.") % {"seal": exhibit.seal_number})
            return redirect(exhibit)
    return render(request, "evidence/exhibit_form.html", {"form": form, "dossier": dossier})


@login_required
def exhibit_detail(request, pk: int):
    exhibit = exhibit_for(request.user, pk)
    membership = membership_of(request.user, exhibit.dossier)
    context = {
        "exhibit": exhibit,
        "dossier": exhibit.dossier,
        "membership": membership,
        "totals": exhibit_triage_totals([exhibit.pk]),
        "jobs": [
            (job, ingest_job_progress(job), ingest_job_queues_without_worker(job))
            for job in exhibit.ingest_jobs.all()[:10]
        ],
        "events": custody_events(exhibit),
        "acquisitions": exhibit.acquisitions.all(),
        "verifications": image_verifications(exhibit),
        "children": exhibit.children.all(),
        # File names, paths and job errors are for the investigating team, not for read-only prosecutors.
        "files_visible": can_see_files(request.user, exhibit.dossier),
    }
    if context["files_visible"]:
        form = FileFilterForm(request.GET or None)
        query = form.cleaned_data if form.is_valid() else {}
        files = files_search(exhibit.files.all(), query=query.get("q", ""), triage=query.get("triage", ""))
        context.update(filter_form=form, page=keyset_paginate(request, files))
        context.update(
            ocr_on=exhibit_ocr_on(exhibit), ocr_choices=Exhibit.Ocr.choices, ocr_disabled=not settings.OCR_ENABLED
        )
    return render(request, "evidence/exhibit_detail.html", context)


@login_required
def custody_new(request, pk: int):
    exhibit = exhibit_for(request.user, pk, write=True)
    form = CustodyEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            custody_event_record(exhibit=exhibit, by=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Custody event recorded."))
            return redirect(exhibit)
    context = {"form": form, "exhibit": exhibit, "dossier": exhibit.dossier, "events": custody_events(exhibit)}
    return render(request, "evidence/custody_form.html", context)


@login_required
def custody_sheet(request, pk: int):
    exhibit = exhibit_for(request.user, pk)
    audit_record(actor=request.user, action="custody.sheet", target=exhibit, ip=client_ip(request))
    context = {"exhibit": exhibit, "dossier": exhibit.dossier, "events": custody_events(exhibit)}
    return render(request, "evidence/custody_sheet.html", context)


@login_required
def acquisition_new(request, pk: int):
    exhibit = exhibit_for(request.user, pk, write=True)
    form = AcquisitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        acquisition_record(exhibit=exhibit, by=request.user, ip=client_ip(request), **form.cleaned_data)
        messages.success(request, _("Acquisition recorded."))
        return redirect(exhibit)
    return render(
        request, "evidence/acquisition_form.html", {"form": form, "exhibit": exhibit, "dossier": exhibit.dossier}
    )


@login_required
def exhibits_bulk(request, pk: int):
    """Paste or upload a CSV: a first POST previews every row and its errors; "confirm" saves all or nothing."""
    search = search_for(request.user, pk, write=True)
    form = ExhibitBulkForm(request.POST or None, request.FILES or None)
    rows, file_errors = [], []
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["rows"]
        if "confirm" in request.POST:
            try:
                exhibits = exhibits_bulk_register(search=search, text=text, by=request.user, ip=client_ip(request))
            except ValidationError:
                messages.error(request, _("Nothing was saved: correct the rows in error first."))
            else:
                messages.success(request, _("%(count)s exhibits registered.") % {"count": len(exhibits)})
                return redirect(search)
        rows, file_errors = exhibits_bulk_preview(search=search, text=text)
        form = ExhibitBulkForm(initial={"rows": text})
    context = {
        "form": form,
        "search": search,
        "dossier": search.dossier,
        "rows": rows,
        "file_errors": file_errors,
        "error_count": sum(1 for row in rows if row["errors"]),
    }
    return render(request, "evidence/exhibits_bulk.html", context)
