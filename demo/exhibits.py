"""The demo dossier's exhibits: the seized external disk and eight more, their chain of custody and
one acquisition; every make, serial number and person synthetic."""

import datetime
import hashlib

from evidence.custody.exhibits import exhibit_register
from evidence.custody.services import acquisition_record, custody_event_record
from evidence.models import Exhibit

DEMO_SEAL = "SC-2026-0001"
# (seal, kind, make, model, capacity in bytes, index of the search, index of the suspect seized from)
MORE_EXHIBITS = [
    ("SC-2026-0002", "computer", "Dell", "OptiPlex 7010", None, 0, 0),
    ("SC-2026-0003", "internal_disk", "Western Digital", "Blue 2 TB", 2 * 10**12, 0, 0),
    ("SC-2026-0004", "phone", "Samsung", "Galaxy A52", 128 * 10**9, 0, 0),
    ("SC-2026-0005", "usb_key", "SanDisk", "Ultra 32 GB", 32 * 10**9, 0, 0),
    ("SC-2026-0006", "laptop", "Lenovo", "ThinkPad T480", 512 * 10**9, 1, 1),
    ("SC-2026-0007", "tablet", "Apple", "iPad (9th gen)", 64 * 10**9, 1, 1),
    ("SC-2026-0008", "memory_card", "Kingston", "microSD 64 GB", 64 * 10**9, 1, 1),
    ("SC-2026-0009", "usb_key", "Kingston", "DataTraveler 16 GB", 16 * 10**9, 1, 1),
]


def demo_exhibits(dossier, searches, suspects, investigator, start) -> Exhibit:
    """The external disk whose synthetic files are ingested, eight more exhibits with their chain
    of custody, and one acquisition; return the disk."""
    disk = exhibit_register(
        dossier=dossier,
        kind=Exhibit.Kind.EXTERNAL_DISK,
        seal_number=DEMO_SEAL,
        by=investigator,
        description="Seagate 1 TB external disk, seized in the living room (synthetic demo content)",
        make="Seagate",
        device_model="Expansion",
        serial_number="NAA0DEMO1",
        capacity_bytes=10**12,
        power_state=Exhibit.Power.OFF,
        search=searches[0],
        seized_from=suspects[0],
        storage_location="CCU Brussels, evidence room 2",
    )
    exhibits = _more_exhibits(dossier, disk, searches, suspects, investigator)
    seized = start + datetime.timedelta(days=2, hours=8)
    _sealed_and_stored(exhibits, seized, investigator)
    disk_inside = exhibits[2]
    day = seized + datetime.timedelta(days=3)
    _checked_out_for_acquisition(disk_inside, day, investigator)
    _acquired_and_checked_in(disk_inside, day, investigator)
    return disk


def _more_exhibits(dossier, disk, searches, suspects, investigator) -> list[Exhibit]:
    """The disk, then the eight others (MORE_EXHIBITS); the internal disk lies inside the computer."""
    exhibits = [disk]
    for seal, kind, make, model, capacity, search, suspect in MORE_EXHIBITS:
        exhibits.append(
            exhibit_register(
                dossier=dossier,
                kind=kind,
                seal_number=seal,
                make=make,
                device_model=model,
                serial_number=f"DEMO{seal[-4:]}",
                capacity_bytes=capacity,
                imei="356938035643809" if kind == "phone" else "",
                power_state=Exhibit.Power.ON if kind == "phone" else Exhibit.Power.OFF,
                locked=True if kind == "phone" else None,
                search=searches[search],
                seized_from=suspects[suspect],
                parent=exhibits[1] if kind == "internal_disk" else None,
                storage_location="CCU Brussels, evidence room 2",
                by=investigator,
            )
        )
    return exhibits


def _sealed_and_stored(exhibits: list[Exhibit], seized: datetime.datetime, investigator) -> None:
    """Each exhibit sealed on the premises, ten minutes apart, then taken to the evidence room."""
    for i, exhibit in enumerate(exhibits):
        at = seized + datetime.timedelta(minutes=10 * i)
        custody_event_record(
            exhibit=exhibit,
            kind="sealed",
            at=at,
            to_person="Insp. L. Martin",
            to_location="Search premises",
            seal_after=exhibit.seal_number,
            seal_intact=True,
            by=investigator,
        )
        custody_event_record(
            exhibit=exhibit,
            kind="transferred",
            at=at + datetime.timedelta(hours=4),
            from_person="Insp. L. Martin",
            to_person="Evidence officer N. Peeters",
            from_location="Search premises",
            to_location="CCU Brussels, evidence room 2",
            purpose="Storage",
            seal_before=exhibit.seal_number,
            seal_after=exhibit.seal_number,
            seal_intact=True,
            by=investigator,
        )


def _checked_out_for_acquisition(disk_inside: Exhibit, day: datetime.datetime, investigator) -> None:
    custody_event_record(
        exhibit=disk_inside,
        kind="checked_out",
        at=day,
        from_person="Evidence officer N. Peeters",
        to_person="Analyst I. Peeters",
        from_location="CCU Brussels, evidence room 2",
        to_location="CCU forensic lab",
        purpose="Acquisition",
        seal_intact=True,
        by=investigator,
    )
    custody_event_record(
        exhibit=disk_inside,
        kind="opened_for_acquisition",
        at=day + datetime.timedelta(minutes=5),
        seal_before=disk_inside.seal_number,
        seal_intact=True,
        by=investigator,
    )


def _acquired_and_checked_in(disk_inside: Exhibit, day: datetime.datetime, investigator) -> None:
    acquisition_record(
        exhibit=disk_inside,
        examiner="Analyst I. Peeters",
        tool="FTK Imager",
        tool_version="4.7.1",
        write_blocker="Tableau T35u",
        image_format="e01",
        started_at=day + datetime.timedelta(minutes=10),
        ended_at=day + datetime.timedelta(hours=3),
        md5=hashlib.md5(b"demo acquisition").digest(),  # noqa: S324 - an acquisition hash as tools report it
        sha256=hashlib.sha256(b"demo acquisition").digest(),
        by=investigator,
    )
    custody_event_record(
        exhibit=disk_inside,
        kind="resealed",
        at=day + datetime.timedelta(hours=3, minutes=10),
        seal_after=f"{disk_inside.seal_number}-R1",
        seal_intact=True,
        by=investigator,
    )
    custody_event_record(
        exhibit=disk_inside,
        kind="checked_in",
        at=day + datetime.timedelta(hours=4),
        from_person="Analyst I. Peeters",
        to_person="Evidence officer N. Peeters",
        to_location="CCU Brussels, evidence room 2",
        by=investigator,
    )
