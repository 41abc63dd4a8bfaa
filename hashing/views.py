from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.roles import ADMIN
from audit.services import client_ip
from config.web import role_required
from hashing.forms import HashListImportForm
from hashing.models import HashList, HashListVersion
from hashing.selectors import hash_lists_overview
from hashing.services import hash_list_version_create


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
            default_category=data["default_category"],
            label=data["label"],
            stream=data["file"],
            file_name=data["file"].name,
            by=request.user,
            ip=client_ip(request),
        )
        messages.success(request, _("List file received; a worker is importing it."))
        return redirect(version)
    return render(
        request, "hashing/import_form.html", {"form": form, "names": HashList.objects.values_list("name", flat=True)}
    )


@login_required
@role_required(ADMIN)
def hashlist_detail(request, pk: int):
    hash_list = get_object_or_404(HashList, pk=pk)
    return render(request, "hashing/detail.html", {"hash_list": hash_list, "versions": hash_list.versions.all()})


@login_required
@role_required(ADMIN)
def version_progress(request, pk: int):
    version = get_object_or_404(HashListVersion.objects.select_related("hash_list"), pk=pk)
    response = render(request, "hashing/_version_progress.html", {"version": version})
    if version.is_finished and request.GET.get("polling"):
        response["HX-Refresh"] = "true"
    return response
