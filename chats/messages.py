"""The messages the chat-export reader stores (config.messages): where a problem was met, what
it was, why a reading stopped. Registered when the app is ready (chats.apps)."""

from django.utils.translation import gettext_lazy as _

CATALOGUE = {
    "chat.at_chat": _("chat %(chat)s"),
    "chat.at_message": _("chat %(chat)s, message %(message)s"),
    "chat.at_byte": _("byte %(byte)s"),
    "chat.message_not_object": _("a message that is not an object was skipped"),
    "chat.message_id_out_of_range": _("a message whose id is out of range was skipped ('%(id)s')"),
    "chat.message_without_id": _("a message without a numeric id was skipped ('%(id)s')"),
    "chat.sender_unrecognised": _("unrecognised sender id '%(id)s'"),
    "chat.sender_too_long": _("sender id of %(length)s characters (at most %(most)s): '%(id)s...'"),
    "chat.no_date": _("no readable date"),
    "chat.media_unnamed": _("no file named in the export"),
    "chat.media_not_exported": _("not exported: %(placeholder)s"),
    "chat.media_absolute": _("refused: absolute path, not inside the export"),
    "chat.media_outside": _("refused: the path leads outside the export"),
    "chat.media_missing_file": _("missing: no such file in the export folder"),
    "chat.photo_missing": _("photo: %(reason)s"),
    "chat.file_missing": _("file: %(reason)s"),
    "chat.media_not_in_folder": _("%(kind)s: %(path)s: not in the export folder"),
    "chat.malformed": _("the file is malformed or ends early; reading stopped: %(reason)s"),
    "chat.cancelled": _("ingestion cancelled: the rest of the export was not read"),
    "chat.read_in_part": _("Chat export %(folder)s: read in part: %(reason)s"),
}
