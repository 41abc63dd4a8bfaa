import datetime

import pytest
from django.utils import timezone

from evidence.models import Acquisition, CustodyEvent, EvidenceFile, IngestBatch, IngestJob
from hashing.services import hash_list_version_activate
from tests.factories import make_hash_list, make_search, make_suspect

KNOWN_SHA256 = bytes.fromhex("aa" * 32)
IMAGE_SHA256 = bytes.fromhex("bb" * 32)


@pytest.fixture
def report_dossier(dossier, exhibit, owner, admin):
    """A small dossier: a search, a suspect, one exhibit sealed and imaged, 6 files ingested.

    Files: 2 known (category 1), 1 known (category 2), 2 new (one of them the raw image, whose
    sha256 is the acquisition's), 1 error; 1,000 + 2,000 + ... bytes as below.
    """
    dossier.judge_name = "Juge Dupont"
    dossier.save(update_fields=["judge_name"])
    search = make_search(dossier, by=owner)
    suspect = make_suspect(dossier, full_name="Marc Exemple", by=owner)
    CustodyEvent.objects.create(
        exhibit=exhibit,
        kind=CustodyEvent.Kind.SEALED,
        at=timezone.now() - datetime.timedelta(days=2),
        to_person="Inspecteur A",
        seal_after="S-0001",
        recorded_by=owner,
    )
    Acquisition.objects.create(
        exhibit=exhibit,
        examiner="Inspecteur B",
        tool="FTK Imager",
        tool_version="4.7",
        image_format=Acquisition.Format.RAW,
        started_at=timezone.now() - datetime.timedelta(days=1),
        sha256=IMAGE_SHA256,
        recorded_by=owner,
    )
    version = make_hash_list("National list", ["aa" * 32], by=admin)
    hash_list_version_activate(version=version, by=admin)
    job = IngestJob.objects.create(exhibit=exhibit, source_label="upload", created_by=owner, status="done")
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    processed = timezone.now()
    rows = [
        ("known", "1", 1000, KNOWN_SHA256),
        ("known", "1", 2000, KNOWN_SHA256),
        ("known", "2", 3000, KNOWN_SHA256),
        ("new_image", "", 4000, IMAGE_SHA256),
        ("new_image", "", 5000, b"\x05" * 32),
        ("error", "", 0, None),
    ]
    for number, (triage, category, size, sha256) in enumerate(rows):
        EvidenceFile.objects.create(
            exhibit=exhibit,
            job=job,
            batch=batch,
            path=f"SC-1/secret-name-{number}.jpg",
            source_path="/nonexistent",
            size=size,
            sha256=sha256,
            triage=triage,
            match_category=category,
            match_list=version.hash_list if triage == "known" else None,
            processed_at=processed,
        )
    return {"dossier": dossier, "search": search, "suspect": suspect, "job": job, "version": version}
