"""Reads of the chats app, scoped to the user: accounts with their counts, one account's messages."""

from django.db.models import Count, Max, Min, Q
from django.shortcuts import get_object_or_404

from cases.selectors import check_dossier_role, dossiers_visible_to
from chats.models import ChatAccount, ChatExport, ChatMessage
from evidence.models import EvidenceFile

KNOWN = EvidenceFile.Triage.KNOWN

# Sort keys of the accounts page: key -> expression (descending first where "more" ranks higher).
ORDERS = {
    "known": ("-known_count", "-known_files", "-media_count", "from_id"),
    "new": ("-new_count", "-known_count", "from_id"),
    "media": ("-media_count", "-known_count", "from_id"),
    "messages": ("-messages_count", "from_id"),
    "groups": ("-groups_count", "-known_count", "from_id"),
    "last": ("-last_at", "from_id"),
    "first": ("first_at", "from_id"),
    "name": ("display_name", "from_id"),
}


def chat_account_for(user, pk: int, *, write: bool = False, files: bool = False) -> ChatAccount:
    """The account if ``user`` is a member of its dossier (else 404); ``write``/``files`` as ``dossier_for``."""
    account = get_object_or_404(
        ChatAccount.objects.select_related("dossier", "suspect__person").filter(dossier__in=dossiers_visible_to(user)),
        pk=pk,
    )
    check_dossier_role(user, account.dossier, write=write, files=files)
    return account


def accounts_with_counts(accounts):
    """Each account with its figures, all aggregated in one GROUP BY over its messages and their media.

    Counts are of messages (a file shared in three chats counts three times), except
    ``known_files``: the distinct known files (by SHA-256) the account shared.
    """
    posted = Q(messages__kind="message")
    with_media = posted & ~Q(messages__media_kind="")
    return accounts.annotate(
        messages_count=Count("messages", filter=posted),
        media_count=Count("messages", filter=with_media),
        not_exported_count=Count("messages", filter=with_media & Q(messages__media__isnull=True)),
        known_count=Count("messages", filter=posted & Q(messages__media__triage=KNOWN)),
        known_files=Count("messages__media__sha256", filter=posted & Q(messages__media__triage=KNOWN), distinct=True),
        near_count=Count("messages", filter=posted & Q(messages__media__triage__in=EvidenceFile.MATCH_STATES)),
        new_count=Count("messages", filter=posted & Q(messages__media__triage__in=EvidenceFile.NEW_STATES)),
        groups_count=Count("messages__chat", distinct=True),
        first_at=Min("messages__date"),
        last_at=Max("messages__date"),
    )


def dossier_accounts(dossier, *, order: str = "known", query: str = "", country: str = "", suspect: str = ""):
    """The accounts page: the dossier's accounts with their figures, sorted by ``order`` (ORDERS)."""
    accounts = ChatAccount.objects.filter(dossier=dossier)
    query = query.strip()
    if query:
        named = ChatMessage.objects.filter(account__dossier=dossier, from_name__icontains=query).values("account")
        accounts = accounts.filter(Q(from_id__icontains=query) | Q(display_name__icontains=query) | Q(pk__in=named))
    if country:
        accounts = accounts.filter(country=country.upper())
    if suspect == "linked":
        accounts = accounts.filter(suspect__isnull=False)
    elif suspect == "unlinked":
        accounts = accounts.filter(suspect__isnull=True)
    return (
        accounts_with_counts(accounts).select_related("suspect__person").order_by(*ORDERS.get(order, ORDERS["known"]))
    )


def known_by_category(accounts) -> dict[int, list[tuple[str, int]]]:
    """Known material per category for these accounts (one query): account id -> [(category, count)]."""
    rows = (
        ChatMessage.objects.filter(account__in=accounts, kind="message", media__triage=KNOWN)
        .values_list("account_id", "media__match_category")
        .annotate(count=Count("id"))
        .order_by("account_id", "media__match_category")
    )
    result: dict[int, list[tuple[str, int]]] = {}
    for account_id, category, count in rows:
        result.setdefault(account_id, []).append((category or "?", count))
    return result


def account_names(account: ChatAccount):
    """Every name the account showed, with when it was first and last seen and on how many messages."""
    return (
        account.messages.exclude(from_name="")
        .values("from_name")
        .annotate(first_at=Min("date"), last_at=Max("date"), count=Count("id"))
        .order_by("first_at", "from_name")
    )


def account_chats(account: ChatAccount):
    """The chats the account wrote in, with its message count in each."""
    return (
        account.messages.values("chat_id", "chat__name", "chat__kind", "chat__telegram_id")
        .annotate(count=Count("id"), first_at=Min("date"), last_at=Max("date"))
        .order_by("chat__name", "chat_id")
    )


def account_messages(account: ChatAccount, *, query: str = "", media: str = ""):
    """The account's messages, oldest first, with their chat and media; ``query`` searches the text."""
    messages = account.messages.select_related("chat", "media")
    query = query.strip()
    if query:
        messages = messages.filter(
            Q(text__icontains=query) | Q(forwarded_from__icontains=query) | Q(media_path__icontains=query)
        )
    if media == "known":
        messages = messages.filter(media__triage=KNOWN)
    elif media == "new":
        messages = messages.filter(media__triage__in=EvidenceFile.NEW_STATES)
    elif media == "any":
        messages = messages.exclude(media_kind="")
    return messages.order_by("date", "id")


def files_shared_by(accounts):
    """The files (EvidenceFile) the accounts shared in chats: for the VICS export of their material."""
    return EvidenceFile.objects.filter(
        pk__in=ChatMessage.objects.filter(account__in=accounts, media__isnull=False).values("media_id")
    )


def known_material_shared(dossier, *, country: str = "", linked_only: bool = False):
    """The known material (alert list or reviewer) the dossier's accounts shared: for a VICS export."""
    accounts = ChatAccount.objects.filter(dossier=dossier)
    if country:
        accounts = accounts.filter(country=country)
    if linked_only:
        accounts = accounts.filter(suspect__isnull=False)
    return files_shared_by(accounts).known_material().order_by("exhibit__seal_number", "path", "id")


def chat_exports_of_dossier(dossier):
    return ChatExport.objects.filter(exhibit__dossier=dossier).select_related("exhibit", "source_file")


EXPORT_FIELDS = (
    "from_id",
    "display_name",
    "names_seen",
    "country",
    "suspect",
    "messages",
    "media",
    "media_not_exported",
    "known",
    "known_files",
    "known_by_category",
    "near",
    "new",
    "groups",
    "first_activity",
    "last_activity",
)


def chat_accounts_for_export(dossier, *, country: str = "", linked_only: bool = False):
    """One record per account of the dossier for partner forces: identifiers and counts, no media."""
    accounts = dossier_accounts(dossier, country=country, suspect="linked" if linked_only else "")
    accounts = list(accounts)
    categories = known_by_category(accounts)
    names: dict[int, list[str]] = {}
    seen = (
        ChatMessage.objects.filter(account__in=accounts)
        .exclude(from_name="")
        .values_list("account_id", "from_name")
        .annotate(first=Min("date"))
        .order_by("account_id", "first")
    )
    for account_id, name, _first in seen:
        names.setdefault(account_id, []).append(name)
    for account in accounts:
        yield {
            "from_id": account.from_id,
            "display_name": account.display_name,
            "names_seen": names.get(account.pk, []),
            "country": account.country,
            "suspect": account.suspect.person.full_name if account.suspect else "",
            "messages": account.messages_count,
            "media": account.media_count,
            "media_not_exported": account.not_exported_count,
            "known": account.known_count,
            "known_files": account.known_files,
            "known_by_category": dict(categories.get(account.pk, [])),
            "near": account.near_count,
            "new": account.new_count,
            "groups": account.groups_count,
            "first_activity": account.first_at.isoformat() if account.first_at else "",
            "last_activity": account.last_at.isoformat() if account.last_at else "",
        }
