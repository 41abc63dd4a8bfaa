"""Writes of the chats app: reading an export into chats, accounts and messages; linking accounts."""

import os
import posixpath

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from audit.services import audit_record
from cases.models import DossierSuspect
from chats import telegram
from chats.models import Chat, ChatAccount, ChatExport, ChatMessage
from config import messages as worker_messages
from config.messages import Message, code_of, english
from evidence.ingest import sources
from evidence.ingest.failures import failure_reason, ingest_job_note
from evidence.models import EvidenceFile, FileIdentifier, IngestBatch, IngestJob
from evidence.search.identifiers import file_identifiers_add, file_identifiers_forget, identifiers_in

CHUNK = 2000


# A media file the export names but its folder lacks (config.messages code).
MISSING_FILE = "chat.media_missing_file"


def chat_export_read(*, batch: IngestBatch) -> ChatExport | None:
    """Read the batch's ``result.json`` (its container) into chats, accounts and messages.

    Media are linked to the files the same job listed in the export folder (never opened from the
    JSON's paths); those files are hashed and matched by their own batches. A batch run again
    replaces what a first run stored. Returns None when the JSON is not a Telegram export.
    """
    source = batch.container
    job = IngestJob.objects.select_related("exhibit").get(pk=batch.job_id)
    ChatExport.objects.filter(batch=batch).delete()
    file_identifiers_forget(file=source, found_in=FileIdentifier.FoundIn.MESSAGE)
    reader = _ExportReader(job, batch, source)
    try:
        try:
            with _open_export(source) as stream:
                for event in telegram.read_export(stream):
                    if not reader.take(event):
                        break
        except telegram.NotAnExport:
            reader.forget()
            return None
        except sources.READ_ERRORS as error:
            reader.problem("result.json", worker_messages.message("file.unreadable", reason=str(error)), fatal=True)
        return reader.finish()
    except Exception as error:
        # Whatever stopped the reading, the export does not stay "reading": it says why, and the
        # task's handler records the failure on the batch and the job (evidence.tasks.IngestTask).
        reader.stopped(failure_reason(error))
        raise


def _open_export(source: EvidenceFile):
    path = sources.real_path(source.source_path)
    if isinstance(path, str) and path.startswith(sources.STORED):  # an upload, in the object store
        return sources.open_source(path)
    # Never through a link: the listing recorded links without following them, and so does this.
    return os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb")


class _ExportReader:
    def __init__(self, job: IngestJob, batch: IngestBatch, source: EvidenceFile):
        self.job = job
        self.batch = batch
        self.dossier_id = job.exhibit.dossier_id
        self.folder = os.fsdecode(os.path.dirname(sources.real_path(source.source_path)))
        self.export = ChatExport.objects.create(
            exhibit_id=job.exhibit_id,
            job=job,
            batch=batch,
            source_file=source,
            folder=posixpath.dirname(source.path) or ".",
        )
        self.chat: Chat | None = None
        self.pending: list[telegram.Message] = []
        self.fatal = ""

    def take(self, event) -> bool:
        """Store one event of the reader; False when the job was cancelled."""
        if isinstance(event, telegram.ChatStart):
            self.flush()
            self.chat = Chat.objects.create(export=self.export, dossier_id=self.dossier_id, index=event.index)
            self.export.chats_count += 1
        elif isinstance(event, telegram.Message):
            self.pending.append(event)
            if len(self.pending) >= CHUNK:
                self.flush()
                if IngestJob.objects.filter(pk=self.job.pk, status=IngestJob.Status.CANCELLED).exists():
                    self.problem("", worker_messages.message("chat.cancelled"), fatal=True)
                    return False
        elif isinstance(event, telegram.ChatEnd):
            self.flush()
            if self.chat is not None:
                self.chat.telegram_id = event.telegram_id
                self.chat.name = event.name[:255]
                self.chat.kind = event.kind[:64]
                self.chat.save(update_fields=["telegram_id", "name", "kind", "messages_count"])
            self.chat = None
        elif isinstance(event, telegram.Problem):
            self.problem(event.where, event.reason, fatal=code_of(event.reason) == telegram.MALFORMED)
        return True

    def problem(self, where: Message | str, reason: Message, *, fatal: bool = False) -> None:
        self.export.problems_count += 1
        if len(self.export.problems) < ChatExport.PROBLEMS_KEPT:
            self.export.problems.append({"where": where, "reason": reason})
        if fatal and not self.fatal:
            self.fatal = reason

    def flush(self) -> None:
        if not self.pending or self.chat is None:
            self.pending.clear()
            return
        messages, self.pending = self.pending, []
        with transaction.atomic():
            accounts = self._accounts(messages)
            media = self._media(messages)
            rows = []
            for message in messages:
                media_file = media.get(message.media_path) if message.media_path else None
                missing = message.media_missing
                if message.media_path and media_file is None:
                    missing = worker_messages.message(MISSING_FILE)
                date = message.date
                if date is not None and timezone.is_naive(date):
                    date = timezone.make_aware(date)  # exports without date_unixtime: the examiner's zone
                rows.append(
                    (
                        self.chat.pk,
                        accounts.get(message.from_id),
                        message.message_id,
                        message.kind,
                        message.action,
                        date,
                        message.from_name,
                        message.forwarded_from,
                        message.reply_to,
                        message.text,
                        message.media_kind,
                        message.media_type,
                        message.mime_type,
                        message.media_size,
                        message.media_path,
                        media_file,
                        Jsonb(missing) if connection.vendor == "postgresql" else missing,
                    )
                )
                if code_of(missing) == MISSING_FILE:
                    self.problem(
                        worker_messages.message(
                            "chat.at_message", chat=self.chat.index + 1, message=str(message.message_id)
                        ),
                        worker_messages.message(
                            "chat.media_not_in_folder", kind=message.media_kind, path=message.media_path
                        ),
                    )
            _insert_messages(rows)
            self._identifiers(messages)
            self.chat.messages_count += len(rows)
            self.export.messages_count += len(rows)
            self.export.media_count += sum(1 for message in messages if message.media_kind)
            self.export.save(update_fields=["chats_count", "messages_count", "media_count", "problems_count"])

    def _identifiers(self, messages) -> None:
        """The senders' accounts, the @names mentioned and the identifiers in the messages' text,
        registered on the export's JSON file: the dossier's Identifiers tab, the search box."""
        found = identifiers_in((message.text for message in messages), usernames=True)
        for message in messages:
            if message.from_id:
                key = (FileIdentifier.Kind.USERNAME, f"telegram:{message.from_id}")
                count, raw = found.get(key, (0, message.from_name or message.from_id))
                found[key] = (count + 1, raw)
        file_identifiers_add(file=self.export.source_file, found=found)

    def _accounts(self, messages) -> dict[str, int]:
        names = {}
        for message in messages:
            if message.from_id:
                names.setdefault(message.from_id, message.from_name)
        ChatAccount.objects.bulk_create(
            [ChatAccount(dossier_id=self.dossier_id, from_id=key, display_name=name) for key, name in names.items()],
            ignore_conflicts=True,
        )
        return dict(
            ChatAccount.objects.filter(dossier_id=self.dossier_id, from_id__in=list(names)).values_list("from_id", "pk")
        )

    def _media(self, messages) -> dict[str, int]:
        """The ids of the files this job listed at the messages' media paths (the export's own files only)."""
        wanted = {
            sources.stored_path(os.path.join(self.folder, message.media_path)): message.media_path
            for message in messages
            if message.media_path
        }
        if not wanted:
            return {}
        found = EvidenceFile.objects.filter(
            job=self.job, container=None, image_locator__isnull=True, source_path__in=list(wanted)
        ).values_list("source_path", "pk")
        return {wanted[path]: pk for path, pk in found}

    def stopped(self, reason: Message) -> None:
        """The reading stopped on an unexpected error: what was stored stays, the export says why."""
        ChatExport.objects.filter(pk=self.export.pk).update(
            status=ChatExport.Status.PARTIAL, error=reason, finished_at=timezone.now()
        )

    def forget(self) -> None:
        self.export.delete()
        IngestBatch.objects.filter(pk=self.batch.pk).update(status=IngestBatch.Status.DONE, finished_at=timezone.now())

    def finish(self) -> ChatExport:
        self.flush()
        export = self.export
        with transaction.atomic():
            export.status = ChatExport.Status.PARTIAL if self.fatal else ChatExport.Status.DONE
            export.error = self.fatal
            export.finished_at = timezone.now()
            export.save()
            latest_name = (
                ChatMessage.objects.filter(account=OuterRef("pk"))
                .exclude(from_name="")
                .order_by("-date", "-id")
                .values("from_name")[:1]
            )
            ChatAccount.objects.filter(messages__chat__export=export).distinct().update(
                display_name=Subquery(latest_name)
            )
            if self.fatal:
                note = worker_messages.message("chat.read_in_part", folder=export.folder, reason=self.fatal)
                ingest_job_note(job_id=self.job.pk, note=note)
            IngestBatch.objects.filter(pk=self.batch.pk).update(
                status=IngestBatch.Status.DONE, finished_at=timezone.now()
            )
            audit_record(
                actor=None,
                action="chat_export.read",
                target=export,
                chats=export.chats_count,
                messages=export.messages_count,
                media=export.media_count,
                problems=export.problems_count,
                # The code and its parameters, and the English words for reading.
                error=english(export.error),
                error_message=export.error,
            )
        return export


COPIED = (
    "chat_id",
    "account_id",
    "message_id",
    "kind",
    "action",
    "date",
    "from_name",
    "forwarded_from",
    "reply_to",
    "text",
    "media_kind",
    "media_type",
    "media_mime",
    "media_size",
    "media_path",
    "media_id",
    "media_missing",
)


def _insert_messages(rows: list[tuple]) -> None:
    """Rows are values in COPIED order. COPY on PostgreSQL: Django's bulk_create spent most of an
    export's time building model instances and SQL."""
    if connection.vendor != "postgresql":
        ChatMessage.objects.bulk_create(ChatMessage(**dict(zip(COPIED, row, strict=True))) for row in rows)
        return
    table = connection.ops.quote_name(ChatMessage._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in COPIED)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


@transaction.atomic
def chat_account_update(
    *, account: ChatAccount, suspect: DossierSuspect | None, country: str = "", by, ip: str | None = None
) -> ChatAccount:
    """Link the account to a suspect of its dossier (or unlink it: None) and set its country."""
    if suspect is not None and suspect.dossier_id != account.dossier_id:
        raise ValidationError(_("The suspect must belong to the same dossier."))
    account = ChatAccount.objects.select_for_update().get(pk=account.pk)
    before = {"suspect": account.suspect_id, "country": account.country}
    account.suspect = suspect
    account.country = country.strip().upper()[:2]
    if before["suspect"] != account.suspect_id:
        account.linked_at = timezone.now() if suspect else None
        account.linked_by = by if suspect else None
    account.save(update_fields=["suspect", "country", "linked_at", "linked_by"])
    audit_record(
        actor=by,
        action=(
            "chat_account.update"
            if before["suspect"] == account.suspect_id
            else ("chat_account.link" if suspect else "chat_account.unlink")
        ),
        target=account,
        ip=ip,
        from_id=account.from_id,
        suspect=suspect.pk if suspect else None,
        previous_suspect=before["suspect"],
        country=account.country,
    )
    return account
