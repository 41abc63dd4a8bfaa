"""The demo dossier's phone holds a Telegram export: a new user finds its accounts ranked."""

from django.urls import reverse

from cases.models import Dossier
from chats.models import ChatAccount, ChatExport
from chats.selectors import dossier_accounts
from demo.loader import DEMO_NOTICE, demo_load
from evidence.models import IngestJob
from tests.chats.conftest import run_inline


def test_the_demo_dossier_has_chat_accounts_ranked_by_known_material(db, tmp_path, settings, client):
    settings.DERIVED_ROOT = tmp_path / "derived"
    demo_load(tmp_path)
    job = IngestJob.objects.get(exhibit__seal_number="SC-2026-0004")
    assert run_inline(job).status == "done"
    dossier = Dossier.objects.get(notice_number=DEMO_NOTICE)
    export = ChatExport.objects.get()
    assert (export.status, export.chats_count, export.messages_count) == ("done", 2, 14)
    ranked = [(a.from_id, a.known_count, a.new_count) for a in dossier_accounts(dossier)]
    assert ranked[:2] == [("user100000003", 3, 0), ("user100000002", 1, 2)]
    assert ChatAccount.objects.get(from_id="user100000002").display_name == "Sara F."
    investigator = dossier.memberships.get(role="lead").user
    client.force_login(investigator)
    page = client.get(reverse("dossier_chat_accounts", args=[dossier.pk]))
    assert page.status_code == 200 and b"Photo Trader" in page.content
