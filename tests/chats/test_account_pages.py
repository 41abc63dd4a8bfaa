"""The accounts page, an account's page, linking to a suspect and the export for partner forces."""

import csv
import hashlib
import io
import json

from django.urls import reverse

from audit.models import AuditEvent
from chats.models import ChatAccount
from tests.factories import make_dossier, make_suspect


def rows_of(page: str) -> list[str]:
    return [line.split('data-account="')[1].split('"')[0] for line in page.splitlines() if 'data-account="' in line]


def test_accounts_are_ranked_by_known_material_and_sortable(client, owner, dossier, ingested):
    client.force_login(owner)
    url = reverse("dossier_chat_accounts", args=[dossier.pk])
    page = client.get(url).content.decode()
    assert rows_of(page) == ["user1", "user2", "user3"]
    assert "cat. 1: 2" in page and "cat. 2: 1" in page
    assert rows_of(client.get(url, {"order": "new"}).content.decode())[0] == "user2"
    assert rows_of(client.get(url, {"order": "name"}).content.decode()) == ["user1", "user2", "user3"]
    assert rows_of(client.get(url, {"q": "Bob"}).content.decode()) == ["user2"]  # an earlier name finds it too
    assert rows_of(client.get(url, {"order": "bogus"}).content.decode()) == ["user1", "user2", "user3"]


def test_the_accounts_page_costs_the_same_queries_for_three_accounts_or_sixty(
    client, owner, dossier, ingested, django_assert_max_num_queries
):
    from chats.models import ChatMessage

    chat = ChatMessage.objects.first().chat
    for number in range(60):
        account = ChatAccount.objects.create(dossier=dossier, from_id=f"user{1000 + number}", display_name="x")
        ChatMessage.objects.create(chat=chat, account=account, message_id=5000 + number, from_name="x")
    client.force_login(owner)
    with django_assert_max_num_queries(17):  # the dossier header counts the files to review too
        assert client.get(reverse("dossier_chat_accounts", args=[dossier.pk])).status_code == 200


def test_an_investigator_reads_an_account_timeline_with_veiled_thumbnails_and_searches_it(client, colleague, ingested):
    client.force_login(colleague)
    url = reverse("chat_account_detail", args=[ingested["user2"].pk])
    page = client.get(url).content.decode()
    assert "see http://example.test" in page and "Bob" in page and "Bobby" in page
    thumbnail = reverse("file_thumbnail", args=[ingested["user2"].messages.get(message_id=3).media_id])
    assert f'src="{thumbnail}"' in page and "?reveal=1" not in page
    assert "refused: the path leads outside the export" in page
    found = client.get(url, {"q": "example.test"}).content.decode()
    assert 'data-message="4"' in found and 'data-message="3"' not in found
    assert 'data-message="3"' in client.get(url, {"media": "new"}).content.decode()


def test_a_prosecutor_sees_counts_but_no_text_media_link_or_export(client, prosecutor, colleague, dossier, ingested):
    account = ingested["user1"]
    client.force_login(prosecutor)
    accounts = client.get(reverse("dossier_chat_accounts", args=[dossier.pk]))
    assert accounts.status_code == 200 and rows_of(accounts.content.decode()) == ["user1", "user2", "user3"]
    page = client.get(account.get_absolute_url()).content.decode()
    assert 'data-testid="known">3' in page
    assert "hello" not in page and "file_thumbnail" not in page and "/thumbnail/" not in page
    assert "photos/img1.jpg" not in page
    assert client.post(reverse("chat_account_link", args=[account.pk]), {"country": "FR"}).status_code == 403
    assert client.get(reverse("chat_accounts_export", args=[dossier.pk, "csv"])).status_code == 403
    client.force_login(colleague)  # control: the investigating team may
    assert "hello" in client.get(account.get_absolute_url()).content.decode()
    assert client.get(reverse("chat_accounts_export", args=[dossier.pk, "csv"])).status_code == 200


def test_an_outsider_gets_404_everywhere(client, outsider, owner, dossier, ingested):
    account = ingested["user1"]
    urls = [
        reverse("dossier_chat_accounts", args=[dossier.pk]),
        account.get_absolute_url(),
        reverse("chat_accounts_export", args=[dossier.pk, "json"]),
    ]
    client.force_login(outsider)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert client.post(reverse("chat_account_link", args=[account.pk])).status_code == 404
    client.force_login(owner)  # control
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]


def test_linking_an_account_to_a_suspect_shows_it_on_the_suspect_page(client, colleague, dossier, ingested):
    suspect = make_suspect(dossier, "Alice Exemple")
    account = ingested["user1"]
    client.force_login(colleague)
    response = client.post(reverse("chat_account_link", args=[account.pk]), {"suspect": suspect.pk, "country": "fr"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.suspect, account.country, account.linked_by) == (suspect, "FR", colleague)
    suspect_page = client.get(suspect.get_absolute_url()).content.decode()
    assert account.get_absolute_url() in suspect_page and "user1" in suspect_page
    event = AuditEvent.objects.get(action="chat_account.link")
    assert (event.actor, event.dossier, event.detail["suspect"]) == (colleague, dossier, suspect.pk)
    accounts_page = client.get(reverse("dossier_chat_accounts", args=[dossier.pk]), {"suspect": "linked"})
    assert rows_of(accounts_page.content.decode()) == ["user1"]


def test_a_suspect_of_another_dossier_cannot_be_linked(client, owner, outsider, dossier, ingested):
    elsewhere = make_suspect(make_dossier(outsider, notice_number="BR.52.L1.000009/26"), "Other Person")
    mine = make_suspect(dossier, "Mine")
    account = ingested["user2"]
    client.force_login(owner)
    client.post(reverse("chat_account_link", args=[account.pk]), {"suspect": elsewhere.pk})
    account.refresh_from_db()
    assert account.suspect is None
    client.post(reverse("chat_account_link", args=[account.pk]), {"suspect": mine.pk})  # control
    account.refresh_from_db()
    assert account.suspect == mine


def test_the_export_for_partner_forces_holds_identifiers_and_exact_counts_and_is_audited(
    client, owner, dossier, ingested
):
    ChatAccount.objects.filter(from_id="user2").update(country="DE")
    client.force_login(owner)
    response = client.get(reverse("chat_accounts_export", args=[dossier.pk, "csv"]))
    assert response["Content-Disposition"].startswith('attachment; filename="chat-accounts-')
    rows = {row["from_id"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert set(rows) == {"user1", "user2", "user3"}
    alice = rows["user1"]
    assert (alice["messages"], alice["media"], alice["known"], alice["known_files"], alice["new"]) == (
        "6",
        "5",
        "3",
        "2",
        "0",
    )
    assert json.loads(alice["known_by_category"]) == {"1": 2, "2": 1}
    assert json.loads(rows["user2"]["names_seen"]) == ["Bob", "Bobby"]
    assert "photos/" not in response.content.decode()  # no file names, no media
    event = AuditEvent.objects.get(action="chat_accounts.export")
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest() and event.detail["rows"] == 3
    german = client.get(reverse("chat_accounts_export", args=[dossier.pk, "json"]), {"country": "de"})
    document = json.loads(german.content)
    assert [account["from_id"] for account in document["accounts"]] == ["user2"]
    assert document["accounts"][0]["new"] == 2 and document["country"] == "DE"
    assert client.get(reverse("chat_accounts_export", args=[dossier.pk, "xml"])).status_code == 404


def test_the_export_asks_for_the_second_factor_again_when_it_is_old(client, owner, dossier, ingested):
    client.force_login(owner)
    url = reverse("chat_accounts_export", args=[dossier.pk, "csv"])
    assert client.get(url).status_code == 200  # control
    session = client.session
    session["second_factor_at"] -= 3600
    session.save()
    response = client.get(url)
    assert response.status_code == 302 and "step_up=1" in response["Location"]
    assert AuditEvent.objects.filter(action="chat_accounts.export").count() == 1


def test_an_empty_dossier_shows_how_to_get_accounts(client, owner, dossier):
    client.force_login(owner)
    page = client.get(reverse("dossier_chat_accounts", args=[dossier.pk])).content.decode()
    assert "No chat export ingested yet" in page and "Export CSV" not in page


def test_the_known_material_accounts_shared_exports_as_vics_without_images(client, owner, dossier, ingested):
    from evidence.models import EvidenceFile

    ChatAccount.objects.filter(from_id="user2").update(country="DE")
    client.force_login(owner)
    response = client.get(reverse("chat_accounts_export", args=[dossier.pk, "vics"]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.vics.json"')
    [case] = json.loads(response.content)["value"]
    known = EvidenceFile.objects.filter(triage="known", chat_messages__isnull=False).distinct()
    assert len(known) == 2  # Alice's two known photos, shared in several messages
    assert sorted(media["SHA1"].lower() for media in case["Media"]) == sorted(f.sha1_hex for f in known)
    assert sorted(media["Category"] for media in case["Media"]) == sorted(int(f.match_category) for f in known)
    assert b"photos/" not in response.content  # hashes and categories, never a file name or an image
    event = AuditEvent.objects.get(action="chat_accounts.export")
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest() and event.detail["rows"] == 2
    # Bob (DE) shared only new material: a partner force in Germany gets an empty hash set.
    german = client.get(reverse("chat_accounts_export", args=[dossier.pk, "vics"]), {"country": "de"})
    assert json.loads(german.content)["value"][0]["Media"] == []
