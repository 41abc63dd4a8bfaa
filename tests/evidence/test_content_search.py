"""Documents ingested through the real pipeline (a Celery worker on the real broker) are found by
their text on the dossier's search page; hostile ones are recorded with a reason and the rest goes on."""

import io

import pytest
from django.urls import reverse

from config.messages import code_of
from evidence.models import EvidenceFile, IngestJob
from tests.factories import wait_until
from tests.texts.documents import docx_bomb_bytes, docx_bytes, eml_bytes, pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)

DOCUMENTS = {
    "report.docx": docx_bytes("Pseudo darkfalcon", "Rendez-vous rue de la Loi"),
    "scan.pdf": pdf_bytes("Wallet bc1qfalcon of darkfalcon"),
    "mail.eml": eml_bytes(
        sender="a@example.org", to="b@example.org", subject="Gare", body="Meet nightowl at the station"
    ),
    "notes.txt": "darkfalcon sells; Élodie calls 0470 12 34 56".encode(),
    "bomb.docx": docx_bomb_bytes(8 << 20),
    "broken.pdf": b"%PDF-1.4\nnot a PDF at all, cut here",
}


def upload(name, content):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


@pytest.fixture
def ingested(client, owner, exhibit, celery_worker, settings):
    settings.TEXT_MAX_MEMBER_BYTES = 1 << 20
    client.force_login(owner)
    response = client.post(
        reverse("exhibit_ingest", args=[exhibit.pk]),
        {"files": [upload(name, content) for name, content in DOCUMENTS.items()]},
    )
    assert response.status_code == 302
    job = IngestJob.objects.get(exhibit=exhibit)
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished)
    return job


def found(client, dossier, query: str) -> set[str]:
    page = client.get(reverse("dossier_text_search", args=[dossier.pk]), {"q": query, "kind": "content"})
    assert page.status_code == 200
    text = page.content.decode()
    return {name for name in DOCUMENTS if f"{name}</a>" in text}


def test_the_team_finds_ingested_documents_outsiders_and_prosecutors_do_not(
    client, owner, outsider, prosecutor, colleague, dossier, ingested
):
    assert found(client, dossier, "darkfalcon") == {"report.docx", "scan.pdf", "notes.txt"}
    assert found(client, dossier, '"rue de la loi"') == {"report.docx"}
    assert found(client, dossier, "night*") == {"mail.eml"}
    assert found(client, dossier, "darkfalcon -wallet") == {"report.docx", "notes.txt"}
    assert found(client, dossier, "elodie") == {"notes.txt"}
    # A number in quotes is the same number in any form (the text writes "0470 12 34 56"); another is not.
    assert found(client, dossier, '"+32 470 12 34 56"') == {"notes.txt"}
    assert found(client, dossier, '"+32 470 12 34 57"') == set()
    page = client.get(reverse("dossier_text_search", args=[dossier.pk]), {"q": "darkfalcon"}).content.decode()
    assert "<mark>darkfalcon</mark>" in page
    report = EvidenceFile.objects.get(path="report.docx")
    detail = client.get(report.get_absolute_url()).content.decode()
    assert 'data-testid="file-text"' in detail and "Rendez-vous rue de la Loi" in detail
    url = reverse("dossier_text_search", args=[dossier.pk])
    client.force_login(outsider)
    assert client.get(url, {"q": "darkfalcon"}).status_code == 404
    client.force_login(prosecutor)
    page = client.get(url, {"q": "darkfalcon"})
    assert page.status_code == 200 and "report.docx" not in page.content.decode()
    client.force_login(colleague)  # control
    assert "report.docx" in client.get(url, {"q": "darkfalcon"}).content.decode()


def test_hostile_documents_are_recorded_and_a_malformed_query_explained(client, dossier, ingested):
    bomb, broken = EvidenceFile.objects.get(path="bomb.docx"), EvidenceFile.objects.get(path="broken.pdf")
    assert "text.member_too_large" in [code_of(finding) for finding in bomb.findings]
    assert "text.pdf_unreadable" in [code_of(finding) for finding in broken.findings]
    # counted with the job's errors: the two of the batch of uploaded files (a docx is then walked as
    # a zip too, where the bomb's part is an error of its own)
    assert ingested.batches.get(kind="files").errors == 2
    assert bomb.error == "" and bomb.sha256 is not None  # hashed and matched like any file
    assert found(client, dossier, "darkfalcon")  # the other files of the job: indexed
    page = client.get(reverse("dossier_text_search", args=[dossier.pk]), {"q": '"darkfalcon'})
    assert page.status_code == 200 and 'data-testid="query-error"' in page.content.decode()
    assert (
        'data-testid="query-error"'
        not in client.get(  # control: the phrase closed
            reverse("dossier_text_search", args=[dossier.pk]), {"q": '"darkfalcon"'}
        ).content.decode()
    )
