"""Identifiers are looked for in the text read from pictures (OCR) and in the words written in a
photo's tags, as in documents: a phone number printed on a scanned page shows on the Identifiers tab
and is found by the search box in any usual form."""

import pytest
from django.urls import reverse

from evidence.models import FileIdentifier
from evidence.search.selectors import file_texts_search
from evidence.search.store import file_ocr_texts_save
from tests.evidence.test_altered_copies import ingest
from tests.evidence.test_identifiers import rows
from tests.hashing.test_exif import captioned, photo_bytes
from tests.texts.documents import picture_bytes, text_picture
from texts.sink import Extracted

pytestmark = pytest.mark.django_db
PHONE = "+32470123456"


@pytest.fixture
def pictures(owner, exhibit, tmp_path, ocr_on):
    exhibit.text_language = "english"  # Tesseract's English alone: the test reads faster
    exhibit.save(update_fields=["text_language"])
    return ingest(
        exhibit,
        owner,
        tmp_path / "scans",
        {
            "scan.png": picture_bytes(text_picture("Appelez Marc", "Tel 0470 12 34 56")),
            "figures.png": picture_bytes(text_picture("Total 1234 5678", "Lot 42")),  # no identifier
            "photo.jpg": photo_bytes(captioned(XPComment="mail darkfalcon@example.org"), seed=1),
        },
    )


def test_a_phone_printed_on_a_scanned_page_is_an_identifier_of_the_file(client, colleague, exhibit, pictures):
    assert set(pictures["scan.png"].identifiers.values_list("kind", "value", "found_in")) == {
        ("phone", PHONE, FileIdentifier.FoundIn.OCR)
    }
    assert not pictures["figures.png"].identifiers.exists()  # control: figures are no phone
    client.force_login(colleague)
    found = rows(client.get(reverse("dossier_identifiers", args=[exhibit.dossier.pk])).content.decode())
    assert set(found) == {PHONE, "darkfalcon@example.org"}
    hits = file_texts_search(colleague, exhibit.dossier, "0470/12.34.56")
    assert {(hit.file.path, hit.kind) for hit in hits} == {("scans/scan.png", "ocr")}


def test_an_address_written_in_a_photos_tags_is_an_identifier_of_the_photo(pictures):
    assert set(pictures["photo.jpg"].identifiers.values_list("kind", "value", "found_in")) == {
        ("email", "darkfalcon@example.org", FileIdentifier.FoundIn.EXIF)
    }


def test_the_pictures_read_again_replace_their_identifiers(owner, exhibit, pictures):
    scan = pictures["scan.png"]
    scan.ocr_text = Extracted("nothing to call now")
    file_ocr_texts_save([scan])
    assert not scan.identifiers.exists()
    scan.ocr_text = Extracted("call +32 470 12 34 56")  # control
    file_ocr_texts_save([scan])
    assert list(scan.identifiers.values_list("value", flat=True)) == [PHONE]
