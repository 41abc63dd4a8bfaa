"""Which folders of the evidence server a dossier may reach: granted by an admin, one folder at a time.

Every caller that turns a (root, path) of a request into a path on the server for a dossier (the
evidence-server page, the API's ingest) goes through ``source_path_for``, so that the rule is kept
in one place: a path outside every folder granted to the dossier is answered as missing (404), and
its existence is never tested. No rule grants folders by their name (say, a folder named after a
notice number): anyone may open a dossier under a notice number, so a name proves nothing.

The ``ingest`` management command is not a caller: it runs with a shell on the server, which reads
the storage anyway; it is audited instead (``ingest.command_line``).
"""

import getpass
import socket
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Dossier
from cases.selectors import membership_of
from evidence.ingest.jobs import ingest_job_create_from_path, ingest_path_refuse
from evidence.ingest.server_paths import MissingSource, OutsideSources, canonical_folder, resolve_granted
from evidence.models import Exhibit, IngestJob, SourceGrant


@dataclass(frozen=True)
class GrantedFolder:
    grant: SourceGrant
    root_index: int
    root: Path  # as EVIDENCE_SOURCES names it
    path: Path  # resolved, absolute

    @property
    def folder(self) -> str:
        return self.grant.folder

    @property
    def is_there(self) -> bool:
        return self.path.is_dir()


def source_folders_for(user, dossier: Dossier) -> list[GrantedFolder]:
    """The folders granted to ``dossier`` under today's EVIDENCE_SOURCES, if ``user`` may ingest there.

    Empty for anyone but an investigating member. A grant whose root left the setting, or whose
    folder has become a link (or lies under one), reaches nothing.
    """
    membership = membership_of(user, dossier)
    if membership is None or not membership.can_write:
        return []
    return _granted_folders(dossier)


def _granted_folders(dossier: Dossier) -> list[GrantedFolder]:
    roots = {str(root): index for index, root in enumerate(settings.EVIDENCE_SOURCES)}
    folders = []
    for grant in SourceGrant.objects.active().filter(dossier=dossier).select_related("dossier"):
        index = roots.get(grant.root)
        if index is None:
            continue
        path = settings.EVIDENCE_SOURCES[index].resolve() / grant.folder
        if path.resolve() != path:
            continue
        folders.append(GrantedFolder(grant=grant, root_index=index, root=settings.EVIDENCE_SOURCES[index], path=path))
    return folders


def source_path_for(user, dossier: Dossier, root_index: int, relative: str) -> Path:
    """The path of ``relative`` under root number ``root_index``, if it lies in a folder granted to ``dossier``.

    Raises (evidence.ingest.server_paths) OutsideSources for a path that leaves the roots or an unknown
    root, NotGranted for one outside every granted folder (callers answer 404), MissingSource for
    one inside a granted folder that is not there.
    """
    granted = [folder.path for folder in source_folders_for(user, dossier) if folder.root_index == root_index]
    return resolve_granted(settings.EVIDENCE_SOURCES, root_index, relative, granted)


def server_path_choose(*, exhibit: Exhibit, root, path: str, by, ip: str | None = None) -> Path:
    """The server path ``path`` under root ``root`` (its number) for ``exhibit``, under the dossier's grants.

    The one check for every path that reads the evidence server on a user's behalf (the pages'
    browser, their ingest button, the API). Raises like ``source_path_for``; a root that is not a
    number is OutsideSources. Every refusal but MissingSource is audited (``ingest.refused_path``),
    outside any transaction of the caller's so that the record stays.
    """
    try:
        return source_path_for(by, exhibit.dossier, int(root), path)
    except MissingSource:
        raise
    except (OutsideSources, ValueError, TypeError) as error:
        ingest_path_refuse(exhibit=exhibit, by=by, root=root, path=path, reason=str(error), ip=ip)
        if isinstance(error, OutsideSources):
            raise
        raise OutsideSources(_("No such evidence source.")) from None


def ingest_job_create_from_server_path(
    *, exhibit: Exhibit, root, path: str, by, ip: str | None = None, archive_password: str = ""
) -> IngestJob:
    """Queue a job that ingests ``path`` (under root number ``root``) where it lies, inside a granted folder.

    Raises as ``server_path_choose``, and MissingSource if the folder or file went away meanwhile.
    The ``ingest`` command, trusted, goes around the grants with ``ingest_job_create_from_path``.
    """
    chosen = server_path_choose(exhibit=exhibit, root=root, path=path, by=by, ip=ip)
    try:
        return ingest_job_create_from_path(
            exhibit=exhibit, path=chosen, by=by, ip=ip, archive_password=archive_password
        )
    except FileNotFoundError:
        raise MissingSource(_("This is neither a file nor a folder.")) from None


def source_grants_overview():
    """For the admins' page: every grant, active ones first."""
    return SourceGrant.objects.select_related("dossier", "granted_by", "revoked_by").order_by(
        "revoked_at", "root", "folder", "id"
    )


def source_browse_record(*, exhibit: Exhibit, root: Path, folder: str, by, ip: str | None = None) -> None:
    """Record that ``by`` listed a folder (or looked at a file) of the evidence server for ``exhibit``."""
    audit_record(actor=by, action="source.browse", target=exhibit, ip=ip, root=str(root), folder=folder[:1000])


def ingest_command_line_record(*, job: IngestJob, path: Path, by) -> None:
    """Record an ingestion started by the ``ingest`` command, with the shell account that ran it.

    The command line is trusted (a shell on the server reads the storage anyway), so no grant is
    required; the event says whether the path lies inside a folder granted to the dossier, so that an
    auditor sees the ingestions that went around the grants.
    """
    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment nor in the password database
        os_user = ""
    path = path.resolve()
    granted = any(path.is_relative_to(folder.path) for folder in _granted_folders(job.exhibit.dossier))
    audit_record(
        actor=by,
        action="ingest.command_line",
        target=job,
        path=str(path),
        os_user=os_user,
        host=socket.gethostname(),
        granted=granted,
    )


@transaction.atomic
def source_grant_create(*, dossier: Dossier, root_index: int, folder: str, by, note: str = "", ip=None) -> SourceGrant:
    """Grant a folder under root number ``root_index`` of EVIDENCE_SOURCES to ``dossier``.

    The folder must exist, be a real folder (not a link) and not be the whole root. Raises
    ValidationError with a readable message; a folder already granted to the dossier is refused.
    """
    roots = settings.EVIDENCE_SOURCES
    if not 0 <= root_index < len(roots):
        raise ValidationError(_("No such evidence source."))
    try:
        relative = canonical_folder(roots[root_index], folder)
    except MissingSource:
        raise ValidationError(_("No such folder in this evidence source (is the storage mounted?).")) from None
    except OutsideSources:
        raise ValidationError(
            _("Name a real folder inside the evidence source (not the source itself, not a link).")
        ) from None
    try:
        with transaction.atomic():
            grant = SourceGrant.objects.create(
                dossier=dossier, root=str(roots[root_index]), folder=relative, note=note, granted_by=by
            )
    except IntegrityError:
        raise ValidationError(_("This folder is already granted to this dossier.")) from None
    audit_record(
        actor=by, action="source.grant", target=grant, ip=ip, root=grant.root, folder=relative, note=note[:1000]
    )
    return grant


@transaction.atomic
def source_grant_revoke(*, grant: SourceGrant, by, ip: str | None = None) -> SourceGrant:
    """End a grant: the dossier's members no longer see the folder. Jobs already queued read on."""
    grant = SourceGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        return grant
    grant.revoked_at = timezone.now()
    grant.revoked_by = by
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=by, action="source.revoke", target=grant, ip=ip, root=grant.root, folder=grant.folder)
    return grant
