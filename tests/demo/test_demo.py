"""The demo `make run` loads: what a new user sees first must show every triage state."""

from cases.models import Dossier
from demo.camera_roll import CARD_SEAL
from demo.loader import DEMO_LIST, DEMO_NEAR_LIST, DEMO_NOTICE, demo_load
from evidence.devices import dossier_devices
from evidence.models import Detection, EvidenceFile, IngestJob
from evidence.places import dossier_places
from hashing.models import HashListVersion
from tests.evidence.test_ingest import run_inline

STATES = ("known", "near", "possible", "new_image", "new_video", "other", "error")


def test_the_demo_dossier_shows_known_new_and_damaged_files(db, tmp_path, settings, detectors_on):
    settings.DERIVED_ROOT = tmp_path / "derived"
    logins = demo_load(tmp_path)
    assert set(logins) == {"investigator", "prosecutor", "admin"}
    version = HashListVersion.objects.get(hash_list__name=DEMO_LIST)
    assert (version.status, version.is_active, version.entries, version.malformed) == ("ready", True, 5, 1)
    near_list = HashListVersion.objects.get(hash_list__name=DEMO_NEAR_LIST)
    assert (near_list.status, near_list.is_active, near_list.entries) == ("ready", True, 4)  # two photos' pHash and PDQ
    for job in IngestJob.objects.all():  # the disk, and the phone's chat export (tests/chats/test_demo_chats.py)
        run_inline(job)
    dossier = Dossier.objects.get(notice_number=DEMO_NOTICE)
    files = EvidenceFile.objects.filter(exhibit__dossier=dossier, exhibit__seal_number="SC-2026-0001")
    counts = {state: files.filter(triage=state).count() for state in STATES}
    assert counts == {"known": 9, "near": 1, "possible": 1, "new_image": 21, "new_video": 1, "other": 1, "error": 2}
    near = files.get(triage="near")
    assert (near.path.endswith("photo_2025-06-12.jpg"), near.match_list.name) == (True, DEMO_NEAR_LIST)
    assert near.match_distance is not None
    possible = files.get(triage="possible")  # a cropped, stamped re-share of the other listed photo
    assert possible.path.endswith("photo_2025-06-14.jpg") and set(possible.match_detail) >= {"pdq", "phash"}
    assert files.get(mime="video/mp4").frames.count() == 4
    # The memory card's camera roll: detector scores and two faces, two devices, five places.
    card = EvidenceFile.objects.filter(exhibit__dossier=dossier, exhibit__seal_number=CARD_SEAL)
    assert Detection.objects.filter(file__in=card).count() == card.count() == 8
    assert Detection.objects.get(file__path__endswith="20250612_140322.jpg").faces == 1  # the astronaut
    assert Detection.objects.get(file__path__endswith="IMG_0103.JPG").faces == 1  # the cameraman
    devices = {device.model: device for device in dossier_devices(dossier)}
    assert (devices["SM-A525F"].images, devices["Canon EOS 250D"].images) == (4, 3)
    assert len(dossier_places(dossier)) == 5
    assert demo_load(tmp_path) == logins  # loading twice changes nothing
    assert Dossier.objects.filter(notice_number=DEMO_NOTICE).count() == 1
