"""What a photo's tags say of its camera, time and place is read from the image the pipeline opens,
and a malformed or missing tag never costs the image."""

import io

import numpy as np
import piexif
from PIL import Image

from hashing.perceptual import digest_image


def photo_bytes(exif: dict | None = None, seed: int = 1) -> bytes:
    pixels = (np.random.default_rng(seed).random((300, 400, 3)) * 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", **({"exif": piexif.dump(exif)} if exif else {}))
    return out.getvalue()


def tags(
    make=b"Canon", model=b"EOS 5D", serial=b"0421032581", taken=b"2024:05:01 13:22:01", offset=b"+02:00", gps=None
):
    exif = {
        "0th": {piexif.ImageIFD.Make: make, piexif.ImageIFD.Model: model, piexif.ImageIFD.Software: b"Camera 1.0"},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: taken, piexif.ExifIFD.LensModel: b"EF50mm f/1.8"},
        "GPS": gps or {},
    }
    if serial:
        exif["Exif"][piexif.ExifIFD.BodySerialNumber] = serial
    if offset:
        exif["Exif"][piexif.ExifIFD.OffsetTimeOriginal] = offset
    return exif


def gps(lat, lat_ref, lon, lon_ref, altitude=None):
    def dms(value):
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round(((value - degrees) * 60 - minutes) * 60 * 1000)
        return ((degrees, 1), (minutes, 1), (seconds, 1000))

    found = {
        piexif.GPSIFD.GPSLatitudeRef: lat_ref,
        piexif.GPSIFD.GPSLatitude: dms(lat),
        piexif.GPSIFD.GPSLongitudeRef: lon_ref,
        piexif.GPSIFD.GPSLongitude: dms(lon),
    }
    if altitude is not None:
        found[piexif.GPSIFD.GPSAltitude] = (altitude, 1)
    return found


def test_camera_time_and_place_round_trip_from_the_tags_written():
    camera = digest_image(io.BytesIO(photo_bytes(tags(gps=gps(50.8466, b"N", 4.3528, b"E", 57))))).camera
    assert (camera.make, camera.model, camera.serial) == ("Canon", "EOS 5D", "0421032581")
    assert camera.lens == "EF50mm f/1.8" and camera.software == "Camera 1.0"
    assert (camera.taken_local, camera.taken_offset) == ("2024-05-01 13:22:01", "+02:00")
    assert camera.taken_at.isoformat() == "2024-05-01T11:22:01+00:00"  # placed in UTC by its offset
    assert abs(camera.latitude - 50.8466) < 1e-4 and abs(camera.longitude - 4.3528) < 1e-4
    assert camera.altitude == 57.0


def test_southern_and_western_positions_are_negative_and_a_missing_offset_places_no_time():
    camera = digest_image(io.BytesIO(photo_bytes(tags(offset=None, gps=gps(33.8688, b"S", 70.6693, b"W"))))).camera
    assert camera.latitude < 0 and camera.longitude < 0
    assert camera.taken_local == "2024-05-01 13:22:01" and camera.taken_at is None
    assert str(camera.taken_day) == "2024-05-01"


def test_bad_tags_are_skipped_and_the_image_is_still_hashed():
    broken = tags(taken=b"0000:00:00 00:00:00", offset=b"+99:99", gps=gps(0, b"N", 0, b"E"))
    digest = digest_image(io.BytesIO(photo_bytes(broken)))
    assert digest.pdq and digest.camera.make == "Canon"  # what is readable is kept
    assert digest.camera.taken_local == "" and digest.camera.taken_offset == ""
    assert digest.camera.latitude is None  # "0, 0" is a phone without a fix, not a place


def test_an_image_without_tags_has_no_camera():
    assert digest_image(io.BytesIO(photo_bytes())).camera is None


def captioned(**written) -> dict:
    """Tags with the words a person may write in a photo: Windows' XP* tags are UTF-16LE."""
    exif = tags()
    for tag, value in written.items():
        if tag.startswith("XP"):
            exif["0th"][getattr(piexif.ImageIFD, tag)] = tuple(value.encode("utf-16-le") + b"\0\0")
        elif tag == "UserComment":
            exif["Exif"][piexif.ExifIFD.UserComment] = value
        else:
            exif["0th"][getattr(piexif.ImageIFD, tag)] = value.encode()
    return exif


def test_the_words_written_in_a_photos_tags_are_read_for_the_search():
    exif = captioned(
        ImageDescription="Haven van Antwerpen",
        Artist="J. Peeters",
        XPComment="rendez-vous zonnebloem",
        XPKeywords="haven;nacht",
        XPSubject="levering",
        UserComment=b"ASCII\0\0\0ontmoeting om tien uur",
    )
    camera = digest_image(io.BytesIO(photo_bytes(exif))).camera
    lines = camera.captions.split("\n")
    assert set(lines) == {
        "ontmoeting om tien uur",
        "Haven van Antwerpen",
        "haven;nacht",
        "levering",
        "rendez-vous zonnebloem",
        "J. Peeters",
    }
    assert "Canon" not in camera.captions and "Camera 1.0" not in camera.captions  # names of things, not words


def test_a_unicode_comment_is_read_in_either_byte_order():
    for encoded in ("grote markt".encode("utf-16-be"), "grote markt".encode("utf-16-le")):
        exif = captioned(UserComment=b"UNICODE\0" + encoded)
        assert digest_image(io.BytesIO(photo_bytes(exif))).camera.comment == "grote markt"


def test_a_photo_with_only_camera_tags_has_no_words():
    camera = digest_image(io.BytesIO(photo_bytes(tags()))).camera
    assert camera.make == "Canon" and camera.captions == ""  # control: the tags were read
