"""A chat export's senders, the @names its messages mention and the identifiers they hold are the
dossier's identifiers, counted once, and found by the search box in any usual form."""

import pytest
from django.urls import reverse

from chats.services import chat_export_read
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import FileIdentifier, IngestBatch
from evidence.search.selectors import file_texts_search
from tests.chats.builder import chat, message, write_export
from tests.chats.conftest import run_inline

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(tmp_path, exhibit, owner):
    folder = tmp_path / "sources" / "ChatExport_2025-03-01"
    messages = [
        message(1, "user1", "Alice", text="appelle @DarkFalcon au 0470 12 34 56"),
        message(2, "user2", "Bob", text="ok, +32 470 12 34 56 noté; IBAN BE71 0961 2345 6769"),
        message(3, "user1", "Alice", text="@darkfalcon a payé"),
    ]
    write_export(folder, chat("Group A", 100, messages))
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=folder, by=owner, queue=False))
    return FileIdentifier.objects.filter(file__path__endswith="result.json")


def counts(rows) -> dict:
    return {(row.kind, row.value): row.count for row in rows}


def test_senders_mentions_and_identifiers_of_the_messages_are_counted_once(export, client, colleague, dossier):
    assert counts(export) == {
        ("username", "telegram:user1"): 2,
        ("username", "telegram:user2"): 1,
        ("username", "@darkfalcon"): 2,
        ("phone", "+32470123456"): 2,
        ("iban", "BE71096123456769"): 1,
    }
    assert set(export.values_list("found_in", flat=True)) == {"message"}  # the JSON's own text gave way
    # The search box finds the export's file by the number written another way.
    assert {hit.file.path.rsplit("/", 1)[-1] for hit in file_texts_search(colleague, dossier, "0032470123456")} == {
        "result.json"
    }
    client.force_login(colleague)
    page = client.get(reverse("dossier_identifiers", args=[dossier.pk]), {"kind": "username"}).content.decode()
    assert "@darkfalcon" in page and "telegram:user1" in page


def test_an_export_read_again_replaces_what_its_messages_gave(export):
    before = counts(export)
    batch = IngestBatch.objects.get(kind="chat")
    chat_export_read(batch=batch)
    assert counts(export) == before
