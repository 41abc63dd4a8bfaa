"""The messages text extraction and the search syntax store (config.messages). Registered when the
app is ready (texts.apps)."""

from django.utils.translation import gettext_lazy as _

CATALOGUE = {
    # Extraction refused (texts.extraction): recorded on the file, the rest of the job goes on.
    "text.too_large": _("text not extracted: %(size)s bytes, over the limit of %(limit)s for text extraction"),
    "text.time_limit": _("text extraction stopped after %(seconds)s s (time limit); the text read until then is kept"),
    "text.pdf_encrypted": _("text not extracted: the PDF is encrypted and opens only with its password"),
    "text.pdf_unreadable": _("text not extracted: the PDF cannot be read: %(reason)s"),
    "text.zip_unreadable": _("text not extracted: the document's zip container cannot be read: %(reason)s"),
    "text.member_too_large": _(
        "text not extracted: the document's part %(member)s holds %(size)s bytes, over the limit of %(limit)s "
        "(likely a decompression bomb)"
    ),
    "text.xml_unreadable": _("text not extracted: the document's part %(member)s is not readable XML: %(reason)s"),
    "text.mail_unreadable": _("text not extracted: the e-mail cannot be read: %(reason)s"),
    "text.too_deep": _("text not extracted: the content is nested deeper than the limit of %(limit)s"),
    "text.too_many_parts": _("text not extracted: the e-mail has more than %(limit)s parts"),
    "text.changed_since_ingest": _(
        "text not extracted: the file read again is not the one hashed at ingest (its SHA-256 differs)"
    ),
    "text.mbox_stopped": _("mailbox read as far as its first %(count)s messages (message or time limit)"),
    "text.failed": _("text not extracted: %(reason)s"),
    # The search box (texts.query)
    "search.unbalanced_quote": _('A quotation mark is not closed: close the phrase with a second ".'),
    "search.dangling_or": _("OR must stand between two words or phrases."),
    "search.only_not": _("Give at least one word to look for: a search cannot be made of excluded words only."),
    "search.not_in_or": _("An excluded word (-word) cannot be one side of an OR."),
    "search.too_long": _("The search has more than %(limit)s words: make it shorter."),
    # A keyword list's lines not taken (texts.keywords), each listed with its line number
    "keyword.line_too_long": _("the line holds %(length)s characters, over the limit of %(limit)s"),
    "keyword.empty_term": _("no term before the label"),
    "keyword.label_too_long": _("the label is longer than %(limit)s characters"),
    "keyword.nothing_to_find": _("the term holds no letter or digit to look for"),
    "keyword.refused": _("the term is not a valid search: %(reason)s"),
    "keyword.duplicate": _("the same term as line %(line)s"),
}
