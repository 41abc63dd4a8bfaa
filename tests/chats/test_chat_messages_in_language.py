"""What the export reader noticed (a refused media path, a problem) is read in the investigator's
language on the chat pages; an old row's English sentence shows as stored (issue 19)."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from chats.models import ChatMessage


@pytest.fixture(autouse=True)
def _language_back_to_default():
    """A request activates its reader's language in this thread: later tests read LANGUAGE_CODE."""
    yield
    translation.deactivate()


def page_in(client, language: str, url: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_refused_media_path_is_explained_in_french_and_dutch(client, owner, dossier, ingested):
    client.force_login(owner)
    account = ingested["user2"].get_absolute_url()  # messages 6 and 7: paths refused
    accounts = reverse("dossier_chat_accounts", args=[dossier.pk])  # the export's problems
    for language, outside in (
        ("fr", "refusé : le chemin sort de l&#x27;export"),
        ("nl-be", "geweigerd: het pad leidt buiten de export"),
        ("en", "refused: the path leads outside the export"),  # control
    ):
        assert outside in page_in(client, language, account), language
        assert outside in page_in(client, language, accounts), language
    assert "refused: the path leads outside the export" not in page_in(client, "fr", account)


def test_an_old_message_row_keeps_its_english_sentence(client, owner, ingested):
    ChatMessage.objects.filter(message_id=6).update(media_missing="refused: written before codes")
    client.force_login(owner)
    assert "refused: written before codes" in page_in(client, "fr", ingested["user2"].get_absolute_url())
