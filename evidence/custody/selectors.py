"""Custody reads: an exhibit's custody events, and its disk images checked against its acquisitions."""

from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.custody import verification
from evidence.models import Acquisition, Exhibit, ImageVerification


def custody_events(exhibit):
    return exhibit.custody_events.select_related("recorded_by").order_by("at", "id")


def acquisition_claims(exhibit: Exhibit, image: ImageVerification) -> list[tuple[str, dict[str, str]]]:
    """Who claims which media hashes for ``image``: the image itself (E01), then each acquisition.

    A logical copy has no media hash. Every other acquisition of the exhibit is of the same
    seized disk, so any image of it must give the same media hashes.
    """
    claims = []
    if image.stored_hashes:
        claims.append((_("hashes stored in the image by the acquiring tool"), image.stored_hashes))
    for acquisition in exhibit.acquisitions.exclude(image_format=Acquisition.Format.LOGICAL):
        source = _("acquisition by %(examiner)s, %(date)s (%(format)s)") % {
            "examiner": acquisition.examiner,
            "date": timezone.localtime(acquisition.started_at).strftime("%Y-%m-%d"),
            "format": acquisition.get_image_format_display(),
        }
        claims.append((source, {name: acquisition.hex(name) for name in verification.ALGORITHMS}))
    return claims


def image_comparisons(image: ImageVerification) -> tuple[str, list[verification.Comparison]]:
    """The image's overall result and its comparisons, against the acquisitions recorded now."""
    rows = verification.compare(image.computed, acquisition_claims(image.exhibit, image))
    return verification.overall(rows, read_in_full=not image.error), rows


def image_verifications(exhibit: Exhibit) -> list[tuple[ImageVerification, str, list[verification.Comparison]]]:
    """Each disk image read for this exhibit, with its result and comparisons against today's acquisitions."""
    images = exhibit.image_verifications.select_related("file", "exhibit")
    return [(image, *image_comparisons(image)) for image in images]
