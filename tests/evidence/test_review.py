"""Review: every triage path, categorisation with history and four eyes, near matches, groups, welfare."""

import hashlib
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from PIL import Image

from accounts.models import ReviewerSettings
from audit.models import AuditEvent
from cases.models import Dossier
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import Categorisation, EvidenceFile
from evidence.review.services import files_categorise
from tests.evidence.review_data import write_material
from tests.evidence.test_ingest import run_inline
from tests.factories import make_hash_list, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def material(exhibit, owner, admin, tmp_path, settings):
    """A seized folder ingested through the real pipeline (inline), one photo on an alert list, one known good."""
    settings.DERIVED_ROOT = tmp_path / "derived"
    files = write_material(tmp_path / "seized", single_seeds=(42, 43, 45))
    make_hash_list("Alerts", [hashlib.sha256(files["photo42.jpg"]).hexdigest()], by=admin, category="1")
    make_hash_list("Good", [hashlib.md5(files["photo45.jpg"]).hexdigest()], by=admin, kind="ignorable")
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "seized", by=owner, queue=False))
    return {f.path.removeprefix("seized/"): f for f in EvidenceFile.objects.all()}


def review_url(dossier, **query):
    url = reverse("dossier_review", args=[dossier.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post_categorise(client, dossier, files, category, headers=None, **extra):
    return client.post(
        reverse("review_categorise", args=[dossier.pk]),
        {"files": ",".join(str(f.pk) for f in files), "category": category, **extra},
        headers=headers,
    )


def test_each_file_gets_its_triage_state(material):
    states = {path: f.triage for path, f in material.items()}
    assert states["photo42.jpg"] == "known" and material["photo42.jpg"].match_category == "1"
    assert states["photo45.jpg"] == "known_good"
    assert states["photo43.jpg"] == states["series/s0.jpg"] == "new_image"
    assert states["clip.mp4"] == "new_video"
    assert states["note.txt"] == "other"
    assert states["damaged.jpg"] == "error"


def test_the_review_page_shows_new_material_once_per_series(client, colleague, dossier, material):
    client.force_login(colleague)
    page = client.get(review_url(dossier)).content.decode()
    series_ids = ",".join(str(material[f"series/s{n}.jpg"].pk) for n in range(3))
    assert f'data-files="{series_ids}"' in page  # one tile for the three near-identical images
    assert page.count('data-testid="tile"') == 3  # the series, photo43 and the video
    assert 'data-path="clip.mp4"' not in page or "Contact sheet of the video" in page
    assert "photo42.jpg" not in page  # known material is not on the default page
    assert 'data-count="to-review">5<' in page  # 3 series images + photo43 + the video
    # Filters: by state, path and exhibit.
    assert "photo42.jpg" in client.get(review_url(dossier, state="known", progress="any")).content.decode()
    only = client.get(review_url(dossier, path="photo43")).content.decode()
    assert only.count('data-testid="tile"') == 1


def test_an_alert_category_makes_a_series_known_with_history_and_audit(client, colleague, dossier, material):
    series = [material[f"series/s{n}.jpg"] for n in range(3)]
    client.force_login(colleague)
    response = post_categorise(client, dossier, series, "vics:1", series="Beach")
    assert response.status_code == 302
    for evidence_file in series:
        evidence_file.refresh_from_db()
        assert (evidence_file.triage, evidence_file.match_category, evidence_file.match_algorithm) == (
            "known",
            "1",
            "review",
        )
        assert evidence_file.reviewed_by == colleague and evidence_file.review_series == "Beach"
        entry = evidence_file.categorisations.get()
        assert (entry.category_before, entry.category_after, entry.triage_before, entry.triage_after) == (
            "",
            "1",
            "new_image",
            "known",
        )
    assert AuditEvent.objects.filter(action="review.categorise", actor=colleague).count() == 3
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == "3 files categorised 1."
    # Categorised again: the history keeps both decisions, before and after.
    response = post_categorise(client, dossier, series[:1], "vics:2")
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == "1 file categorised 2."
    assert list(series[0].categorisations.values_list("category_before", "category_after")) == [("1", "2"), ("", "1")]
    detail = client.get(series[0].get_absolute_url()).content.decode()
    assert "Categorisation history" in detail and "colleague" in detail
    response = post_categorise(client, dossier, series[1:2], "vics:1", headers={"Accept-Language": "fr"})
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == "1 fichier catégorisé 1."


def test_a_non_alert_category_keeps_the_file_out_of_known(client, colleague, dossier, material):
    photo = material["photo43.jpg"]
    client.force_login(colleague)
    post_categorise(client, dossier, [photo], "vics:0")
    photo.refresh_from_db()
    assert photo.triage == "new_image" and photo.review_category == "0" and photo.reviewed_at is not None
    assert EvidenceFile.objects.to_review().filter(pk=photo.pk).count() == 0
    # Known by a reviewer, then said non-pertinent: back to new, with the category kept.
    post_categorise(client, dossier, [photo], "caid:A")
    photo.refresh_from_db()
    assert (photo.triage, photo.match_category) == ("known", "A")
    post_categorise(client, dossier, [photo], "vics:0")
    photo.refresh_from_db()
    assert (photo.triage, photo.match_category, photo.review_category) == ("new_image", "", "0")


def test_a_video_is_categorised_as_a_whole(client, colleague, dossier, material):
    video = material["clip.mp4"]
    assert video.frames.count() >= 2 and video.thumbnail  # a contact sheet of its keyframes
    client.force_login(colleague)
    response = post_categorise(client, dossier, [video], "vics:3", headers={"accept": "application/json"})
    assert response.json()["categorised"] == 1
    video.refresh_from_db()
    assert (video.triage, video.match_category) == ("known", "3")


def test_an_unknown_category_is_refused_and_nothing_changes(client, colleague, dossier, material):
    photo = material["photo43.jpg"]
    client.force_login(colleague)
    response = client.post(
        reverse("review_categorise", args=[dossier.pk]),
        {"files": str(photo.pk), "category": "vics:9"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert post_categorise(client, dossier, [photo], "vics:2").status_code == 302  # control
    photo.refresh_from_db()
    assert photo.review_category == "2" and photo.categorisations.count() == 1


def test_review_permissions(client, owner, colleague, outsider, prosecutor, admin, dossier, other_dossier, material):
    photo = material["photo43.jpg"]
    for person, status in ((outsider, 404), (admin, 404), (prosecutor, 403), (colleague, 302)):
        client.force_login(person)
        assert post_categorise(client, dossier, [photo], "vics:1").status_code == status, person.username
    photo.refresh_from_db()
    assert photo.reviewed_by == colleague and photo.categorisations.count() == 1
    # Prosecutors never see the review page nor its thumbnails; colleagues do.
    client.force_login(prosecutor)
    assert client.get(review_url(dossier)).status_code == 403
    assert client.get(reverse("file_thumbnail", args=[photo.pk])).status_code == 403
    client.force_login(colleague)
    assert client.get(review_url(dossier)).status_code == 200
    # A file of another dossier posted to this one is ignored.
    from tests.factories import make_exhibit

    make_exhibit(other_dossier, seal_number="SC-9", by=outsider)
    client.force_login(outsider)
    assert post_categorise(client, other_dossier, [material["series/s0.jpg"]], "vics:1").status_code == 302
    assert material["series/s0.jpg"].categorisations.count() == 0


def test_four_eyes_waits_for_a_second_reviewer(client, owner, colleague, dossier, material):
    photo = material["photo43.jpg"]
    client.force_login(colleague)
    assert client.post(reverse("review_four_eyes", args=[dossier.pk]), {"four_eyes": "1"}).status_code == 403
    client.force_login(owner)  # the lead
    client.post(reverse("review_four_eyes", args=[dossier.pk]), {"four_eyes": "1"})
    dossier.refresh_from_db()
    assert dossier.four_eyes
    post_categorise(client, dossier, [photo], "vics:1")
    photo.refresh_from_db()
    assert photo.triage == "new_image" and photo.awaits_confirmation
    page = client.get(review_url(dossier, progress="awaiting")).content.decode()
    assert "to confirm (owner)" in page
    # The reviewer cannot confirm their own categorisation.
    client.post(reverse("review_categorise", args=[dossier.pk]), {"files": str(photo.pk), "action": "confirm"})
    photo.refresh_from_db()
    assert photo.confirmed_at is None
    client.force_login(colleague)
    client.post(reverse("review_categorise", args=[dossier.pk]), {"files": str(photo.pk), "action": "confirm"})
    photo.refresh_from_db()
    assert (photo.triage, photo.match_category, photo.confirmed_by) == ("known", "1", colleague)
    assert list(photo.categorisations.values_list("action", "by__username")) == [
        ("confirm", "colleague"),
        ("categorise", "owner"),
    ]


def test_a_near_match_is_confirmed_or_rejected(client, colleague, dossier, material):
    near, other = material["photo43.jpg"], material["series/s1.jpg"]
    EvidenceFile.objects.filter(pk__in=[near.pk, other.pk]).update(
        triage="near", match_category="2", match_algorithm="pdq"
    )
    client.force_login(colleague)
    page = client.get(review_url(dossier)).content.decode()
    assert 'data-triage="near"' in page
    client.post(reverse("review_categorise", args=[dossier.pk]), {"files": str(near.pk), "action": "confirm_near"})
    client.post(reverse("review_categorise", args=[dossier.pk]), {"files": str(other.pk), "action": "reject_near"})
    near.refresh_from_db()
    other.refresh_from_db()
    assert (near.triage, near.match_category) == ("known", "2")
    assert (other.triage, other.match_category, other.match_algorithm) == ("new_image", "", "")
    assert Categorisation.objects.filter(action__in=["confirm_near", "reject_near"]).count() == 2


def four_eyes_near(dossier, evidence_file, category="1"):
    Dossier.objects.filter(pk=dossier.pk).update(four_eyes=True)
    EvidenceFile.objects.filter(pk=evidence_file.pk).update(
        triage="near", match_category=category, match_algorithm="pdq", match_distance=6
    )


def test_in_a_four_eyes_dossier_one_reviewer_cannot_make_a_near_match_known(
    client, owner, colleague, dossier, material
):
    near = material["photo43.jpg"]
    four_eyes_near(dossier, near)
    url = reverse("review_categorise", args=[dossier.pk])
    client.force_login(colleague)
    response = client.post(url, {"files": str(near.pk), "action": "confirm_near"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["awaiting"] == 1
    near.refresh_from_db()
    assert near.triage == "near" and near.awaits_confirmation and near.reviewed_by == colleague
    # Neither button lets the same reviewer confirm their own confirmation.
    again = client.post(url, {"files": str(near.pk), "action": "confirm_near"}, HTTP_ACCEPT="application/json")
    assert again.status_code == 400 and "another reviewer must confirm it" in again.json()["error"]
    assert (
        client.post(url, {"files": str(near.pk), "action": "confirm"}, HTTP_ACCEPT="application/json").json()["refused"]
        == 1
    )
    near.refresh_from_db()
    assert near.triage == "near" and near.confirmed_at is None
    assert "to confirm (colleague)" in client.get(review_url(dossier, progress="awaiting")).content.decode()
    # Control: a second, different reviewer confirms it, and it becomes known with its match kept.
    client.force_login(owner)
    client.post(url, {"files": str(near.pk), "action": "confirm_near"})
    near.refresh_from_db()
    assert (near.triage, near.match_category, near.match_algorithm, near.match_distance) == ("known", "1", "pdq", 6)
    assert (near.reviewed_by, near.confirmed_by) == (colleague, owner)
    assert list(near.categorisations.values_list("action", "by__username", "triage_after")) == [
        ("confirm", "owner", "known"),
        ("confirm_near", "colleague", "near"),
    ]
    assert AuditEvent.objects.filter(action="review.confirm", actor=owner, target_id=str(near.pk)).exists()


def test_a_near_match_awaiting_confirmation_is_confirmed_with_the_confirm_button(
    client, owner, colleague, dossier, material
):
    near, plain = material["photo43.jpg"], material["series/s0.jpg"]
    four_eyes_near(dossier, near, category="")  # a near match without a category still waits
    url = reverse("review_categorise", args=[dossier.pk])
    client.force_login(colleague)
    client.post(url, {"files": str(near.pk), "action": "confirm_near"})
    post_categorise(client, dossier, [plain], "vics:2")  # an ordinary categorisation waits too
    assert EvidenceFile.objects.filter(exhibit__dossier=dossier).awaiting_confirmation().count() == 2
    client.force_login(owner)
    response = client.post(url, {"files": f"{near.pk},{plain.pk}", "action": "confirm"}, HTTP_ACCEPT="application/json")
    assert response.json()["confirmed"] == 2
    near.refresh_from_db()
    plain.refresh_from_db()
    assert (near.triage, near.match_algorithm, near.confirmed_by) == ("known", "pdq", owner)
    assert (plain.review_category, plain.confirmed_by) == ("2", owner)


def test_a_thumbnail_is_never_served_unveiled_without_a_logged_reveal(client, colleague, dossier, material):
    photo = material["photo43.jpg"]
    client.force_login(colleague)
    page = client.get(review_url(dossier)).content.decode()
    assert "reveal=1" not in page  # the grid only ever asks for veiled thumbnails
    veiled = client.get(reverse("file_thumbnail", args=[photo.pk]))
    assert Image.open(io.BytesIO(veiled.content)).mode == "L"
    assert not AuditEvent.objects.filter(action="media.reveal").exists()
    revealed = client.get(reverse("file_thumbnail", args=[photo.pk]), {"reveal": "1"})
    assert Image.open(io.BytesIO(revealed.content)).mode == "RGB"
    assert AuditEvent.objects.filter(action="media.reveal", actor=colleague, target_id=str(photo.pk)).count() == 1


def test_blur_strength_is_strong_by_default_and_each_reviewer_chooses_theirs(client, colleague, dossier, material):
    photo = material["photo43.jpg"]
    client.force_login(colleague)

    original = Image.open(io.BytesIO(client.get(reverse("file_thumbnail", args=[photo.pk]), {"reveal": "1"}).content))

    def sharpness(response):
        """Lower when the veiled image is further from the original in greyscale (more blurred)."""
        from PIL import ImageChops, ImageStat

        image = Image.open(io.BytesIO(response.content))
        return -ImageStat.Stat(ImageChops.difference(image, original.convert("L"))).mean[0]

    strong = sharpness(client.get(reverse("file_thumbnail", args=[photo.pk])))
    response = client.post(reverse("reviewer_settings"), {"blur_radius": ReviewerSettings.Blur.LIGHT, "next": "/"})
    assert response.status_code == 302
    light = sharpness(client.get(reverse("file_thumbnail", args=[photo.pk])))
    assert light > strong
    assert ReviewerSettings.objects.get(user=colleague).blur_radius == ReviewerSettings.Blur.LIGHT
    assert client.post(reverse("reviewer_settings"), {"blur_radius": "1"}).status_code == 302  # refused value
    assert ReviewerSettings.objects.get(user=colleague).blur_radius == ReviewerSettings.Blur.LIGHT


def test_exposure_counters_for_the_reviewer_and_their_team_lead(client, owner, colleague, dossier, material):
    client.force_login(colleague)
    for name in ("photo43.jpg", "series/s0.jpg"):
        client.get(reverse("file_thumbnail", args=[material[name].pk]), {"reveal": "1"})
    page = client.get(review_url(dossier)).content.decode()
    assert 'data-exposure="session">2<' in page and 'data-exposure="today">2<' in page
    # The lead sees each member's reveals on the team page; a colleague does not.
    assert 'data-exposure="colleague"' not in client.get(dossier.get_absolute_url()).content.decode()
    client.force_login(owner)
    team = client.get(dossier.get_absolute_url()).content.decode()
    assert 'data-exposure="colleague">2 / 2<' in team
    assert 'data-exposure="owner">0 / 0<' in team
    # A new session starts at zero; the day's count is kept.
    page = client.get(review_url(dossier)).content.decode()
    assert 'data-exposure="session">0<' in page and 'data-exposure="today">0<' in page


def test_bulk_categorisation_of_a_selection(client, colleague, dossier, material):
    chosen = [material["photo43.jpg"], material["clip.mp4"]]
    client.force_login(colleague)
    # The grid's form posts one value per selected tile, each a group of ids.
    response = client.post(
        reverse("review_categorise", args=[dossier.pk]),
        {"files": [str(chosen[0].pk), f"{chosen[1].pk}"], "category": "caid:B", "action": "categorise"},
    )
    assert response.status_code == 302
    assert set(EvidenceFile.objects.filter(match_category="B").values_list("pk", flat=True)) == {f.pk for f in chosen}


def test_files_categorise_service_ignores_files_of_other_dossiers(owner, colleague, dossier, other_dossier, material):
    count = files_categorise(
        files=EvidenceFile.objects.all(), dossier=other_dossier, scheme="vics", category="1", by=make_user("x")
    )
    assert count == 0
    assert files_categorise(files=EvidenceFile.objects.filter(triage="other"), dossier=dossier, scheme="vics",
                            category="4", by=colleague) == 1  # fmt: skip
