"""Welfare first: the images the detectors found least likely (every score below the threshold, no
face) come first, together, so that a reviewer marks a page of them non-pertinent in one action,
never revealing them; in a four-eyes dossier each waits for a second reviewer."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases.models import Dossier
from evidence.models import Detection, Detector, EvidenceFile
from evidence.review import services
from evidence.review.services import files_categorise
from evidence.synthetic import synthetic_image_bytes
from tests.evidence.test_altered_copies import ingest

pytestmark = pytest.mark.django_db
SEEN = {"calm": (0.1, 0), "quiet": (0.2, 0), "likely": (0.9, 0), "face": (0.05, 1)}


@pytest.fixture
def looked_at(exhibit, owner, tmp_path, settings):
    """Five distinct photos ingested; four looked at by a model (scores and faces as in SEEN)."""
    settings.DERIVED_ROOT = tmp_path / "derived"
    names = [*SEEN, "unseen"]
    photos = {f"{name}.jpg": synthetic_image_bytes(60 + i, size=(96, 72)) for i, name in enumerate(names)}
    files = {name.removesuffix(".jpg"): f for name, f in ingest(exhibit, owner, tmp_path / "seized", photos).items()}
    model = Detector.objects.create(name="Brightness", version="1", sha256="0" * 64)
    for name, (score, faces) in SEEN.items():
        Detection.objects.create(file=files[name], detector=model, score=score, faces=faces)
    return files


def bulk(client, dossier, files, **headers):
    return client.post(
        reverse("review_categorise", args=[dossier.pk]),
        {"files": [str(f.pk) for f in files], "action": "non_pertinent"},
        headers=headers or None,
    )


def test_least_likely_first_groups_the_calm_images_and_keeps_them_veiled(client, colleague, dossier, looked_at):
    client.force_login(colleague)
    page = client.get(reverse("dossier_review", args=[dossier.pk]), {"order": "unlikely"}).content.decode()
    order = sorted(looked_at, key=lambda name: page.index(f'data-path="seized/{name}.jpg"'))
    assert order[:3] == ["calm", "quiet", "unseen"] and set(order[3:]) == {"likely", "face"}
    assert page.count('data-veiled="1"') == 5 and "reveal=1" not in page
    assert 'id="review-select-page"' in page and 'value="non_pertinent"' in page


def test_bulk_non_pertinent_waits_for_a_second_reviewer_in_a_four_eyes_dossier(
    client, owner, colleague, prosecutor, dossier, looked_at
):
    Dossier.objects.filter(pk=dossier.pk).update(four_eyes=True)
    dossier.refresh_from_db()
    likely = looked_at["likely"]
    files_categorise(
        files=EvidenceFile.objects.filter(pk=likely.pk), dossier=dossier, scheme="vics", category="1", by=owner
    )
    chosen = [looked_at["calm"], looked_at["quiet"], likely]
    client.force_login(prosecutor)
    assert bulk(client, dossier, chosen).status_code == 403
    client.force_login(colleague)  # control
    answer = bulk(client, dossier, chosen, Accept="application/json").json()
    assert (answer["categorised"], answer["kept"], answer["four_eyes"]) == (2, 1, True)
    for name in ("calm", "quiet"):
        photo = EvidenceFile.objects.get(pk=looked_at[name].pk)
        assert (photo.review_category, photo.triage, photo.awaits_confirmation) == ("0", "new_image", True)
    likely.refresh_from_db()
    assert likely.review_category == "1" and likely.reviewed_by == owner  # a reviewer's decision is kept
    assert AuditEvent.objects.filter(action="review.categorise", actor=colleague).count() == 2  # one per file
    calm = [str(looked_at["calm"].pk), str(looked_at["quiet"].pk)]
    client.post(reverse("review_categorise", args=[dossier.pk]), {"files": calm, "action": "confirm"})
    assert EvidenceFile.objects.filter(pk__in=calm, confirmed_at__isnull=True).count() == 2  # not their own
    client.force_login(owner)
    client.post(reverse("review_categorise", args=[dossier.pk]), {"files": calm, "action": "confirm"})
    assert set(EvidenceFile.objects.filter(pk__in=calm).values_list("confirmed_by", flat=True)) == {owner.pk}


def test_a_bulk_request_is_bounded(client, colleague, dossier, looked_at, monkeypatch):
    monkeypatch.setattr(services, "NON_PERTINENT_MAX_FILES", 1)
    client.force_login(colleague)
    refused = bulk(client, dossier, [looked_at["calm"], looked_at["quiet"]], Accept="application/json")
    assert refused.status_code == 400 and "At most 1 files" in refused.json()["error"]
    assert not EvidenceFile.objects.filter(review_category="0").exists()
    assert bulk(client, dossier, [looked_at["calm"]], Accept="application/json").json()["categorised"] == 1  # control
