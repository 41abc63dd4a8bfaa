"""A dossier ingested before content search gets its files' text indexed by a job: from its page
(a real worker) or the command line."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from config.messages import code_of
from evidence.models import EvidenceFile, FileIdentifier, FileText, IngestBatch, IngestJob, TextIndexJob
from evidence.search.selectors import file_texts_search
from tests.factories import wait_until
from tests.texts.documents import docx_bytes


def upload(name, content):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


@pytest.mark.django_db(transaction=True)
def test_the_team_indexes_a_dossier_ingested_before_from_its_page(
    client, owner, colleague, prosecutor, dossier, exhibit, celery_worker
):
    client.force_login(owner)
    files = [upload("notes.txt", b"darkfalcon sells"), upload("report.docx", docx_bytes("Pseudo darkfalcon"))]
    client.post(reverse("exhibit_ingest", args=[exhibit.pk]), {"files": files})
    wait_until(lambda: IngestJob.objects.get(exhibit=exhibit).is_finished)
    FileText.objects.all().delete()  # as if ingested before content search
    assert not file_texts_search(owner, dossier, "darkfalcon").exists()
    start = reverse("text_index_start", args=[dossier.pk])
    client.force_login(prosecutor)
    assert client.post(start).status_code == 403
    client.force_login(colleague)  # control
    assert client.post(start).status_code == 302
    job = TextIndexJob.objects.get(dossier=dossier)
    wait_until(lambda: TextIndexJob.objects.get(pk=job.pk).is_finished)
    job.refresh_from_db()
    assert job.status == TextIndexJob.Status.DONE and job.files_done == job.files_total > 0
    assert {text.file.path for text in file_texts_search(owner, dossier, "darkfalcon")} == {"notes.txt", "report.docx"}
    progress = client.get(reverse("text_index_progress", args=[dossier.pk, job.pk])).content.decode()
    assert 'data-status="done"' in progress and "hx-get" not in progress


def test_the_command_indexes_files_and_refuses_one_changed_since_ingest(owner, dossier, exhibit, tmp_path):
    job = IngestJob.objects.create(exhibit=exhibit, source_label="test", created_by=owner, status="done")
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    for name, content, hashed in (
        ("a.txt", b"nightowl here: 0470 12 34 56", b"nightowl here: 0470 12 34 56"),
        ("b.txt", b"changed", b"original"),
    ):
        (tmp_path / name).write_bytes(content)
        EvidenceFile.objects.create(
            exhibit=exhibit,
            job=job,
            batch=batch,
            path=name,
            source_path=str(tmp_path / name),
            size=len(content),
            mime="text/plain",
            sha256=hashlib.sha256(hashed).digest(),
            triage="other",
        )
    call_command("index_texts", "--dossier", dossier.notice_number, stdout=io.StringIO())
    assert {text.file.path for text in file_texts_search(owner, dossier, "nightowl")} == {"a.txt"}
    # Its identifiers are written with its text: the Identifiers tab and the search box find them.
    assert list(FileIdentifier.objects.values_list("file__path", "value")) == [("a.txt", "+32470123456")]
    changed = EvidenceFile.objects.get(path="b.txt")
    assert code_of(changed.findings[-1]) == "text.changed_since_ingest"
    assert TextIndexJob.objects.get(dossier=dossier).errors == 1
