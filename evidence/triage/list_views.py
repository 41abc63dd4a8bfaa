from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required, step_up_required
from accounts.roles import ADMIN
from audit.services import audit_record, client_ip
from cases.selectors import dossier_for
from config.spreadsheets import SpreadsheetWriter
from evidence.models import RematchNotice
from evidence.triage.lists import (
    hash_list_version_activate_rematching,
    hash_list_version_start_import,
    rematch_notice_dismiss,
)
from hashing.forms import ColumnMappingForm, HashListImportForm
from hashing.listformats import FORMATS, FormatError, open_list, preview, read_header
from hashing.models import HashList, HashListVersion
from hashing.selectors import hash_lists_overview, version_diff_rows
from hashing.services import hash_list_version_cancel, hash_list_version_create, hash_list_version_map_columns


@login_required
@role_required(ADMIN)
def hashlist_index(request):
    return render(request, "hashing/index.html", {"hash_lists": hash_lists_overview()})


@login_required
@role_required(ADMIN)
def hashlist_import(request):
    form = HashListImportForm(
        request.POST or None, request.FILES or None, initial={"name": request.GET.get("name", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = hash_list_version_create(
            name=data["name"],
            kind=data["kind"],
            scheme=data["scheme"],
            default_category=data["default_category"],
            source=data["source"],
            label=data["label"],
            stream=data["file"],
            file_name=data["file"].name,
            by=request.user,
            draft=True,
            ip=client_ip(request),
        )
        return redirect("version_preview", version.pk)
    return render(
        request, "hashing/import_form.html", {"form": form, "names": HashList.objects.values_list("name", flat=True)}
    )


@login_required
@role_required(ADMIN)
def version_preview(request, pk: int):
    """What the importer will read: the detected format, the first rows and, for a CSV, the column mapping."""
    version = get_object_or_404(HashListVersion.objects.select_related("hash_list"), pk=pk)
    if version.status != HashListVersion.Status.DRAFT:
        return redirect(version)
    mapping_form = None
    if version.file_format == "csv":
        with open(version.stored_path, "rb") as stream:
            _delimiter, columns = read_header(open_list(stream).readline())
        mapping_form = ColumnMappingForm(request.POST or None, columns=columns, initial=version.column_mapping)
    if request.method == "POST" and (mapping_form is None or mapping_form.is_valid()):
        mapping = mapping_form.mapping if mapping_form else None
        if request.POST.get("action") == "preview" and mapping is not None:
            hash_list_version_map_columns(version=version, mapping=mapping)
            return redirect("version_preview", version.pk)
        hash_list_version_start_import(version=version, by=request.user, mapping=mapping, ip=client_ip(request))
        messages.success(request, _("Import started; a worker is loading the list."))
        return redirect(version)
    rows, problem = [], ""
    try:
        with open(version.stored_path, "rb") as stream:
            rows = preview(open_list(stream), version.file_format, rows=12, mapping=version.column_mapping or None)
    except (FormatError, KeyError) as error:
        problem = str(error) if not isinstance(error, KeyError) else _("This file's format cannot be imported.")
    context = {
        "version": version,
        "format_label": FORMATS.get(version.file_format, version.file_format),
        "rows": rows,
        "problem": problem,
        "mapping_form": mapping_form,
    }
    return render(request, "hashing/preview.html", context)


@login_required
@role_required(ADMIN)
def hashlist_detail(request, pk: int):
    hash_list = get_object_or_404(HashList.objects.select_related("scheme"), pk=pk)
    versions = hash_list.versions.select_related("imported_by", "diff_base")
    return render(request, "hashing/detail.html", {"hash_list": hash_list, "versions": versions})


@login_required
@role_required(ADMIN)
def version_progress(request, pk: int):
    version = get_object_or_404(HashListVersion.objects.select_related("hash_list"), pk=pk)
    response = render(request, "hashing/_version_progress.html", {"version": version})
    if version.is_finished and request.GET.get("polling"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@role_required(ADMIN)
@require_POST
def version_cancel(request, pk: int):
    version = get_object_or_404(HashListVersion, pk=pk)
    hash_list_version_cancel(version=version, by=request.user, ip=client_ip(request))
    messages.info(request, _("Cancel requested: the import stops at its next chunk and keeps nothing."))
    return redirect(version)


@login_required
@role_required(ADMIN)
@step_up_required
def version_activate(request, pk: int):
    """Make a ready version the active one, after a confirmation page."""
    version = get_object_or_404(HashListVersion.objects.select_related("hash_list"), pk=pk)
    if version.status != HashListVersion.Status.READY:
        messages.error(request, _("Only a ready version can be activated."))
        return redirect(version)
    if request.method == "POST":
        hash_list_version_activate_rematching(version=version, by=request.user, ip=client_ip(request))
        messages.success(request, _("Version activated; files already ingested are being matched again."))
        return redirect(version)
    active = version.hash_list.active_version
    return render(request, "hashing/activate_confirm.html", {"version": version, "active": active})


class _Echo:
    def write(self, value):
        return value


@login_required
@role_required(ADMIN)
@step_up_required
def version_diff_csv(request, pk: int):
    """The hashes added and removed since the version this one was compared with, streamed as CSV."""
    version = get_object_or_404(HashListVersion.objects.select_related("hash_list"), pk=pk)
    base = version.diff_base
    audit_record(
        actor=request.user, action="hashlist.diff_export", target=version, ip=client_ip(request), base=base and base.pk
    )
    writer = SpreadsheetWriter(_Echo())
    rows = (writer.writerow(row) for row in [("change", "algorithm", "hash"), *version_diff_rows(version, base)])
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hashlist-{version.hash_list_id}-v{version.pk}-diff.csv"'
    return response


@login_required
@require_POST
def rematch_notice_seen(request, pk: int):
    notice = get_object_or_404(RematchNotice, pk=pk)
    dossier = dossier_for(request.user, notice.dossier_id)
    rematch_notice_dismiss(notice=notice, by=request.user)
    return redirect(dossier)
