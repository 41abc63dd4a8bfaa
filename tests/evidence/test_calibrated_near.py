"""The calibrated near rule through the real pipeline (issue 21): photos cropped on every side or on
one are near matches of a listed photo by their hashes together, where PDQ alone said only "possible";
a screen of the same form as a listed one, with other words, and a plain image like a listed one, are
not near."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from evidence.models import EvidenceFile
from evidence.triage.matching import rematch_after_activation
from hashing.near_matching import NEAR, POSSIBLE, match_strength
from tests.evidence.test_altered_copies import _listed, crop, ingest, jpeg, photo
from tests.hashing.test_near_rule import form


@pytest.fixture(autouse=True)
def _derived_in_tmp(settings, tmp_path):
    settings.DERIVED_ROOT = tmp_path / "derived"


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def plain(colours: tuple, seed: int) -> Image.Image:
    """A low-detail image: a soft gradient between two colours, with a little noise."""
    rng = np.random.default_rng(seed)
    share = np.linspace(0, 1, 800)[None, :, None] * np.ones((600, 1, 1))
    first, second = (np.array(colour, dtype=np.float32) for colour in colours)
    pixels = first + share * (second - first) + rng.normal(0, 2, (600, 800, 1))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


@pytest.mark.django_db
def test_a_cropped_photo_is_near_and_a_screen_of_the_same_form_is_not(admin, owner, exhibit, tmp_path: Path):
    chelsea, coffee = photo("chelsea.png"), photo("coffee.png")
    listed_plain = plain(((90, 120, 160), (110, 140, 170)), 1)
    files = ingest(
        exhibit,
        owner,
        tmp_path / "seized",
        {
            "cropped.jpg": jpeg(crop(chelsea, 0.05, 0.05, 0.05, 0.05)),
            "cut.jpg": jpeg(crop(coffee, top=0.10)),  # a tilt was here: turned back, it is near by PDQ now
            "other-form.png": png(form(4)),  # the listed form's layout, other words
            "same-form.jpg": jpeg(form(1), 80),  # control: the listed screen re-encoded
            "other-plain.jpg": jpeg(plain(((95, 118, 150), (120, 150, 175)), 2)),
        },
    )
    version = _listed("Partner", [chelsea, coffee, form(1), listed_plain], admin)
    rematch_after_activation(version=version, previous_id=None)
    found = {name: EvidenceFile.objects.get(pk=f.pk) for name, f in files.items()}

    for name in ("cropped.jpg", "cut.jpg"):
        copy = found[name]
        assert copy.triage == "near", (name, copy.match_detail)
        # PDQ alone is past its bound: the rule as it was (the share unknown) said possible.
        distances = {key: copy.match_detail[key] for key in ("pdq", "phash")}
        assert distances["pdq"] > 31 and match_strength(distances, flat_share=None) == POSSIBLE
        assert match_strength(distances, flat_share=copy.flat_share) == NEAR
    assert found["same-form.jpg"].triage == "near"
    assert found["other-form.png"].triage in ("possible", "new_image")
    assert found["other-form.png"].flat_share > found["cropped.jpg"].flat_share
    assert found["other-plain.jpg"].triage in ("possible", "new_image")
