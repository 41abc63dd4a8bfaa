"""The evidence views' answers around files: the upload size limit, and files of the derived store."""

from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from audit.services import audit_record, client_ip
from config.store import object_store, read_derived


def upload_limit(view):
    """Refuse (413) a request body over UPLOAD_MAX_BYTES before reading it.

    FILE_UPLOAD_MAX_MEMORY_SIZE only decides when uploads spill to disk; nothing else caps them.
    nginx's client_max_body_size is the outer limit (deploy/nginx/scelle.conf).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.method == "POST" and length > settings.UPLOAD_MAX_BYTES:
            audit_record(
                actor=request.user, action="upload.refused", ip=client_ip(request), bytes=length, path=request.path
            )
            limit = filesizeformat(settings.UPLOAD_MAX_BYTES)
            return render(request, "413.html", {"limit": limit}, status=413)
        return view(request, *args, **kwargs)

    return wrapper


def derived_file_response(relative: str, *, content: "bytes | None" = None, content_type: str):
    """Answer with a file of the derived store, after the caller checked access and logged the read.

    With MEDIA_ACCEL_REDIRECT (file storage behind nginx) the answer is empty and names the file
    in `X-Accel-Redirect`: nginx sends it from an `internal` location no client can ask for
    directly. Otherwise the bytes (``content``, or read from the store) go in the answer.
    """
    if settings.MEDIA_ACCEL_REDIRECT and object_store() is None:
        response = HttpResponse(b"", content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_PREFIX.rstrip("/") + "/" + quote(relative)
    else:
        response = HttpResponse(read_derived(relative) if content is None else content, content_type=content_type)
    response["Content-Disposition"] = "inline"
    return response
