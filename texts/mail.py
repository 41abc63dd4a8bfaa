"""An e-mail (.eml, RFC 5322): its headers, its readable body and the names of its attachments.

Which parts are attachments is said here once (``attachments_of``): the ingest takes each out as a
file of its own, a child of its message (evidence.ingest.archives.mails).
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
        names = [part.get_filename() for part in attachments_of(mail)]
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


def attachments_of(mail) -> list:
    """The parts of ``mail`` that are files of their own, in order: each part with a file name or an
    attachment disposition, each part that is not text (a picture shown in the body), each message
    attached (whole: its own parts are its attachments, not this one's). Not the text of the body.

    Walked without recursion: the parts' nesting is bounded by the parser's input alone.
    """
    if not mail.is_multipart():
        return [mail] if _is_attachment(mail) and mail.get_content_type() != "message/rfc822" else []
    found, stack = [], list(reversed(mail.get_payload()))
    while stack:
        part = stack.pop()
        if part.get_content_type() == "message/rfc822" or (not part.is_multipart() and _is_attachment(part)):
            found.append(part)
        elif part.is_multipart() and isinstance(payload := part.get_payload(), list):
            stack.extend(reversed(payload))
    return found


def _is_attachment(part) -> bool:
    return (
        bool(part.get_filename())
        or part.get_content_disposition() == "attachment"
        or part.get_content_maintype() != "text"
    )
