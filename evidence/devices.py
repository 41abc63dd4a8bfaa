"""A dossier's images grouped by the camera that made them (make, model, body serial: what their
tags say, ``evidence.models.ImageMetadata``), with counts per exhibit and per status, and where
else the user may see the same serial number.

Images made by a seized phone or camera are production evidence. A device is named by its tags
alone: two phones of one model without a serial number written are one row ("this model"), which
the page says.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Min

from cases.selectors import dossiers_with_files_visible_to
from evidence.models import EvidenceFile, ImageMetadata


@dataclass
class Device:
    make: str
    model: str
    serial: str
    images: int = 0
    first_day: date | None = None
    last_day: date | None = None
    by_exhibit: dict[str, int] = field(default_factory=dict)  # seal number -> images
    categories: dict[str, int] = field(default_factory=dict)  # category (a list's or a reviewer's) -> images
    to_review: int = 0  # near, possible, new images not yet categorised
    elsewhere: list = field(default_factory=list)  # (dossier, images) the user may also see

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.make, self.model) if part) or "?"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.make, self.model, self.serial)


def dossier_devices(dossier) -> list[Device]:
    """The cameras of a dossier's images, most images first (for a user who may see its files:
    ``cases.selectors.can_see_files``)."""
    rows = (
        ImageMetadata.objects.filter(file__exhibit__dossier=dossier)
        .exclude(make="", model="", serial="")
        .values(
            "make",
            "model",
            "serial",
            "file__exhibit__seal_number",
            "file__triage",
            "file__match_category",
            "file__review_category",
        )
        .annotate(images=Count("pk"), first=Min("taken_day"), last=Max("taken_day"))
    )
    devices: dict[tuple, Device] = {}
    for row in rows:
        device = devices.setdefault((row["make"], row["model"], row["serial"]), Device(*_key(row)))
        device.images += row["images"]
        seal = row["file__exhibit__seal_number"]
        device.by_exhibit[seal] = device.by_exhibit.get(seal, 0) + row["images"]
        known = row["file__triage"] == EvidenceFile.Triage.KNOWN
        category = row["file__review_category"] or (row["file__match_category"] if known else "")
        if category:
            device.categories[category] = device.categories.get(category, 0) + row["images"]
        elif row["file__triage"] in EvidenceFile.REVIEW_STATES:
            device.to_review += row["images"]
        device.first_day = min(filter(None, (device.first_day, row["first"])), default=None)
        device.last_day = max(filter(None, (device.last_day, row["last"])), default=None)
    return sorted(devices.values(), key=lambda d: (-d.images, d.key))


def _key(row) -> tuple[str, str, str]:
    return row["make"], row["model"], row["serial"]


def devices_elsewhere(user, dossier, devices: list[Device]) -> None:
    """Fill each device's ``elsewhere``: the other dossiers whose files ``user`` may see that hold
    images of the same camera (same make, model and serial number; a device without a serial is
    not looked for: a model alone says nothing of one device). Dossiers the user may not see are
    never searched: nothing of them is shown, not even that they exist."""
    by_serial = {device.key: device for device in devices if device.serial}
    if not by_serial:
        return
    rows = (
        ImageMetadata.objects.filter(
            serial__in={serial for _, _, serial in by_serial},
            file__exhibit__dossier__in=dossiers_with_files_visible_to(user),
        )
        .exclude(file__exhibit__dossier=dossier)
        .values("make", "model", "serial", "file__exhibit__dossier")
        .annotate(images=Count("pk"))
        .order_by("file__exhibit__dossier")
    )
    found = [(row, by_serial.get(_key(row))) for row in rows]
    wanted = {row["file__exhibit__dossier"] for row, _ in found}
    dossiers = {d.pk: d for d in dossiers_with_files_visible_to(user).filter(pk__in=wanted)}
    for row, device in found:
        if device is not None and row["file__exhibit__dossier"] in dossiers:
            device.elsewhere.append((dossiers[row["file__exhibit__dossier"]], row["images"]))


def device_files(files, *, make: str, model: str, serial: str):
    """``files`` narrowed to the images whose tags name this camera."""
    return files.filter(metadata__make=make, metadata__model=model, metadata__serial=serial)
