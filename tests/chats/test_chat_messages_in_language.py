"""What the export reader noticed (a refused media path, a problem) is read in the investigator's
language on the chat pages; an old row's English sentence shows as stored (issue 19)."""

from django.urls import reverse

from chats.models import ChatMessage
from tests.languages import _language_back_to_default, page_in  # noqa: F401 - an autouse fixture


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
