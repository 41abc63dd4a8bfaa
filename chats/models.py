from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import Dossier, DossierSuspect
from chats import telegram
from evidence.models import EvidenceFile, Exhibit, IngestBatch, IngestJob


class ChatExport(models.Model):
    """A chat export found in an ingested folder (Telegram Desktop's ``result.json``) and what reading it gave."""

    class Status(models.TextChoices):
        READING = "reading", _("Reading")
        DONE = "done", _("Read")
        PARTIAL = "partial", _("Read in part (malformed file)")

    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="chat_exports")
    job = models.ForeignKey(IngestJob, on_delete=models.PROTECT, related_name="chat_exports")
    # The batch that reads it: a batch run again replaces what its first run stored.
    batch = models.OneToOneField(IngestBatch, on_delete=models.CASCADE, related_name="chat_export")
    source_file = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, related_name="chat_exports")
    folder = models.CharField(_("folder"), max_length=4096)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.READING)
    chats_count = models.PositiveIntegerField(default=0)
    messages_count = models.PositiveIntegerField(default=0)
    media_count = models.PositiveIntegerField(default=0)
    problems_count = models.PositiveIntegerField(default=0)
    # The first PROBLEMS_KEPT problems: {"where": ..., "reason": ...}.
    problems = models.JSONField(default=list, blank=True)
    # Why the reading stopped: a worker message (config.messages), "" when none, or an old row's
    # English sentence.
    error = models.JSONField(default=str, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    PROBLEMS_KEPT = 1000

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("chat export")
        verbose_name_plural = _("chat exports")

    def __str__(self) -> str:
        return self.folder

    @property
    def audit_dossier(self):
        return self.exhibit.dossier


class Chat(models.Model):
    """One chat (group, channel, conversation) of an export."""

    export = models.ForeignKey(ChatExport, on_delete=models.CASCADE, related_name="chats")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="chats")
    index = models.PositiveIntegerField()
    telegram_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    kind = models.CharField(_("type"), max_length=64, blank=True)
    messages_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["export", "index"]
        verbose_name = _("chat")
        verbose_name_plural = _("chats")

    def __str__(self) -> str:
        return self.name or f"#{self.telegram_id or self.pk}"


class ChatAccount(models.Model):
    """A sender seen in the dossier's chat exports, one per Telegram id (names change; ids do not)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="chat_accounts")
    from_id = models.CharField(_("account id"), max_length=telegram.SENDER_ID_MAX)
    # The name on its latest message read; every name seen is in its messages (ChatMessage.from_name).
    display_name = models.CharField(_("name"), max_length=255, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("Two-letter code (ISO 3166), for partner forces.")
    )
    suspect = models.ForeignKey(
        DossierSuspect,
        verbose_name=_("suspect"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_accounts",
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["from_id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "from_id"], name="chat_account_unique_id")]
        verbose_name = _("chat account")
        verbose_name_plural = _("chat accounts")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.from_id})" if self.display_name else self.from_id

    def get_absolute_url(self) -> str:
        return reverse("chat_account_detail", args=[self.pk])

    @property
    def audit_dossier(self):
        return self.dossier


class ChatMessage(models.Model):
    """One message of a chat, with the media file it carried (an ingested file of the export)."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    account = models.ForeignKey(ChatAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    message_id = models.BigIntegerField()
    kind = models.CharField(max_length=16, default="message")  # "message" or "service"
    action = models.CharField(max_length=64, blank=True)
    date = models.DateTimeField(_("time"), null=True, blank=True)
    from_name = models.CharField(_("name shown"), max_length=255, blank=True)
    forwarded_from = models.CharField(_("forwarded from"), max_length=255, blank=True)
    reply_to = models.BigIntegerField(null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    media_kind = models.CharField(max_length=8, blank=True)  # "photo", "file" or ""
    media_type = models.CharField(max_length=64, blank=True)
    media_mime = models.CharField(max_length=255, blank=True)
    media_size = models.PositiveBigIntegerField(null=True, blank=True)
    media_path = models.CharField(max_length=4096, blank=True)
    media = models.ForeignKey(
        EvidenceFile, null=True, blank=True, on_delete=models.PROTECT, related_name="chat_messages"
    )
    # Why a media named by the message is not an ingested file: not exported, refused path, missing.
    # Why the media is not in the export: a worker message (config.messages), "" when it is, or an
    # old row's English sentence.
    media_missing = models.JSONField(default=str, blank=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["account", "date"], name="chat_message_account_date"),
            models.Index(fields=["chat", "message_id"], name="chat_message_chat_id"),
        ]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")

    def __str__(self) -> str:
        return f"{self.chat}: {self.message_id}"
