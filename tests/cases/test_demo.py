"""The demo `make run` loads: what a new user sees first must show every triage state."""

from cases.demo import DEMO_NOTICE, demo_load
from cases.models import Dossier
from evidence.models import EvidenceFile, IngestJob
from hashing.models import HashListVersion
from tests.evidence.test_ingest import run_inline

STATES = ("known", "new_image", "new_video", "other", "error")


def test_the_demo_dossier_shows_known_new_and_damaged_files(db, tmp_path, settings):
    settings.DERIVED_ROOT = tmp_path / "derived"
    logins = demo_load(tmp_path)
    assert set(logins) == {"investigator", "prosecutor", "admin"}
    version = HashListVersion.objects.get()
    assert (version.status, version.is_active, version.entries, version.malformed) == ("ready", True, 5, 1)
    for job in IngestJob.objects.all():  # the disk, and the phone's chat export (tests/chats/test_demo_chats.py)
        run_inline(job)
    dossier = Dossier.objects.get(notice_number=DEMO_NOTICE)
    files = EvidenceFile.objects.filter(exhibit__dossier=dossier, exhibit__seal_number="SC-2026-0001")
    counts = {state: files.filter(triage=state).count() for state in STATES}
    assert counts == {"known": 9, "new_image": 21, "new_video": 1, "other": 1, "error": 2}
    assert files.get(mime="video/mp4").frames.count() == 4
    assert demo_load(tmp_path) == logins  # loading twice changes nothing
    assert Dossier.objects.filter(notice_number=DEMO_NOTICE).count() == 1
