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
    "text.msg_unreadable": _("text not extracted: the Outlook message (.msg) cannot be read: %(reason)s"),
    "text.msg_rtf_unreadable": _("the Outlook message's body (compressed RTF) cannot be read: %(reason)s"),
    "text.too_deep": _("text not extracted: the content is nested deeper than the limit of %(limit)s"),
    "text.too_many_parts": _("text not extracted: the e-mail has more than %(limit)s parts"),
    "text.changed_since_ingest": _(
        "text not extracted: the file read again is not the one hashed at ingest (its SHA-256 differs)"
    ),
    "text.mbox_message_skipped": _("message %(number)s of the mailbox not read: %(reason)s"),
    "text.mbox_stopped": _("mailbox read as far as its first %(count)s messages (message or time limit)"),
    "text.failed": _("text not extracted: %(reason)s"),
    # Text read from pictures (texts.ocr): recorded on the file, the rest of the job goes on.
    "ocr.too_large": _(
        "text not read from the picture: %(width)s × %(height)s pixels, over the limit of %(limit)s pixels for OCR"
    ),
    "ocr.time_limit": _("text not read from the picture: OCR stopped after %(seconds)s s (time limit)"),
    "ocr.unreadable": _("text not read from the picture: it cannot be decoded: %(reason)s"),
    "ocr.failed": _("text not read from the picture: OCR failed: %(reason)s"),
    "ocr.unavailable": _("text not read from the picture: Tesseract or its language data is not installed"),
    "ocr.page_failed": _("text not read from the picture of page %(page)s: %(reason)s"),
    "ocr.pdf_time_limit": _(
        "text read from the pictures of the PDF's first %(page)s pages only: stopped after %(seconds)s s (time limit)"
    ),
    "ocr.pages_stopped": _("text read from the pictures of the first %(count)s scanned pages only (page limit)"),
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
