"""What the workers found is read in the reader's language: an encrypted archive member, a job's
error. The words a library gave stay as they are inside the translated sentence; a row written
before codes existed shows as stored (issue 19, "Robustness")."""

import io

import pytest
from django.urls import reverse
from django.utils.html import escape

from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile, IngestJob
from tests.evidence.test_encrypted_archives import SECRET, aes_zip
from tests.evidence.test_task_failures import (  # noqa: F401 - a fixture, used by name
    hidden_archive_breaks_its_reader,
    seized_folder,
)
from tests.factories import wait_until
from tests.languages import _language_back_to_default, page_in  # noqa: F401 - an autouse fixture

ENCRYPTED = {
    "en": "encrypted archive member: content not readable without the password",
    "fr": "membre d'archive chiffré : contenu illisible sans le mot de passe",
    "nl-be": "versleuteld onderdeel van een archief: inhoud onleesbaar zonder het wachtwoord",
}


@pytest.mark.django_db(transaction=True)
def test_an_encrypted_member_found_by_a_worker_is_explained_in_each_readers_language(
    celery_worker, client, owner, exhibit
):
    upload = io.BytesIO(aes_zip(SECRET, "correct horse"))
    upload.name = "seized.zip"
    client.force_login(owner)
    assert client.post(f"/exhibits/{exhibit.pk}/ingest/", {"files": [upload]}).status_code == 302
    wait_until(lambda: IngestJob.objects.get().is_finished, timeout=120)
    member = EvidenceFile.objects.get(path="seized.zip/notes.txt")
    assert member.error == {"code": "archive.member_encrypted", "params": {}}  # a code, not a sentence
    for language, said in ENCRYPTED.items():
        file_page = page_in(client, language, member.get_absolute_url())
        exhibit_page = page_in(client, language, exhibit.get_absolute_url())
        assert escape(said) in file_page and escape(said) in exhibit_page, language
        others = [escape(text) for other, text in ENCRYPTED.items() if other != language]
        assert not any(text in file_page for text in others), language


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hidden_archive_breaks_its_reader")  # the 7z reader meets an error nobody expects
def test_a_job_error_recorded_by_the_worker_is_read_in_french_and_dutch_with_the_library_words_kept(
    celery_worker, client, exhibit, owner, tmp_path
):
    job = ingest_job_create_from_path(exhibit=exhibit, path=seized_folder(tmp_path), by=owner, archive_password="pw")
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=120)
    client.force_login(owner)
    url = reverse("job_progress", args=[job.pk])
    expected = {
        "fr": "arrêté par une erreur inattendue : Unforeseen : the reader met something new",
        "nl-be": "gestopt door een onverwachte fout: Unforeseen: the reader met something new",
        "en": "stopped by an unexpected error: Unforeseen: the reader met something new",  # control
    }
    for language, said in expected.items():
        page = page_in(client, language, url)
        assert escape(said) in page and "seized/hidden.7z" in page, language
    assert "stopped by an unexpected error" not in page_in(client, "fr", url)


def test_rows_written_before_codes_still_show_their_sentence_as_stored(client, owner, evidence_file):
    EvidenceFile.objects.filter(pk=evidence_file.pk).update(
        error="unreadable: [Errno 5] Input/output error", findings=["archive inside an archive not expanded"]
    )
    job = IngestJob.objects.create(
        exhibit=evidence_file.exhibit,
        source_label="old",
        created_by=owner,
        status="failed",
        error="Listing: old words\n",
    )
    client.force_login(owner)
    page = page_in(client, "fr", evidence_file.get_absolute_url())
    assert "unreadable: [Errno 5] Input/output error" in page and "archive inside an archive not expanded" in page
    assert "Listing: old words" in page_in(client, "nl-be", reverse("job_progress", args=[job.pk]))
