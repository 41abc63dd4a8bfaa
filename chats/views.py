import hashlib
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import step_up_required
from audit.services import audit_record, client_ip
from cases.selectors import can_see_files, dossier_for, membership_of
from chats.forms import ChatAccountForm
from chats.models import ChatAccount
from chats.selectors import (
    EXPORT_FIELDS,
    ORDERS,
    account_chats,
    account_messages,
    account_names,
    accounts_with_counts,
    chat_account_for,
    chat_accounts_for_export,
    chat_exports_of_dossier,
    dossier_accounts,
    known_by_category,
    known_material_shared,
)
from chats.services import chat_account_update
from config.spreadsheets import SpreadsheetWriter
from config.web import paginate
from hashing.vics_export import vics_bytes, vics_document


@login_required
def dossier_chat_accounts(request, pk: int):
    """The dossier's chat accounts, ranked by the known material they shared (or another order)."""
    dossier = dossier_for(request.user, pk)
    order = request.GET.get("order", "known")
    order = order if order in ORDERS else "known"
    accounts = dossier_accounts(
        dossier,
        order=order,
        query=request.GET.get("q", ""),
        country=request.GET.get("country", "")[:2],
        suspect=request.GET.get("suspect", ""),
    )
    page = paginate(request, accounts)
    categories = known_by_category([account.pk for account in page])
    for account in page:
        account.categories = categories.get(account.pk, [])
    membership = membership_of(request.user, dossier)
    context = {
        "dossier": dossier,
        "membership": membership,
        "files_visible": can_see_files(request.user, dossier, membership=membership),
        "tab": "accounts",
        "page": page,
        "order": order,
        "orders": ORDERS,
        "exports": chat_exports_of_dossier(dossier),
    }
    return render(request, "chats/accounts.html", context)


@login_required
def chat_account_detail(request, pk: int):
    """One account: its names, chats and counts; for the investigating team, its messages and media."""
    account = chat_account_for(request.user, pk)
    membership = membership_of(request.user, account.dossier)
    figures = accounts_with_counts(ChatAccount.objects.filter(pk=account.pk)).get()
    context = {
        "account": account,
        "dossier": account.dossier,
        "membership": membership,
        "figures": figures,
        "categories": known_by_category([account.pk]).get(account.pk, []),
        "names": account_names(account),
        "chats": account_chats(account),
    }
    # Message texts and media are for the investigating team; prosecutors see the figures.
    if can_see_files(request.user, account.dossier, membership=membership):
        query = request.GET.get("q", "")
        media = request.GET.get("media", "")
        context["page"] = paginate(request, account_messages(account, query=query, media=media))
        context["form"] = ChatAccountForm(
            dossier=account.dossier, initial={"suspect": account.suspect_id, "country": account.country}
        )
    return render(request, "chats/account_detail.html", context)


@login_required
@require_POST
def chat_account_link(request, pk: int):
    account = chat_account_for(request.user, pk, write=True)
    form = ChatAccountForm(request.POST, dossier=account.dossier)
    if form.is_valid():
        try:
            chat_account_update(account=account, by=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Account %(account)s saved.") % {"account": account.from_id})
    else:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect(account)


@login_required
@step_up_required
def chat_accounts_export(request, pk: int, fmt: str):
    """The dossier's accounts with identifiers and counts, for partner forces (CSV or JSON; no media),
    or the known material they shared as a VICS 2.0 hash set (hashes and categories, never an image)."""
    if fmt not in ("csv", "json", "vics"):
        raise Http404
    dossier = dossier_for(request.user, pk, files=True)
    country = request.GET.get("country", "")[:2].upper()
    linked_only = request.GET.get("suspect") == "linked"
    if fmt == "vics":
        rows = list(known_material_shared(dossier, country=country, linked_only=linked_only))
        content = vics_bytes(vics_document(rows, case_id=dossier.notice_number, case_number=dossier.notice_number))
        content_type, extension = "application/json", "vics.json"
    else:
        rows = list(chat_accounts_for_export(dossier, country=country, linked_only=linked_only))
        content, content_type = _accounts_document(dossier, rows, fmt=fmt, country=country)
        extension = fmt
    suffix = f"-{country}" if country else ""
    name = f"chat-accounts-{dossier.notice_number.replace('/', '-').replace('.', '-')}{suffix}.{extension}"
    audit_record(
        actor=request.user,
        action="chat_accounts.export",
        target=dossier,
        ip=client_ip(request),
        format=fmt,
        country=country,
        rows=len(rows),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _accounts_document(dossier, records: list[dict], *, fmt: str, country: str) -> tuple[bytes, str]:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = SpreadsheetWriter(buffer)
        writer.writerow(EXPORT_FIELDS)
        writer.writerows([record[name] for name in EXPORT_FIELDS] for record in records)
        return buffer.getvalue().encode("utf-8"), "text/csv; charset=utf-8"
    document = {
        "dossier": dossier.notice_number,
        "exported_at": timezone.now().isoformat(),
        "country": country,
        "accounts": records,
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"), "application/json"
