"""An e-mail (.eml, RFC 5322): its headers, its readable body and the names of its attachments.

Each attachment as a file of its own (a child of its message) is a later step; here it is named.
"""

from email import message_from_bytes, policy
from email.errors import MessageError as EmailError

from config.messages import message
from texts.limits import Budget, TextRefused
from texts.plain import html_text
from texts.sink import Sink

HEADERS = ("From", "To", "Cc", "Subject", "Date")


def mail_text(data: bytes, sink: Sink, budget: Budget) -> None:
    try:
        mail = message_from_bytes(bytes(data), policy=policy.default)
        _check_nesting(mail, budget)
        for name in HEADERS:
            value = mail.get(name)
            if value:
                sink.add(f"{name}: {value}\n")
        sink.add("\n")
        body = mail.get_body(preferencelist=("plain", "html"))
        if body is not None:
            content = body.get_content()
            if body.get_content_subtype() == "html":
                html_text(content, sink)
            else:
                sink.add(content)
        names = [part.get_filename() for part in mail.iter_attachments()]
        if names := [name for name in names if name]:
            sink.add("\n\n" + "\n".join(names))
    except TextRefused:
        raise
    except RecursionError as error:
        raise TextRefused(message("text.too_deep", limit=budget.limits.max_depth)) from error
    except (EmailError, LookupError, ValueError, TypeError, AttributeError, UnicodeError) as error:
        raise TextRefused(message("text.mail_unreadable", reason=str(error) or type(error).__name__)) from error


def _check_nesting(mail, budget: Budget) -> None:
    """Refuse a message nested deeper than ``max_depth`` or of more than ``max_parts`` parts, before
    any of it is read: each level costs the reader a recursion, each part time."""
    limits, count, stack = budget.limits, 0, [(mail, 0)]
    while stack:
        part, depth = stack.pop()
        count += 1
        if depth > limits.max_depth:
            raise TextRefused(message("text.too_deep", limit=limits.max_depth))
        if count > limits.max_parts:
            raise TextRefused(message("text.too_many_parts", limit=limits.max_parts))
        if part.is_multipart():
            stack.extend((child, depth + 1) for child in part.get_payload())
