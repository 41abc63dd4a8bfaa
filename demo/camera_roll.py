"""The demo's memory card: a camera roll whose photos say which device made them, when and where
(EXIF written here, every make, serial number and place synthetic or public), and on which the
detectors run: scikit-image's bundled sample photos (benign, public domain or CC0: an astronaut's
portrait and the cameraman have a face each) and synthetic images.

Some photos name the Samsung phone seized as SC-2026-0004 (same model) and carry GPS positions in
Brussels and Antwerp; others a compact camera; one has no tags at all.
"""

import datetime
from pathlib import Path

import skimage
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from evidence.synthetic import synthetic_image

CARD_SEAL = "SC-2026-0008"
SAMPLES = Path(skimage.__file__).parent / "data"
PHONE = ("samsung", "SM-A525F", "R58RDEMO0004")
CAMERA = ("Canon", "Canon EOS 250D", "033021DEMO8")
# (file name, source: a sample photo's name or a synthetic seed, device, minutes after the first, place)
ROLL = (
    ("DCIM/Camera/20250612_140322.jpg", "astronaut.png", PHONE, 0, (50.8354, 4.3528)),  # Brussels, Ixelles
    ("DCIM/Camera/20250612_141015.jpg", "coffee.png", PHONE, 7, (50.8371, 4.3591)),
    ("DCIM/Camera/20250613_093044.jpg", "chelsea.png", PHONE, 1150, (50.8467, 4.3525)),  # Grand-Place
    ("DCIM/Camera/20250614_181201.jpg", 61, PHONE, 3058, (51.2194, 4.4025)),  # Antwerp
    ("DCIM/100CANON/IMG_0101.JPG", "motorcycle_left.png", CAMERA, 2000, None),
    ("DCIM/100CANON/IMG_0102.JPG", 62, CAMERA, 2003, (50.8798, 4.7005)),  # Leuven
    ("DCIM/100CANON/IMG_0103.JPG", "camera.png", CAMERA, 2004, None),  # a second person
    ("Pictures/received.jpg", 63, None, 0, None),
)
FIRST = datetime.datetime(2025, 6, 12, 14, 3, 22)


def demo_camera_roll(folder: Path) -> Path:
    """Write the card's photos under ``folder``; return it."""
    for name, source, device, minutes, place in ROLL:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        image = Image.open(SAMPLES / source).convert("RGB") if isinstance(source, str) else synthetic_image(source)
        exif = _tags(device, FIRST + datetime.timedelta(minutes=minutes), place) if device else None
        image.save(path, "JPEG", quality=88, **({"exif": exif} if exif is not None else {}))
    return folder


def _tags(device, taken: datetime.datetime, place) -> Image.Exif:
    make, model, serial = device
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0131] = make, model, f"{model} firmware (demo)"
    details = exif.get_ifd(0x8769)
    details[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    details[0x9011] = "+02:00"  # OffsetTimeOriginal: Belgian summer time
    details[0xA431] = serial  # BodySerialNumber
    if place is not None:
        gps = exif.get_ifd(0x8825)
        for reference_tag, value_tag, value, positive, negative in (
            (1, 2, place[0], "N", "S"),
            (3, 4, place[1], "E", "W"),
        ):
            gps[reference_tag] = positive if value >= 0 else negative
            gps[value_tag] = _degrees(abs(value))
    return exif


def _degrees(value: float) -> tuple:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
    return (IFDRational(degrees), IFDRational(minutes), IFDRational(seconds, 100))
