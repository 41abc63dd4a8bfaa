"""The demo that ``make run`` loads: synthetic people, one dossier, one exhibit of benign images."""

import datetime
import hashlib
import io
import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from PIL import ImageDraw

from accounts.roles import ADMIN, INVESTIGATOR, PROSECUTOR, ensure_role_groups
from cases.models import Dossier
from cases.services import dossier_create, dossier_status_change
from cases.suspects import search_register, suspect_register
from demo.camera_roll import CARD_SEAL, demo_camera_roll
from demo.documents import DOCUMENTS_SEAL, demo_documents
from demo.exhibits import DEMO_SEAL, demo_exhibits
from demo.telegram_export import demo_telegram_export
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.ingest.source_grants import source_grant_create
from evidence.list_tasks import rematch_on_commit
from evidence.synthetic import synthetic_image, synthetic_image_bytes, synthetic_video_bytes
from hashing.importers import hash_list_version_import
from hashing.models import HashList
from hashing.perceptual import digest_image
from hashing.services import hash_list_version_create

DEMO_NOTICE = "BR.52.L1.000123/26"
DEMO_LIST = "Demo alert list (synthetic)"
DEMO_NEAR_LIST = "Demo perceptual list (synthetic)"
# A photo known to the perceptual list by its PDQ and pHash only; the exhibit holds a smaller,
# re-compressed copy of it, which no exact hash knows: a near match, shown with its distance.
NEAR_SEED = 43
# Another listed photo, of which the exhibit holds a copy cropped by 6 % on every side and stamped with
# a channel's name: no hash is near enough to say "near", its pHash says "possible" (shown after the
# near matches, for a reviewer to confirm or reject).
POSSIBLE_SEED = 45
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
    # What seized media really hold: a short video, a note, an empty file and a damaged photo.
    (folder / "Videos").mkdir(exist_ok=True)
    (folder / "Videos" / "VID_20250612.mp4").write_bytes(synthetic_video_bytes([30, 31, 32, 33]))
    (folder / "Documents").mkdir(exist_ok=True)
    (folder / "Documents" / "notes.txt").write_text("Shopping list: bread, milk, batteries.\n")
    (folder / "Documents" / "empty.dat").write_bytes(b"")
    (folder / "DCIM" / "Camera" / "IMG_0999.jpg").write_bytes(synthetic_image_bytes(99)[:4000])
    (folder / "Telegram" / "Images").mkdir(parents=True, exist_ok=True)
    synthetic_image(NEAR_SEED).resize((320, 240)).save(
        folder / "Telegram" / "Images" / "photo_2025-06-12.jpg", quality=70
    )
    _reshared(synthetic_image(POSSIBLE_SEED)).save(folder / "Telegram" / "Images" / "photo_2025-06-14.jpg", quality=75)
    return written


def _reshared(image):
    """A photo as a channel re-shares it: cropped by 6 % on every side, its name stamped in a box."""
    width, height = image.size
    image = image.crop((int(width * 0.06), int(height * 0.06), int(width * 0.94), int(height * 0.94)))
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (int(image.width * 0.6), int(image.height * 0.75), int(image.width * 0.95), int(image.height * 0.9)),
        fill=(20, 20, 20),
    )
    draw.text((int(image.width * 0.62), int(image.height * 0.78)), "t.me/example", fill=(255, 255, 255))
    return image


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
        demo_alert_list(var_dir / "demo" / "demo-alert-list.txt", admin)
    if not HashList.objects.filter(name=DEMO_NEAR_LIST).exists():
        demo_near_list(var_dir / "demo" / "demo-perceptual-list.csv", admin)
    with transaction.atomic():
        start = timezone.now() - datetime.timedelta(days=20)
        dossier = dossier_create(
            notice_number=DEMO_NOTICE,
            title="Opération Démo: partage d'images (synthetic demo)",
            opened_on=timezone.localdate(start),
            by=investigator,
            prosecutor=prosecutor,
            judge_name="Juge A. Exemple (fictitious)",
            judge_court="Tribunal de première instance francophone de Bruxelles",
        )
        searches, suspects = demo_searches_and_suspects(dossier, investigator, start)
        exhibit = demo_exhibits(dossier, searches, suspects, investigator, start)
        ingest_job_create_from_path(exhibit=exhibit, path=folder, by=investigator)
        # The phone held a Telegram export: its senders fill the dossier's chat accounts.
        phone = dossier.exhibits.get(seal_number="SC-2026-0004")
        telegram = demo_telegram_export(var_dir / "demo" / phone.seal_number)
        ingest_job_create_from_path(exhibit=phone, path=telegram, by=investigator)
        # The memory card: a camera roll whose tags name devices, times and places; detectors run on it.
        card = dossier.exhibits.get(seal_number=CARD_SEAL)
        roll = demo_camera_roll(var_dir / "demo" / CARD_SEAL)
        ingest_job_create_from_path(exhibit=card, path=roll, by=investigator)
        # The USB key: documents, a mailbox and a scanned page, found by content search (OCR for the scan).
        usb_key = dossier.exhibits.get(seal_number=DOCUMENTS_SEAL)
        documents = demo_documents(var_dir / "demo" / DOCUMENTS_SEAL)
        ingest_job_create_from_path(exhibit=usb_key, path=documents, by=investigator)
        demo_source_grants(dossier, [folder, var_dir / "demo" / phone.seal_number, roll, documents], admin)
    return logins


def demo_source_grants(dossier, folders: list[Path], admin) -> None:
    """Grant the demo's seized media to the demo dossier, as an admin would, where EVIDENCE_SOURCES holds them."""
    roots = [root.resolve() for root in settings.EVIDENCE_SOURCES]
    for folder in folders:
        for index, root in enumerate(roots):
            if folder.resolve().is_relative_to(root) and folder.resolve() != root:
                relative = folder.resolve().relative_to(root).as_posix()
                source_grant_create(
                    dossier=dossier, root_index=index, folder=relative, by=admin, note="Demo: the seized media."
                )
                break


def demo_alert_list(list_file: Path, admin) -> None:
    """A plain list of the SHA-256 of some of the demo's images, and one malformed line."""
    lines = ["# Demo alert list: SHA-256 of synthetic images, for demonstration only.", ""]
    formats = {seed: fmt for _, _, seed, fmt in LAYOUT}
    lines += [hashlib.sha256(synthetic_image_bytes(seed, formats[seed])).hexdigest() for seed in KNOWN_SEEDS]
    lines += ["not-a-hash  (a malformed line, reported with its number)"]
    _demo_list(list_file, DEMO_LIST, lines, admin)


def demo_near_list(path: Path, admin) -> None:
    """A CSV list of two photos' pHash and PDQ, as lists from other services carry them."""
    lines = ["File name,pHash,PDQ,Category"]
    for seed in (NEAR_SEED, POSSIBLE_SEED):
        digest = digest_image(io.BytesIO(synthetic_image_bytes(seed)))
        lines.append(f"reference-{seed}.jpg,{digest.phash.hex()},{digest.pdq.hex()},1")
    _demo_list(path, DEMO_NEAR_LIST, lines, admin)


def _demo_list(path: Path, name: str, lines: list[str], admin) -> None:
    """Write the list file (CRLF, as exports from Windows tools come) and import it as an active alert
    list, whose activation matches the ingested files again."""
    path.write_text("\r\n".join(lines) + "\r\n")
    with path.open("rb") as stream:
        version = hash_list_version_create(
            name=name,
            kind=HashList.Kind.ALERT,
            default_category="1",
            label="2026-11",
            stream=stream,
            file_name=path.name,
            by=admin,
        )
    hash_list_version_import(version=version, activated=rematch_on_commit)


def demo_searches_and_suspects(dossier, investigator, start):
    """Two searches and three suspects, all names and addresses synthetic."""
    dossier_status_change(
        dossier=dossier, to_status="under_investigation", reason="Juge d'instruction saisi (demo).", by=investigator
    )
    searches = [
        search_register(
            dossier=dossier,
            address="Rue de l'Exemple 12, 1000 Bruxelles (fictitious)",
            started_at=start + datetime.timedelta(days=2, hours=6),
            warrant_reference="JI-DEMO-2026-001",
            warrant_judge="Juge A. Exemple",
            officers_present="Insp. L. Martin\nInsp. K. Claes\nInsp. principal R. Lambert",
            outcome="Computer, external disk, phone and USB keys seized; occupant arrested.",
            by=investigator,
        ),
        search_register(
            dossier=dossier,
            address="Avenue Fictive 48, 1050 Ixelles (fictitious)",
            started_at=start + datetime.timedelta(days=2, hours=7),
            warrant_reference="JI-DEMO-2026-002",
            warrant_judge="Juge A. Exemple",
            officers_present="Insp. S. Dupont\nInsp. M. Wouters",
            outcome="Laptop, tablet and memory card seized.",
            by=investigator,
        ),
    ]
    suspects = [
        suspect_register(
            dossier=dossier,
            full_name="Luc Démo-Exemple",
            birth_date=datetime.date(1984, 3, 14),
            nationality="Belgian",
            identifiers=[("username", "lucdemo84"), ("phone", "+32 470 00 00 01")],
            status="arrested",
            searches=[searches[0]],
            by=investigator,
        ),
        suspect_register(
            dossier=dossier,
            full_name="Sara Fictive",
            aliases="sarafx",
            birth_date=datetime.date(1991, 11, 2),
            nationality="Belgian",
            identifiers=[("account", "telegram:100000002")],
            status="charged_released",
            searches=[searches[1]],
            by=investigator,
        ),
        suspect_register(
            dossier=dossier,
            full_name="Tom Voorbeeld",
            identifiers=[("username", "t0m_vb")],
            status="identified",
            by=investigator,
        ),
    ]
    return searches, suspects
