"""The dossier's keyword lists (a section of its *Find in files* tab): import, run, hits, CSV."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import step_up_required
from audit.services import client_ip
from cases.selectors import can_see_files, dossier_for, membership_of
from cases.tabs import dossier_tab
from config.web import paginate
from evidence.search.forms import KeywordListForm
from evidence.search.keyword_selectors import (
    hit_exhibits,
    hit_rows,
    keyword_list_of,
    keyword_lists_of,
    keyword_run_of,
)
from evidence.search.keywords import keyword_hits_export, keyword_list_import, keyword_run_start
from texts.keywords import KeywordListTooLong


def _lists_page(request, dossier, form=None, status=200):
    context = {
        "lists": paginate(request, keyword_lists_of(dossier)),
        "form": form or KeywordListForm(),
        "files_visible": can_see_files(request.user, dossier),
    }
    response = dossier_tab(request, dossier, "text_search", "evidence/dossier_keywords.html", **context)
    response.status_code = status
    return response


@login_required
def dossier_keywords(request, pk: int):
    return _lists_page(request, dossier_for(request.user, pk))


@login_required
@require_POST
def keyword_list_new(request, pk: int):
    dossier = dossier_for(request.user, pk, write=True)
    form = KeywordListForm(request.POST, request.FILES)
    if not form.is_valid():
        return _lists_page(request, dossier, form)
    data = form.cleaned_data
    try:
        keyword_list = keyword_list_import(
            dossier=dossier,
            name=data["name"],
            text=data["text"],
            file_name=data["file_name"],
            by=request.user,
            ip=client_ip(request),
        )
    except KeywordListTooLong as refusal:
        form.add_error(None, _("The list holds more than %(limit)s terms: split it.") % {"limit": refusal.limit})
        return _lists_page(request, dossier, form)
    terms, refused = keyword_list.terms.count(), len(keyword_list.rejected)
    text = ngettext("%(count)s term imported.", "%(count)s terms imported.", terms) % {"count": terms}
    if refused:
        text += " " + ngettext("%(count)s line refused: see below.", "%(count)s lines refused: see below.", refused) % {
            "count": refused
        }
    (messages.warning if refused else messages.success)(request, text)
    return redirect("keyword_list_detail", pk=dossier.pk, list_pk=keyword_list.pk)


@login_required
def keyword_list_detail(request, pk: int, list_pk: int):
    dossier = dossier_for(request.user, pk)
    keyword_list = keyword_list_of(dossier, list_pk)
    runs = list(keyword_list.runs.select_related("created_by")[:10])
    run = runs[0] if runs else None
    terms = paginate(request, keyword_list.terms.order_by("line"))
    exhibits = hit_exhibits(run) if run else []
    context = {
        "keyword_list": keyword_list,
        "runs": runs,
        "run": run,
        "terms": terms,
        "exhibits": exhibits,
        "rows": hit_rows(run, terms.object_list, exhibits) if run else [],
        "files_visible": can_see_files(request.user, dossier),
    }
    return dossier_tab(request, dossier, "text_search", "evidence/keyword_list.html", **context)


@login_required
@require_POST
def keyword_list_run(request, pk: int, list_pk: int):
    dossier = dossier_for(request.user, pk, write=True, files=True)
    keyword_list = keyword_list_of(dossier, list_pk)
    run = keyword_run_start(keyword_list=keyword_list, by=request.user, ip=client_ip(request))
    messages.success(request, _("Looking for %(count)s terms in the dossier's files.") % {"count": run.terms_total})
    return redirect("keyword_list_detail", pk=dossier.pk, list_pk=keyword_list.pk)


@login_required
def keyword_run_progress(request, pk: int, run_pk: int):
    dossier = dossier_for(request.user, pk)
    run = keyword_run_of(dossier, run_pk)
    if run.is_finished and request.headers.get("HX-Request"):
        # Polled until now: the page is read again, with the run's table of hits.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context = {"dossier": dossier, "run": run, "membership": membership_of(request.user, dossier)}
    return render(request, "evidence/_keyword_run_progress.html", context)


@login_required
@step_up_required
def keyword_run_export(request, pk: int, run_pk: int):
    """The run's hits as CSV: file paths and hashes, for who may see the dossier's files."""
    dossier = dossier_for(request.user, pk, files=True)
    run = keyword_run_of(dossier, run_pk)
    lines, name = keyword_hits_export(run=run, by=request.user, ip=client_ip(request))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
