"""One table: every URL the project defines x every kind of person, and the answer each gets.

A URL added without a row here fails `test_every_url_has_a_row`. Outsiders get 404 (the dossier's
existence stays hidden), read-only members 403 on what they may not do, anonymous users the login
page. Every row has people who get 200: the refusals cannot pass for the wrong reason.
"""

import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import SecurityKey
from api.services import api_token_create
from chats.models import ChatAccount
from evidence.models import ChunkedUpload, SourceGrant
from hashing.models import RematchNotice
from hashing.services import hash_list_version_create
from tests.factories import make_hash_list, make_search, make_suspect

PEOPLE = ("anonymous", "outsider", "prosecutor", "colleague", "admin", "owner")
# Django's own sites, checked by their own rows below, not URL by URL.
NOT_OURS = {"admin", "set_language"}


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            # The API (token-authenticated) has its own table: tests/api/test_api_access.py.
            if pattern.namespace in ("admin", "api"):
                continue
            yield from _names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name


#  name: ("[POST ]argument", (status per person, in the order of PEOPLE))
MATRIX = {
    "home": ("", (302, 200, 200, 200, 200, 200)),
    "favicon": ("", (301, 301, 301, 301, 301, 301)),
    "login": ("", (200, 302, 302, 302, 302, 302)),
    "logout": ("", (405, 405, 405, 405, 405, 405)),  # POST only
    # Verified sessions are sent on; the unverified states are in tests/accounts/test_two_factor.py.
    "second_factor": ("", (302, 302, 302, 302, 302, 302)),
    "two_factor_setup": ("", (302, 302, 302, 302, 302, 302)),
    "two_factor_qr": ("", (302, 404, 404, 404, 404, 404)),
    # Security keys (WebAuthn): admins register theirs; the ceremonies are in tests/accounts/test_security_keys.py.
    # An empty answer to a ceremony is refused (400); logging in with a key: only who has one (the admin here).
    "security_keys": ("", (302, 403, 403, 403, 200, 403)),
    "security_key_options": ("POST ", (302, 403, 403, 403, 200, 403)),
    "security_key_register": ("POST ", (302, 403, 403, 403, 400, 403)),
    "security_key_login_options": ("POST ", (302, 404, 404, 404, 200, 404)),
    "security_key_login_verify": ("POST ", (302, 404, 404, 404, 400, 404)),
    # Last of these rows: it removes the admin's key.
    "security_key_remove": ("POST key", (302, 403, 403, 403, 302, 403)),
    "dossier_new": ("", (302, 200, 403, 200, 403, 200)),
    "dossier_detail": ("dossier", (302, 404, 200, 200, 404, 200)),
    "exhibit_new": ("dossier", (302, 404, 403, 200, 404, 200)),
    "exhibit_detail": ("exhibit", (302, 404, 200, 200, 404, 200)),
    "exhibit_ingest": ("exhibit", (302, 404, 403, 200, 404, 200)),
    "exhibit_ingest_server": ("exhibit", (302, 404, 403, 200, 404, 200)),
    # Chunked uploads answer JSON: an allowed user's empty POST is a 400 (tests/evidence/test_chunked_upload.py
    # has the 200s); an upload is seen only by the one who started it.
    "upload_start": ("POST exhibit", (302, 404, 403, 400, 404, 400)),
    "upload_finish": ("POST exhibit", (302, 404, 403, 400, 404, 400)),
    "upload_status": ("upload", (302, 404, 404, 404, 404, 200)),
    "upload_chunk": ("POST upload", (302, 404, 404, 404, 404, 400)),
    "job_progress": ("job", (302, 404, 200, 200, 404, 200)),
    "job_cancel": ("job", (302, 405, 405, 405, 405, 405)),  # POST only; refusals in test_server_sources
    "file_detail": ("file", (302, 404, 403, 200, 404, 200)),
    # 404 for the colleague too: this file has no thumbnail (tests/evidence/test_thumbnails.py has one).
    "file_thumbnail": ("file", (302, 404, 403, 404, 404, 404)),
    "hashlist_index": ("", (302, 403, 403, 403, 200, 403)),
    "hashlist_import": ("", (302, 403, 403, 403, 200, 403)),
    "hashlist_detail": ("hash_list", (302, 403, 403, 403, 200, 403)),
    "version_progress": ("version", (302, 403, 403, 403, 200, 403)),
    "audit_log": ("", (302, 403, 403, 403, 200, 403)),
    # Admins grant the evidence server's folders to dossiers (tests/evidence/test_source_grants.py).
    "source_grants": ("", (302, 403, 403, 403, 200, 403)),
    "source_grant_revoke": ("POST source_grant", (302, 403, 403, 403, 302, 403)),
    "admin:index": ("", (302, 302, 302, 302, 200, 302)),
    # Monitoring reads it without a login; no worker runs in this test, so it says 500.
    "health": ("", (500, 500, 500, 500, 500, 500)),
    # Served to METRICS_ALLOWED_IPS (the test client is 127.0.0.1); tests/deploy/test_operations.py refuses others.
    "metrics": ("", (200, 200, 200, 200, 200, 200)),
    "operations": ("", (302, 403, 403, 403, 200, 403)),
    # Case management (issue 3). The lead (owner) alone manages the team.
    "board": ("", (302, 403, 200, 403, 403, 403)),
    "board_export": ("", (302, 403, 200, 403, 403, 403)),
    "dossier_edit": ("dossier", (302, 404, 403, 200, 404, 200)),
    "dossier_status": ("POST dossier", (302, 404, 403, 200, 404, 200)),
    # POST rows: an allowed user with an empty form is sent back to the page (302) with a message.
    "team_add": ("POST dossier", (302, 404, 403, 403, 404, 302)),
    "team_change": ("POST dossier+membership", (302, 404, 403, 403, 404, 302)),
    "dossier_searches": ("dossier", (302, 404, 200, 200, 404, 200)),
    "search_new": ("dossier", (302, 404, 403, 200, 404, 200)),
    "dossier_exhibits": ("dossier", (302, 404, 200, 200, 404, 200)),
    "dossier_suspects": ("dossier", (302, 404, 200, 200, 404, 200)),
    "suspect_new": ("dossier", (302, 404, 403, 200, 404, 200)),
    "dossier_files": ("dossier", (302, 404, 200, 200, 404, 200)),
    "dossier_timeline": ("dossier", (302, 404, 200, 200, 404, 200)),
    "dossier_audit": ("dossier", (302, 404, 403, 200, 404, 200)),
    "search_detail": ("search", (302, 404, 200, 200, 404, 200)),
    "exhibits_bulk": ("search", (302, 404, 403, 200, 404, 200)),
    "suspect_detail": ("suspect", (302, 404, 200, 200, 404, 200)),
    "suspect_status": ("POST suspect", (302, 404, 403, 302, 404, 302)),
    "custody_new": ("exhibit", (302, 404, 403, 200, 404, 200)),
    "custody_sheet": ("exhibit", (302, 404, 200, 200, 404, 200)),
    "acquisition_new": ("exhibit", (302, 404, 403, 200, 404, 200)),
    # Hash lists (issue 10): admins only; a dossier's re-match notice: its members only.
    "version_preview": ("draft_version", (302, 403, 403, 403, 200, 403)),
    "version_cancel": ("POST draft_version", (302, 403, 403, 403, 302, 403)),
    "version_activate": ("version", (302, 403, 403, 403, 200, 403)),
    "version_diff_csv": ("version", (302, 403, 403, 403, 200, 403)),
    "rematch_notice_seen": ("POST notice", (302, 404, 302, 302, 404, 302)),
    # Reports (issue 6): every member of the dossier, prosecutors first; statistics for investigators
    # and prosecutors over the dossiers they see (admins, not members of any, get 403).
    "dossier_report": ("dossier", (302, 404, 200, 200, 404, 200)),
    "dossier_report_pdf": ("dossier", (302, 404, 200, 200, 404, 200)),
    "dossier_report_verify": ("dossier", (302, 404, 200, 200, 404, 200)),
    "custody_sheet_pdf": ("exhibit", (302, 404, 200, 200, 404, 200)),
    "ingest_report": ("job", (302, 404, 200, 200, 404, 200)),
    "ingest_report_pdf": ("job", (302, 404, 200, 200, 404, 200)),
    "statistics": ("", (302, 200, 200, 200, 403, 200)),
    # Review and sharing (issue 5): the investigating team only; prosecutors never see media (403),
    # admins are not members (404). Exports ask for the second factor again (recent here: 200).
    "dossier_review": ("dossier", (302, 404, 403, 200, 404, 200)),
    # POST rows: nothing posted, an allowed user is sent back to the page (302).
    "review_categorise": ("POST dossier", (302, 404, 403, 302, 404, 302)),
    # The lead (owner) alone turns four-eyes review on or off.
    "review_four_eyes": ("POST dossier", (302, 404, 403, 403, 404, 302)),
    "review_alert_list": ("POST dossier", (302, 404, 403, 302, 404, 302)),
    "export_vics": ("dossier", (302, 404, 403, 200, 404, 200)),
    "export_icse": ("dossier", (302, 404, 403, 200, 404, 200)),
    "reviewer_settings": ("POST ", (302, 302, 302, 302, 302, 302)),
    # API tokens (issue 6): each user their own; someone else's token is a 404.
    "api_tokens": ("", (302, 200, 200, 200, 200, 200)),
    "api_token_revoke": ("POST token", (302, 404, 404, 404, 404, 302)),
    # Chat exports (issue 8): every member sees the accounts and their counts; message texts, media,
    # links to suspects and the export for partner forces are for the investigating team.
    "dossier_chat_accounts": ("dossier", (302, 404, 200, 200, 404, 200)),
    "chat_account_detail": ("chat_account", (302, 404, 200, 200, 404, 200)),
    "chat_account_link": ("POST chat_account", (302, 404, 403, 302, 404, 302)),
    "chat_accounts_export": ("dossier+csv", (302, 404, 403, 200, 404, 200)),
}


def test_every_url_has_a_row():
    defined = set(_names(get_resolver().url_patterns)) - NOT_OURS
    assert defined - set(MATRIX) == set(), "add these URLs to MATRIX"
    assert set(MATRIX) - defined - {"admin:index"} == set(), "MATRIX names URLs that no longer exist"


@pytest.fixture
def objects(dossier, exhibit, evidence_file, admin, colleague, owner):
    version = make_hash_list("Matrix list", ["0" * 32], by=admin)
    return {
        "dossier": [dossier.pk],
        "exhibit": [exhibit.pk],
        "job": [evidence_file.job_id],
        "file": [evidence_file.pk],
        "hash_list": [version.hash_list_id],
        "version": [version.pk],
        "search": [make_search(dossier).pk],
        "suspect": [make_suspect(dossier).pk],
        "dossier+membership": [dossier.pk, dossier.memberships.get(user=colleague).pk],
        "draft_version": [
            hash_list_version_create(
                name="Matrix draft",
                kind="alert",
                stream=io.BytesIO(b"0" * 32),
                file_name="x.txt",
                by=admin,
                draft=True,
            ).pk
        ],
        "notice": [RematchNotice.objects.create(dossier=dossier, version=version).pk],
        "token": [api_token_create(user=owner, name="Matrix token")[0].pk],
        "source_grant": [SourceGrant.objects.create(dossier=dossier, root="/srv", folder="card", granted_by=admin).pk],
        "upload": [ChunkedUpload.objects.create(exhibit=exhibit, name="x.bin", size=10, created_by=owner).pk],
        "chat_account": [ChatAccount.objects.create(dossier=dossier, from_id="user1").pk],
        "dossier+csv": [dossier.pk, "csv"],
        "key": [SecurityKey.objects.create(user=admin, name="Matrix key", credential_id=b"k", public_key=b"p").pk],
    }


def test_each_person_gets_the_expected_answer_on_each_url(
    client, objects, outsider, prosecutor, colleague, admin, owner, settings, tmp_path
):
    settings.EVIDENCE_SOURCES = [tmp_path]
    people = {
        "anonymous": None,
        "outsider": outsider,
        "prosecutor": prosecutor,
        "colleague": colleague,
        "admin": admin,
        "owner": owner,
    }
    got, expected = {}, {}
    for name, (argument, statuses) in MATRIX.items():
        method, _, argument = argument.rpartition(" ")
        url = reverse(name, args=objects[argument] if argument else [])
        for person, status in zip(PEOPLE, statuses, strict=True):
            client.logout()
            if people[person] is not None:
                client.force_login(people[person])
            # POST-only views get an empty form: a refusal comes before any validation.
            got[name, person] = (client.post(url) if method == "POST" else client.get(url)).status_code
            expected[name, person] = status
    assert {key: value for key, value in got.items() if expected[key] != value} == {}
