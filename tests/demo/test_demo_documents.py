"""The demo's USB key: a word, a phone number and an IBAN are found in its documents, mailbox and
scanned page (read by OCR); a member of another dossier finds nothing of them."""

from django.urls import reverse

from cases.models import Dossier
from demo.documents import DOCUMENTS_SEAL, IBAN, PHONE, STREET
from demo.loader import DEMO_NOTICE, demo_load
from evidence.models import EvidenceFile, IngestJob
from tests.evidence.test_ingest import run_inline


def found(client, dossier, query: str) -> set[tuple[str, str]]:
    """(file name, kind of text) of each result of ``query`` on the dossier's Find in files tab."""
    page = client.get(reverse("dossier_text_search", args=[dossier.pk]), {"q": query})
    assert page.status_code == 200
    return {(hit.file.path.rsplit("/", 1)[-1], hit.kind) for hit in page.context["page"] or []}


def test_the_demo_usb_key_is_searched_by_its_team_and_by_no_one_else(
    db, tmp_path, settings, client, ocr_on, outsider, other_dossier
):
    settings.DERIVED_ROOT = tmp_path / "derived"
    demo_load(tmp_path)
    assert run_inline(IngestJob.objects.get(exhibit__seal_number=DOCUMENTS_SEAL)).status == "done"
    dossier = Dossier.objects.get(notice_number=DEMO_NOTICE)
    client.force_login(dossier.memberships.get(user__username="investigator").user)
    # the street is only in the scanned page: its picture and its PDF without a text layer, read by OCR
    assert found(client, dossier, STREET) == {("scan-001.png", "ocr"), ("scan-001.pdf", "ocr")}
    # the phone number as words (its "+32" is a signed number to PostgreSQL's parser: identifiers
    # normalised to E.164 are searched as such by the identifiers' index, another step)
    phone = PHONE.removeprefix("+32 ")
    assert {("inbox.mbox", "content"), ("scan-001.png", "ocr")} <= found(client, dossier, f'"{phone}"')
    assert found(client, dossier, f'"{IBAN}"') == {("inbox.mbox", "content")}
    in_documents = {name for name, kind in found(client, dossier, "Kerkstraat") if kind == "content"}
    assert {"huurcontract-kerkstraat.docx", "lettre-loyer.pdf", "advertentie.html"} <= in_documents
    assert ("vergadering.odt", "content") in found(client, dossier, "sleutels")
    # the mail's attachments are files of their own, child of their message
    mailbox = EvidenceFile.objects.get(path__endswith="Mail/inbox.mbox")
    contract = EvidenceFile.objects.get(path__endswith="inbox.mbox/message-1/huurcontract-kerkstraat.docx")
    plan = EvidenceFile.objects.get(path__endswith="inbox.mbox/message-4/plan-appartement.png")
    assert contract.container == plan.container == mailbox and plan.phash is not None
    inventory = EvidenceFile.objects.get(path__endswith="Mail/inventaris.msg/inventaris.txt")
    assert inventory.container.path.endswith("inventaris.msg")
    assert {("inventaris.msg", "content"), ("inventaris.txt", "content")} <= found(client, dossier, "inventaris")
    assert ("inventaris.txt", "content") in found(client, dossier, "zetel")
    scan = EvidenceFile.objects.get(path__endswith="Scans/scan-001.png")
    page = client.get(scan.get_absolute_url()).content.decode()
    assert 'data-testid="file-ocr-text"' in page and STREET in page and 'data-testid="thumbnail-revealed"' not in page
    # a member of another dossier: the demo dossier does not exist for them, their own holds none of it
    client.force_login(outsider)
    assert client.get(reverse("dossier_text_search", args=[dossier.pk]), {"q": STREET}).status_code == 404
    assert found(client, other_dossier, STREET) == found(client, other_dossier, f'"{IBAN}"') == set()
    assert client.get(scan.get_absolute_url()).status_code == 404
