"""The dossier's Faces tab (faces grouped by likely person), a face's page (the nearest faces in the
user's dossiers) and a face's crop, veiled until revealed; every view audited."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.welfare import reveal_counted
from audit.services import audit_record, client_ip
from cases.selectors import dossier_for
from cases.tabs import dossier_tab
from config.web import paginate
from evidence.faces import dossier_face_groups, face_for, face_search
from evidence.review.media import media_face_view
from evidence.web import derived_file_response


@login_required
def dossier_faces_view(request, pk: int):
    """The dossier's faces, grouped: rows of veiled crops, the largest groups first."""
    dossier = dossier_for(request.user, pk, files=True)
    grouped, total = dossier_face_groups(dossier)
    audit_record(actor=request.user, action="faces.group", dossier=dossier, ip=client_ip(request), faces=total)
    return dossier_tab(
        request,
        dossier,
        "faces",
        "evidence/dossier_faces.html",
        page=paginate(request, grouped),
        total=total,
        grouped=sum(group.size for group in grouped),
    )


@login_required
def face_detail(request, pk: int):
    """One face, veiled unless revealed, and the nearest faces in the dossiers whose files the user sees."""
    face = face_for(request.user, pk)
    context = {
        "face": face,
        "file": face.file,
        "dossier": face.file.exhibit.dossier,
        "revealed": request.GET.get("revealed") == "1",
        "found": face_search(user=request.user, face=face, ip=client_ip(request)),
    }
    return render(request, "evidence/face_detail.html", context)


@login_required
def face_crop(request, pk: int):
    """A face's crop: greyscale and blurred, or as it is after a reveal (logged either way)."""
    face = face_for(request.user, pk)
    reveal = request.GET.get("reveal") == "1"
    relative = media_face_view(face=face, reveal=reveal, by=request.user, ip=client_ip(request))
    if reveal:
        reveal_counted(request.session)
    return derived_file_response(relative, content_type="image/jpeg")
