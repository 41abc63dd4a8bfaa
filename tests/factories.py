"""Builders for test data: named people, dossiers, exhibits, hash lists, synthetic files."""

import hashlib
import io
import zipfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import ensure_role_groups
from cases.models import Dossier, Membership
from evidence.ingest.source_grants import source_grant_create
from evidence.models import Exhibit
from evidence.synthetic import synthetic_image_bytes
from evidence.synthetic import synthetic_video_bytes as video_bytes  # noqa: F401 - tests build videos too
from hashing.importers import hash_list_version_import
from hashing.services import hash_list_version_create

PASSWORD = "correct horse battery staple"


def make_user(username: str, *roles: str, **extra):
    ensure_role_groups()
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


def make_dossier(
    lead, notice_number: str = "BR.52.L1.000001/26", title: str = "Test dossier", prosecutor=None, **members
) -> Dossier:
    dossier = Dossier.objects.create(
        notice_number=notice_number, title=title, opened_on=timezone.localdate(), created_by=lead, prosecutor=prosecutor
    )
    Membership.objects.create(dossier=dossier, user=lead, role=Membership.Role.LEAD)
    if prosecutor is not None:
        Membership.objects.create(dossier=dossier, user=prosecutor, role=Membership.Role.PROSECUTOR)
    for role, user in members.items():
        Membership.objects.create(dossier=dossier, user=user, role=role)
    return dossier


def make_exhibit(dossier, seal_number: str = "SC-1", by=None) -> Exhibit:
    return Exhibit.objects.create(
        dossier=dossier, kind=Exhibit.Kind.USB_KEY, seal_number=seal_number, created_by=by or dossier.created_by
    )


def grant_folder(dossier, folder: str, by, root_index: int = 0):
    """An admin grants ``folder`` (relative to EVIDENCE_SOURCES[root_index]) to ``dossier``."""
    return source_grant_create(dossier=dossier, root_index=root_index, folder=folder, by=by)


def make_hash_list(name: str, lines: list[str], by, kind: str = "alert", category: str = "1"):
    """Import a plain-text list synchronously (no worker) and return its version."""
    version = hash_list_version_create(
        name=name,
        kind=kind,
        default_category=category,
        stream=io.BytesIO("\n".join(lines).encode()),
        file_name=f"{name}.txt",
        by=by,
    )
    return hash_list_version_import(version=version)


def stored_digests(version) -> dict[str, str]:
    """Every exact digest a version holds, as hex -> file name ("" for a bare digest), from both storages."""
    from hashing.blockstore import EXACT, version_digests
    from hashing.digestsets import as_bytes
    from hashing.models import HashEntry

    stored = {value.hex(): "" for name in EXACT for value in as_bytes(version_digests(version.pk, name)[0])}
    for value, name in HashEntry.objects.filter(version=version).values_list("value", "name"):
        stored[bytes(value).hex()] = name
    return stored


def image_files(folder: Path, seeds, fmt: str = "JPEG") -> dict[str, bytes]:
    """Write synthetic images named img<seed>.<ext>; return name -> content."""
    folder.mkdir(parents=True, exist_ok=True)
    ext = "jpg" if fmt == "JPEG" else fmt.lower()
    written = {}
    for seed in seeds:
        name = f"img{seed}.{ext}"
        content = synthetic_image_bytes(seed, fmt, size=(160, 120))
        (folder / name).write_bytes(content)
        written[name] = content
    return written


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def wait_until(predicate, timeout: float = 60, interval: float = 0.2):
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def totp_device(user):
    """A confirmed authenticator for ``user``, as after enrolment."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def totp_code(device) -> str:
    """The code an authenticator app shows now for ``device``."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def make_search(dossier, by=None, address: str = "Rue de l'Exemple 1, 1000 Bruxelles", **fields):
    from cases.models import Search

    fields.setdefault("started_at", timezone.now() - timezone.timedelta(days=3))
    fields.setdefault("warrant_reference", "MP-2026-001")
    fields.setdefault("warrant_judge", "Juge Exemple")
    fields.setdefault("officers_present", "Inspecteur A\nInspecteur B")
    return Search.objects.create(dossier=dossier, address=address, created_by=by or dossier.created_by, **fields)


def make_suspect(dossier, full_name: str = "Jean Exemple", by=None, **fields):
    from cases.suspects import suspect_register

    return suspect_register(dossier=dossier, full_name=full_name, by=by or dossier.created_by, **fields)
