"""Where a dossier's images were taken, as their GPS tags say (``evidence.models.ImageMetadata``):
points for the Places map, filtered by exhibit and category, and the same points exported as
GeoJSON or KML (audited, with the SHA-256 of exactly the bytes given).

For a user who may see the dossier's files (``cases.selectors.can_see_files``): a point carries the
file's path and capture time, never an image.
"""

import hashlib
import json
from xml.sax.saxutils import escape

from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record
from evidence.models import ImageMetadata

MAX_POINTS = 50_000  # a map of more is unreadable; the export says when it is cut


def _with_position(dossier, *, exhibit=None, category: str = ""):
    rows = ImageMetadata.objects.filter(file__exhibit__dossier=dossier, latitude__isnull=False, longitude__isnull=False)
    if exhibit is not None:
        rows = rows.filter(file__exhibit=exhibit)
    if category:
        rows = rows.filter(Q(file__review_category=category) | Q(file__match_category=category))
    return rows


def places_count(dossier, *, exhibit=None, category: str = "") -> int:
    return _with_position(dossier, exhibit=exhibit, category=category).count()


def dossier_places(dossier, *, exhibit=None, category: str = "", limit: int = MAX_POINTS) -> list[dict]:
    """The dossier's images with a GPS position (at most ``limit``, in file order)."""
    rows = _with_position(dossier, exhibit=exhibit, category=category)
    fields = ("file_id", "file__path", "file__exhibit__seal_number", "file__triage", "latitude", "longitude")
    rows = rows.order_by("file_id").values(*fields, "altitude", "taken_local", "taken_offset", "make", "model")
    return [
        {
            "file": row["file_id"],
            "path": row["file__path"],
            "exhibit": row["file__exhibit__seal_number"],
            "triage": row["file__triage"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "altitude": row["altitude"],
            "taken": f"{row['taken_local']} {row['taken_offset']}".strip(),
            "camera": f"{row['make']} {row['model']}".strip(),
        }
        for row in rows[:limit]
    ]


def as_geojson(points: list[dict], file_url) -> bytes:
    """A GeoJSON FeatureCollection (longitude first, as RFC 7946 says); ``file_url(id)`` links each."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": _coordinates(point)},
            "properties": {key: point[key] for key in ("file", "path", "exhibit", "triage", "taken", "camera")}
            | {"url": file_url(point["file"])},
        }
        for point in points
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def as_kml(points: list[dict], title: str) -> bytes:
    placemarks = "".join(
        "<Placemark>"
        f"<name>{escape(point['path'])}</name>"
        f"<description>{escape(_facts(point))}</description>"
        f"<Point><coordinates>{','.join(str(value) for value in _coordinates(point))}</coordinates></Point>"
        "</Placemark>"
        for point in points
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{escape(title)}</name>{placemarks}</Document></kml>\n"
    ).encode()


def _facts(point: dict) -> str:
    return " · ".join(filter(None, (point["exhibit"], point["taken"], point["camera"])))


def _coordinates(point: dict) -> list[float]:
    coordinates = [point["longitude"], point["latitude"]]
    return coordinates + [point["altitude"]] if point["altitude"] is not None else coordinates


def places_export(*, dossier, points: list[dict], kind: str, file_url, by, ip: str | None = None) -> tuple[bytes, str]:
    """The export's bytes ("geojson" or "kml") and file name; audited with the count and the SHA-256."""
    if kind == "kml":
        content, extension = as_kml(points, dossier.notice_number), "kml"
    else:
        content, extension = as_geojson(points, file_url), "geojson"
    safe = "".join(c if c.isalnum() else "-" for c in dossier.notice_number)
    name = f"{safe}-places-{timezone.localtime():%Y%m%d-%H%M%S}.{extension}"
    audit_record(
        actor=by,
        action=f"export.places_{kind}",
        target=dossier,
        dossier=dossier,
        ip=ip,
        points=len(points),
        sha256=hashlib.sha256(content).hexdigest(),
        file_name=name,
    )
    return content, name
