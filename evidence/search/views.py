"""The dossier's search tab (its files' text and names), and the job indexing files ingested before."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_record, client_ip
from cases.selectors import can_see_files, dossier_for, membership_of
from cases.tabs import dossier_tab
from config.web import paginate
from evidence.search.forms import ExhibitOcrForm, TextLanguageForm, TextSearchForm
from evidence.search.jobs import dossier_text_index_start
from evidence.search.selectors import file_texts_found, snippets_for
from evidence.search.services import exhibit_ocr_set, exhibit_text_language_set
from evidence.selectors import exhibit_for
from texts.query import QueryRefused


@login_required
def dossier_text_search(request, pk: int):
    dossier = dossier_for(request.user, pk)
    form = TextSearchForm(request.GET or None, dossier=dossier)
    context = {"form": form, "files_visible": can_see_files(request.user, dossier), "page": None}
    context["index_job"] = dossier.text_index_jobs.first()
    context["exhibits"] = dossier.exhibits.order_by("seal_number")
    context["language_choices"] = TextLanguageForm().fields["language"].choices
    if context["files_visible"] and form.is_valid() and form.cleaned_data["q"].strip():
        query = form.cleaned_data["q"]
        try:
            hits = file_texts_found(request.user, dossier, query, form.filters())
            page = paginate(request, hits.texts, count=hits.count)
        except QueryRefused as refusal:
            context["query_error"] = refusal.message
        else:
            snippets_for(list(page.object_list), query)
            context["page"], context["ranked"] = page, hits.ranked
            # What was looked for and how much was shown: content of the evidence, read.
            audit_record(
                actor=request.user,
                action="text.search",
                target=dossier,
                ip=client_ip(request),
                query=query[:500],
                results=page.paginator.count,
                page=page.number,
            )
    return dossier_tab(request, dossier, "text_search", "evidence/dossier_text_search.html", **context)


@login_required
@require_POST
def text_index_start(request, pk: int):
    dossier = dossier_for(request.user, pk, write=True, files=True)
    job = dossier_text_index_start(dossier=dossier, by=request.user, ip=client_ip(request))
    messages.success(request, _("Indexing the text of %(count)s files.") % {"count": job.files_total})
    return redirect("dossier_text_search", pk=dossier.pk)


@login_required
def text_index_progress(request, pk: int, job_pk: int):
    dossier = dossier_for(request.user, pk)
    job = get_object_or_404(dossier.text_index_jobs, pk=job_pk)
    context = {"dossier": dossier, "index_job": job, "membership": membership_of(request.user, dossier)}
    return render(request, "evidence/_text_index_progress.html", context)


@login_required
@require_POST
def exhibit_text_language(request, pk: int):
    exhibit = exhibit_for(request.user, pk, write=True, files=True)
    form = TextLanguageForm(request.POST)
    if form.is_valid():
        exhibit_text_language_set(
            exhibit=exhibit, language=form.cleaned_data["language"], by=request.user, ip=client_ip(request)
        )
        messages.success(
            request, _("The texts of %(seal)s are searched in their new language.") % {"seal": exhibit.seal_number}
        )
    else:
        messages.error(request, _("Choose a language from the list."))
    return redirect("dossier_text_search", pk=exhibit.dossier_id)


@login_required
@require_POST
def exhibit_ocr(request, pk: int):
    exhibit = exhibit_for(request.user, pk, write=True, files=True)
    form = ExhibitOcrForm(request.POST)
    if form.is_valid():
        exhibit_ocr_set(exhibit=exhibit, ocr=form.cleaned_data["ocr"], by=request.user, ip=client_ip(request))
        messages.success(request, _("Saved: %(seal)s, text read from pictures.") % {"seal": exhibit.seal_number})
    else:
        messages.error(request, _("Choose automatic, on or off."))
    return redirect(exhibit.get_absolute_url())
