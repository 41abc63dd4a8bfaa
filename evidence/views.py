from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.welfare import reveal_counted
from audit.services import audit_record, client_ip
from cases.selectors import can_see_files, dossier_for, membership_of, search_for
from config.store import StoreFull
from config.web import keyset_paginate
from evidence.file_index import file_index_built
from evidence.forms import (
    AcquisitionForm,
    CustodyEventForm,
    ExhibitBulkForm,
    ExhibitForm,
    FileFilterForm,
    IngestUploadForm,
)
from evidence.ingest.server_paths import MissingSource, NotGranted, OutsideSources, list_directory
from evidence.ingest.source_grants import (
    ingest_job_create_from_server_path,
    server_path_choose,
    source_browse_record,
    source_folders_for,
)
from evidence.selectors import (
    chunked_upload_for,
    custody_events,
    evidence_file_for,
    exhibit_for,
    exhibit_triage_totals,
    files_search,
    image_verifications,
    ingest_job_for,
    ingest_job_progress,
    ingest_job_queues_without_worker,
    match_file_visible_to,
    related_files_visible_to,
)
from evidence.services import (
    STORE_FULL_MESSAGE,
    UploadRefused,
    acquisition_record,
    chunked_upload_append,
    chunked_upload_start,
    custody_event_record,
    exhibit_register,
    exhibits_bulk_preview,
    exhibits_bulk_register,
    ingest_job_cancel,
    ingest_job_create_from_chunked,
    ingest_job_create_from_uploads,
    media_thumbnail_view,
)
from evidence.web import derived_file_response, upload_limit


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


@login_required
@upload_limit
@sensitive_post_parameters("archive_password")
def exhibit_ingest(request, pk: int):
    exhibit = exhibit_for(request.user, pk, write=True)
    form = IngestUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ingest_job_create_from_uploads(
                exhibit=exhibit,
                uploads=form.cleaned_data["files"],
                by=request.user,
                ip=client_ip(request),
                archive_password=form.cleaned_data["archive_password"],
            )
        except StoreFull:
            form.add_error(None, STORE_FULL_MESSAGE)
            status = 507  # Insufficient Storage
        else:
            messages.success(request, _("Files received; the workers are hashing them."))
            return redirect(exhibit)
    context = {"form": form, "exhibit": exhibit, "dossier": exhibit.dossier}
    return render(request, "evidence/ingest_form.html", context, status=status)


@login_required
@sensitive_post_parameters("archive_password")
def exhibit_ingest_server(request, pk: int):
    """Browse the folders of the evidence server granted to the dossier; ingest one folder or file where it lies."""
    exhibit = exhibit_for(request.user, pk, write=True)
    data = request.POST if request.method == "POST" else request.GET
    context = {"exhibit": exhibit, "dossier": exhibit.dossier}
    if request.method == "GET" and not data.get("path"):
        return render(
            request,
            "evidence/ingest_server.html",
            context | {"folders": source_folders_for(request.user, exhibit.dossier)},
        )
    root, path = data.get("root", "0"), data.get("path", "")
    try:
        if request.method == "POST":
            job = ingest_job_create_from_server_path(
                exhibit=exhibit,
                root=root,
                path=path,
                by=request.user,
                ip=client_ip(request),
                archive_password=request.POST.get("archive_password", "")[:1024],
            )
            messages.success(request, _("Ingestion of %(path)s queued.") % {"path": job.sources.get().display_name})
            return redirect(exhibit)
        chosen = server_path_choose(exhibit=exhibit, root=root, path=path, by=request.user, ip=client_ip(request))
    except MissingSource as error:
        messages.error(request, str(error))
        return redirect("exhibit_ingest_server", pk=exhibit.pk)
    except NotGranted:
        raise Http404 from None  # outside the dossier's grants: as if it were not there
    except OutsideSources as error:
        messages.error(request, str(error))
        return redirect("exhibit_ingest_server", pk=exhibit.pk) if path else redirect(exhibit)
    root_index = int(root)
    return render(
        request, "evidence/ingest_server.html", context | _server_folder(request, exhibit, root_index, chosen)
    )


def _server_folder(request, exhibit, root_index: int, chosen) -> dict:
    """What the page shows of a granted folder (or file): its entries; the look is audited."""
    root = settings.EVIDENCE_SOURCES[root_index]
    relative = chosen.relative_to(root.resolve()).as_posix()
    source_browse_record(exhibit=exhibit, root=root, folder=relative, by=request.user, ip=client_ip(request))
    entries, cut = list_directory(root, chosen) if chosen.is_dir() else ([], False)
    granted = [folder.path for folder in source_folders_for(request.user, exhibit.dossier)]
    parent = chosen.parent.relative_to(root.resolve()).as_posix() if chosen not in granted else None
    return {
        "root_index": root_index,
        "relative": relative,
        "parent": parent,
        "entries": entries,
        "cut": cut,
        "chosen": chosen,
    }


@login_required
@require_POST
def job_cancel(request, pk: int):
    job = ingest_job_for(request.user, pk)
    exhibit_for(request.user, job.exhibit_id, write=True)
    ingest_job_cancel(job=job, by=request.user, ip=client_ip(request))
    messages.success(request, _("Ingest job #%(number)s cancelled.") % {"number": job.pk})
    return redirect(job.exhibit)


@login_required
def job_progress(request, pk: int):
    job = ingest_job_for(request.user, pk)
    context = {
        "job": job,
        "progress": ingest_job_progress(job),
        "queues_without_worker": ingest_job_queues_without_worker(job),
        "membership": membership_of(request.user, job.exhibit.dossier),
        # File names and job errors (which name files) are for the investigating team, not for prosecutors.
        "files_visible": can_see_files(request.user, job.exhibit.dossier),
    }
    response = render(request, "evidence/_job_progress.html", context)
    if job.is_finished and request.GET.get("polling"):
        # The page was polling a running job: reload it so the totals and files appear.
        response["HX-Refresh"] = "true"
    return response


@login_required
def file_thumbnail(request, pk: int):
    """The file's thumbnail: greyscale and blurred, or as it is after a reveal (logged either way)."""
    evidence_file = evidence_file_for(request.user, pk)
    reveal = request.GET.get("reveal") == "1"
    relative = media_thumbnail_view(evidence_file=evidence_file, reveal=reveal, by=request.user, ip=client_ip(request))
    if reveal:
        reveal_counted(request.session)
    return derived_file_response(relative, content_type="image/jpeg")


@login_required
def file_detail(request, pk: int):
    evidence_file = evidence_file_for(request.user, pk)
    audit_record(actor=request.user, action="file.view", target=evidence_file, ip=client_ip(request))
    context = {
        "file": evidence_file,
        "exhibit": evidence_file.exhibit,
        "dossier": evidence_file.exhibit.dossier,
        "revealed": request.GET.get("revealed") == "1",
        "categorisations": evidence_file.categorisations.select_related("by")[:50],
        "related": related_files_visible_to(request.user, evidence_file),
        "match_file_visible": match_file_visible_to(request.user, evidence_file),
        "file_index_built": file_index_built(),
    }
    return render(request, "evidence/file_detail.html", context)


def _upload_state(upload) -> dict:
    return {"id": str(upload.pk), "name": upload.name, "size": upload.size, "offset": upload.received}


def _refused(refusal: UploadRefused) -> JsonResponse:
    body = {"detail": str(refusal)}
    if refusal.received is not None:
        body["offset"] = refusal.received
    return JsonResponse(body, status=refusal.status)


@login_required
@require_POST
def upload_start(request, pk: int):
    """Open a chunked upload: ``name`` and ``size`` (bytes) in; its id, offset and chunk size out."""
    exhibit = exhibit_for(request.user, pk, write=True)
    try:
        size = int(request.POST.get("size", ""))
    except ValueError:
        return JsonResponse({"detail": _("Give the file's size in bytes.")}, status=400)
    try:
        upload = chunked_upload_start(
            exhibit=exhibit, name=request.POST.get("name", ""), size=size, by=request.user, ip=client_ip(request)
        )
    except UploadRefused as refusal:
        return _refused(refusal)
    return JsonResponse({**_upload_state(upload), "chunk_bytes": settings.UPLOAD_CHUNK_BYTES}, status=201)


@login_required
def upload_status(request, pk):
    """How many bytes arrived: where a browser resumes after a dropped connection."""
    return JsonResponse(_upload_state(chunked_upload_for(request.user, pk)))


@login_required
@require_POST
def upload_chunk(request, pk):
    """The raw body is the chunk at ``?offset=``; read as a stream, never whole into memory twice."""
    upload = chunked_upload_for(request.user, pk)
    try:
        offset = int(request.GET.get("offset", ""))
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return JsonResponse({"detail": _("Give the chunk's offset in bytes."), "offset": upload.received}, status=400)
    try:
        received = chunked_upload_append(
            upload=upload, offset=offset, stream=request, length=length, ip=client_ip(request)
        )
    except UploadRefused as refusal:
        return _refused(refusal)
    return JsonResponse({**_upload_state(upload), "offset": received})


@login_required
@require_POST
@sensitive_post_parameters("archive_password")
def upload_finish(request, pk: int):
    """The listed uploads are complete: hash them here, store them and ingest them as one job."""
    exhibit = exhibit_for(request.user, pk, write=True)
    ids = request.POST.getlist("upload")
    if not ids:
        return JsonResponse({"detail": _("No upload to finish.")}, status=400)
    try:
        uploads = [chunked_upload_for(request.user, upload_id) for upload_id in ids]
    except ValidationError:
        return JsonResponse({"detail": _("No such upload.")}, status=404)
    try:
        ingest_job_create_from_chunked(
            exhibit=exhibit,
            uploads=uploads,
            by=request.user,
            ip=client_ip(request),
            archive_password=request.POST.get("archive_password", "")[:1024],
        )
    except UploadRefused as refusal:
        return _refused(refusal)
    messages.success(request, _("Files received; the workers are hashing them."))
    return JsonResponse({"redirect": exhibit.get_absolute_url()}, status=201)
