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
from cases.selectors import can_see_files, membership_of
from config.store import StoreFull
from evidence.forms import IngestUploadForm
from evidence.ingest.jobs import ingest_job_cancel
from evidence.ingest.server_paths import MissingSource, NotGranted, OutsideSources, list_directory
from evidence.ingest.source_grants import (
    ingest_job_create_from_server_path,
    server_path_choose,
    source_browse_record,
    source_folders_for,
)
from evidence.ingest.uploads import (
    STORE_FULL_MESSAGE,
    UploadRefused,
    chunked_upload_append,
    chunked_upload_start,
    ingest_job_create_from_chunked,
    ingest_job_create_from_uploads,
)
from evidence.models import FileText
from evidence.review.media import media_thumbnail_view
from evidence.search.selectors import file_text_of
from evidence.selectors import (
    chunked_upload_for,
    evidence_file_for,
    exhibit_for,
    ingest_job_for,
    ingest_job_progress,
    ingest_job_queues_without_worker,
)
from evidence.triage.file_index import file_index_built
from evidence.triage.selectors import match_file_visible_to, related_files_visible_to
from evidence.web import derived_file_response, upload_limit


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
        "file_text": file_text_of(evidence_file),
        "file_ocr_text": file_text_of(evidence_file, FileText.Kind.OCR),
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
