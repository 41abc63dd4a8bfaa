"""Identifiers found in the dossier's files: ingested through the real pipeline, shown on the
Identifiers tab with their counts, found by the search box in any usual form, and never shown to
who may not see the files; the same value in the user's other dossiers, and only theirs."""

import io

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases.models import Membership
from evidence.models import EvidenceFile, FileIdentifier, IngestBatch, IngestJob
from evidence.search.selectors import file_texts_search, snippets_for
from evidence.search.store import file_texts_save
from tests.factories import make_dossier, make_exhibit, wait_until
from tests.languages import _language_back_to_default, page_in  # noqa: F401 - the fixture applies here
from tests.texts.documents import docx_bytes, eml_bytes
from texts.sink import Extracted

PHONE, IBAN = "+32470123456", "BE71096123456769"
DOCUMENTS = {
    "notes.txt": "Élodie: 0470 12 34 56, sinon +32 470 12 34 56. Payer BE71 0961 2345 6769.".encode(),
    "report.docx": docx_bytes("Virement sur BE71096123456769", "Contact darkfalcon@example.org"),
    "mail.eml": eml_bytes(
        sender="Dark Falcon <darkfalcon@example.org>",
        to="b@example.org",
        subject="Rendez-vous",
        body="Appelle 0470/12.34.56",
    ),
    "plain.txt": b"Nothing to see: ref 12345678901234, BE72 0961 2345 6769 (a wrong checksum).",
}


def upload(name, content):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def rows(page: str) -> dict[str, str]:
    """The tab's rows: identifier -> its row's HTML."""
    found = {}
    for row in page.split('data-testid="identifier-row"')[1:]:
        value = row.split('data-testid="identifier-value">')[1].split("<")[0]
        found[value] = row.split("</tr>")[0]
    return found


def cell(row: str, name: str) -> str:
    return row.split(f'data-testid="{name}">')[1].split("</td>")[0]


@pytest.mark.django_db(transaction=True)
def test_ingested_identifiers_are_listed_counted_searched_and_exported_for_the_team_only(
    client, owner, colleague, outsider, prosecutor, exhibit, celery_worker
):
    dossier = exhibit.dossier
    client.force_login(owner)
    response = client.post(
        reverse("exhibit_ingest", args=[exhibit.pk]), {"files": [upload(n, c) for n, c in DOCUMENTS.items()]}
    )
    assert response.status_code == 302
    wait_until(lambda: IngestJob.objects.get(exhibit=exhibit).is_finished)

    url = reverse("dossier_identifiers", args=[dossier.pk])
    client.force_login(colleague)
    found = rows(client.get(url).content.decode())
    assert set(found) == {PHONE, IBAN, "darkfalcon@example.org", "b@example.org"}
    assert cell(found[PHONE], "identifier-files") == "2"  # notes.txt (twice) and mail.eml
    assert '<td class="num">3</td>' in found[PHONE]  # occurrences
    assert cell(found[IBAN], "identifier-files") == "2" and cell(found[IBAN], "identifier-exhibits") == "SC-1: 2"
    assert set(rows(client.get(url, {"kind": "iban"}).content.decode())) == {IBAN}
    assert set(rows(client.get(url, {"q": "0470 12"}).content.decode())) == {PHONE}
    assert AuditEvent.objects.filter(action="identifiers.search", actor=colleague).exists()

    # Each identifier links to the files holding it.
    files = client.get(reverse("dossier_files", args=[dossier.pk]), {"identifier": IBAN, "identifier_kind": "iban"})
    text = files.content.decode()
    assert "notes.txt" in text and "report.docx" in text and "mail.eml" not in text

    # The search box finds a phone number or an IBAN typed in another form than the text's.
    def searched(query):
        return {hit.file.path for hit in file_texts_search(colleague, dossier, query)}

    assert searched("+32470123456") == {"notes.txt", "mail.eml"}
    assert searched("0470 12 34 56") == {"notes.txt", "mail.eml"}
    assert searched("be71 0961 2345 6769") == {"notes.txt", "report.docx"}
    assert searched("BE72 0961 2345 6769") == {"plain.txt"}  # its words, as written: not an IBAN

    export = client.get(reverse("dossier_identifiers_export", args=[dossier.pk]))
    assert export.status_code == 200 and f"phone,{PHONE},2,3,SC-1: 2" in export.content.decode()
    assert AuditEvent.objects.filter(action="export.identifiers_csv", actor=colleague).exists()

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(prosecutor)
    assert client.get(url).status_code == 403
    assert searched("+32470123456")  # control: the team still finds it
    assert file_texts_search(outsider, dossier, "+32470123456").count() == 0


def stored_document(exhibit, path: str, text: str) -> EvidenceFile:
    """A document saved with its text by the one writer of texts (as a batch does)."""
    job = IngestJob.objects.create(exhibit=exhibit, source_label="test", created_by=exhibit.created_by, status="done")
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    record = EvidenceFile.objects.create(
        exhibit=exhibit, job=job, batch=batch, path=path, source_path="/nonexistent", mime="text/plain", triage="other"
    )
    record.extracted_text = Extracted(text)
    file_texts_save([record])
    return record


@pytest.mark.django_db
def test_the_same_identifier_is_shown_in_the_users_other_dossiers_and_nothing_of_the_others(
    client, owner, colleague, outsider, exhibit
):
    stored_document(exhibit, "a.txt", "IBAN BE71 0961 2345 6769 and darkfalcon@example.org")
    mine = make_dossier(owner, notice_number="BR.52.L1.000003/26", **{Membership.Role.INVESTIGATOR: colleague})
    stored_document(make_exhibit(mine, by=owner), "b.txt", "BE71096123456769")
    hidden = make_dossier(outsider, notice_number="BR.52.L1.000009/26", title="Hidden")
    stored_document(make_exhibit(hidden, by=outsider), "h.txt", "BE71096123456769 darkfalcon@example.org")

    client.force_login(colleague)
    found = rows(client.get(reverse("dossier_identifiers", args=[exhibit.dossier.pk])).content.decode())
    assert "BR.52.L1.000003/26" in cell(found[IBAN], "identifier-elsewhere")  # control: the colleague's dossier
    page = client.get(reverse("dossier_identifiers", args=[exhibit.dossier.pk])).content.decode()
    assert "BR.52.L1.000009/26" not in page and "Hidden" not in page
    assert cell(found["darkfalcon@example.org"], "identifier-elsewhere") == "—"
    # The outsider, seeing their own dossier, does not learn of the others.
    client.force_login(outsider)
    theirs = client.get(reverse("dossier_identifiers", args=[hidden.pk])).content.decode()
    assert "BR.52.L1.000001/26" not in theirs and "BR.52.L1.000003/26" not in theirs
    assert IBAN in rows(theirs)  # control: their own identifiers are listed


@pytest.mark.django_db
def test_names_count_and_a_file_indexed_again_replaces_its_identifiers(client, colleague, exhibit):
    record = stored_document(exhibit, "call 0470123456.txt", "mail falcon@example.org")
    assert set(record.identifiers.values_list("kind", "value", "found_in")) == {
        ("phone", PHONE, "name"),
        ("email", "falcon@example.org", "content"),
    }
    record.extracted_text = Extracted("nothing now")
    file_texts_save([record])
    assert list(FileIdentifier.objects.filter(file=record).values_list("found_in", flat=True)) == ["name"]
    assert {hit.kind for hit in file_texts_search(colleague, exhibit.dossier, "0470 12 34 56")} == {"name"}


@pytest.mark.django_db
def test_an_empty_dossier_says_no_identifier_was_found(client, colleague, exhibit):
    client.force_login(colleague)
    page = client.get(reverse("dossier_identifiers", args=[exhibit.dossier.pk])).content.decode()
    assert 'data-testid="identifiers-empty"' in page


@pytest.mark.django_db
def test_the_tab_reads_in_french_and_dutch(client, colleague, exhibit):
    stored_document(exhibit, "a.txt", "IBAN BE71 0961 2345 6769")
    client.force_login(colleague)
    url = reverse("dossier_identifiers", args=[exhibit.dossier.pk])
    assert "Identifiants trouvés dans les fichiers" in page_in(client, "fr", url)
    assert "Identificatoren gevonden in de bestanden" in page_in(client, "nl-be", url)


@pytest.mark.django_db
def test_a_number_typed_without_its_zero_finds_its_usual_forms_with_a_snippet_around_them(colleague, exhibit):
    stored_document(exhibit, "a.txt", "Le rendez-vous est fixé. Appelle-le au 0470/12.34.56 après vingt heures.")
    stored_document(exhibit, "b.txt", "Contact darkfalcon: +32 470 12 34 56 (Signal)")
    stored_document(exhibit, "c.txt", "Totaux 470123456 et 471234567")  # figures: no phone
    hits = list(file_texts_search(colleague, exhibit.dossier, "470 12 34 56"))
    assert {hit.file.path for hit in hits} == {"a.txt", "b.txt"}
    snippets_for(hits, "470 12 34 56")
    snippets = {hit.file.path: str(hit.snippet) for hit in hits}
    assert "au <mark>0470/12.34.56</mark> après" in snippets["a.txt"]
    assert "<mark>" in snippets["b.txt"] and "470" in snippets["b.txt"]
    hits = list(file_texts_search(colleague, exhibit.dossier, "darkfalcon"))  # control: a word's snippet
    snippets_for(hits, "darkfalcon")
    assert [str(hit.snippet).startswith("Contact <mark>darkfalcon</mark>: +32 470") for hit in hits] == [True]
