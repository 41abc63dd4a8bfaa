"""The demo that ``make run`` loads: synthetic people, one dossier, one exhibit of benign images."""

import hashlib
import json
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.roles import ADMIN, INVESTIGATOR, PROSECUTOR, ensure_role_groups
from cases.models import Dossier
from cases.services import dossier_create
from evidence.models import Exhibit
from evidence.services import exhibit_register, ingest_job_create_from_path
from evidence.synthetic import synthetic_image_bytes
from hashing.importers import hash_list_version_import
from hashing.models import HashList
from hashing.services import hash_list_version_create

DEMO_NOTICE = "BR.52.L1.000123/26"
DEMO_SEAL = "SC-2026-0001"
DEMO_LIST = "Demo alert list (synthetic)"
DEMO_USERS = {
    "investigator": {"groups": [INVESTIGATOR], "first_name": "Inès", "last_name": "Peeters"},
    "prosecutor": {"groups": [PROSECUTOR], "first_name": "Marc", "last_name": "Dubois"},
    "admin": {
        "groups": [ADMIN],
        "first_name": "Sofie",
        "last_name": "Janssens",
        "is_staff": True,
        "is_superuser": True,
    },
}
# (folder, file name, seed, format): four seeds appear twice, as copies under another name.
LAYOUT = (
    [("DCIM/Camera", f"IMG_{1000 + seed}.jpg", seed, "JPEG") for seed in range(1, 15)]
    + [("Pictures/Holiday 2025", f"beach-{seed:02d}.png", seed, "PNG") for seed in range(15, 23)]
    + [("Downloads", f"image{seed}.jpg", seed, "JPEG") for seed in range(23, 27)]
    + [
        ("Downloads/copies", "IMG_1003 (1).jpg", 3, "JPEG"),
        ("Downloads/copies", "IMG_1007 - copy.jpg", 7, "JPEG"),
        ("Pictures/Backup", "beach-16.png", 16, "PNG"),
        ("WhatsApp/Media", "IMG-20250612-WA0001.jpg", 23, "JPEG"),
    ]
)
KNOWN_SEEDS = (3, 7, 16, 23, 25)


def demo_second_factors() -> dict[str, str]:
    """Enrol an authenticator for each demo user once; return their keys (base32) to print."""
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    keys = {}
    for username in DEMO_USERS:
        user = get_user_model().objects.get(username=username)
        device = TOTPDevice.objects.filter(user=user, name="demo", confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
        keys[username] = base64.b32encode(device.bin_key).decode()
    return keys


def demo_users(var_dir: Path) -> dict[str, str]:
    """Create the demo users once; their generated passwords are kept under var/ and printed."""
    ensure_role_groups()
    logins_file = var_dir / "demo-logins.json"
    logins = json.loads(logins_file.read_text()) if logins_file.exists() else {}
    User = get_user_model()
    for username, spec in DEMO_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None or username not in logins:
            logins[username] = f"{username}-{secrets.token_urlsafe(9)}"
            user = user or User(username=username)
            for field in ("first_name", "last_name", "is_staff", "is_superuser"):
                if field in spec:
                    setattr(user, field, spec[field])
            user.set_password(logins[username])
            user.save()
            user.groups.set(Group.objects.filter(name__in=spec["groups"]))
    logins_file.write_text(json.dumps(logins, indent=2))
    logins_file.chmod(0o600)
    return logins


def demo_files(folder: Path) -> list[Path]:
    written = []
    for subfolder, name, seed, fmt in LAYOUT:
        path = folder / subfolder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(synthetic_image_bytes(seed, fmt))
        written.append(path)
    # What seized media really hold: a note, an empty file and a damaged photo.
    (folder / "Documents").mkdir(exist_ok=True)
    (folder / "Documents" / "notes.txt").write_text("Shopping list: bread, milk, batteries.\n")
    (folder / "Documents" / "empty.dat").write_bytes(b"")
    (folder / "DCIM" / "Camera" / "IMG_0999.jpg").write_bytes(synthetic_image_bytes(99)[:4000])
    return written


def demo_load(var_dir: Path) -> dict[str, str]:
    """Load the demo if it is not there yet; return the demo logins. Idempotent."""
    logins = demo_users(var_dir)
    if Dossier.objects.filter(notice_number=DEMO_NOTICE).exists():
        return logins
    User = get_user_model()
    investigator, prosecutor, admin = (User.objects.get(username=name) for name in DEMO_USERS)
    folder = var_dir / "demo" / DEMO_SEAL
    demo_files(folder)
    if not HashList.objects.filter(name=DEMO_LIST).exists():
        list_file = var_dir / "demo" / "demo-alert-list.txt"
        lines = ["# Demo alert list: SHA-256 of synthetic images, for demonstration only.", ""]
        formats = {seed: fmt for _, _, seed, fmt in LAYOUT}
        lines += [hashlib.sha256(synthetic_image_bytes(seed, formats[seed])).hexdigest() for seed in KNOWN_SEEDS]
        lines += ["not-a-hash  (a malformed line, reported with its number)"]
        list_file.write_text("\r\n".join(lines) + "\r\n")
        with list_file.open("rb") as stream:
            version = hash_list_version_create(
                name=DEMO_LIST,
                kind=HashList.Kind.ALERT,
                default_category="1",
                label="2026-11",
                stream=stream,
                file_name=list_file.name,
                by=admin,
                queue=False,
            )
        hash_list_version_import(version=version)
    with transaction.atomic():
        dossier = dossier_create(
            notice_number=DEMO_NOTICE,
            title="Opération Démo: partage d'images (synthetic demo)",
            opened_on=timezone.localdate(),
            by=investigator,
            prosecutor=prosecutor,
        )
        exhibit = exhibit_register(
            dossier=dossier,
            kind=Exhibit.Kind.EXTERNAL_DISK,
            seal_number=DEMO_SEAL,
            by=investigator,
            description="Seagate 1 TB external disk, seized in the living room (synthetic demo content)",
        )
        ingest_job_create_from_path(exhibit=exhibit, path=folder, by=investigator)
    return logins
