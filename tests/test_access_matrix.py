"""Three tables: every URL of the pages, of the API (by token) and of the Django admin x every kind of
person, and the answer each gets.

A URL added without a row fails `test_every_url_has_a_row` (pages), `test_every_api_route_has_a_row`
or `test_every_admin_url_has_a_row`. Outsiders get 404 (the dossier's existence stays hidden),
read-only members 403 on what they may not do, anonymous users the login page (401 from the API).
Every row has people who get 200: the refusals cannot pass for the wrong reason.
"""

import io

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from accounts.models import SecurityKey
from api.services import api_token_create
from audit.services import audit_record
from chats.models import ChatAccount
from config.store import store_derived
from detectors.models import Classifier
from evidence.models import (
    ChunkedUpload,
    DetectionJob,
    Detector,
    Face,
    KeywordRun,
    RematchNotice,
    SourceGrant,
    TextIndexJob,
)
from evidence.search.keywords import keyword_list_import
from hashing.models import CategoryScheme
from hashing.services import hash_list_version_create
from tests.api.conftest import TokenClient
from tests.factories import grant_folder, make_hash_list, make_search, make_suspect

PEOPLE = ("anonymous", "outsider", "prosecutor", "colleague", "admin", "owner")
# Django's language switch (a POST of a form, for everyone).
NOT_OURS = {"set_language"}


def _names(patterns, namespace=None, inside=None):
    """URL names (``namespace:name`` inside one) under ``inside`` (None: outside every namespace)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern.url_patterns, pattern.namespace or namespace, inside)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace == inside:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


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
    # The test client asks from 127.0.0.1, a monitoring address: everyone gets the checks, and no worker
    # runs in this test, so they say 500. Other addresses get liveness only: tests/deploy/test_health_access.py.
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
    # Content search (issue 23): every member gets the page, prosecutors without any file's text
    # (tests/evidence/test_content_search_pages.py); the index job is started by the investigating team.
    "dossier_text_search": ("dossier", (302, 404, 200, 200, 404, 200)),
    "text_index_start": ("POST dossier", (302, 404, 403, 302, 404, 302)),
    "text_index_progress": ("dossier+text_index_job", (302, 404, 200, 200, 404, 200)),
    # An empty POST chooses no model: sent back to the review page (tests/evidence/test_detection_job.py starts one).
    "detection_job_start": ("POST dossier", (302, 404, 403, 302, 404, 302)),
    "detection_job_progress": ("dossier+detection_job", (302, 404, 403, 200, 404, 200)),
    "exhibit_text_language": ("POST exhibit", (302, 404, 403, 302, 404, 302)),
    "exhibit_ocr": ("POST exhibit", (302, 404, 403, 302, 404, 302)),
    # Keyword lists: every member reads them and their counts; the investigating team imports and runs
    # them (an empty import form is shown again, 200) and exports the hits (file paths and hashes).
    "dossier_keywords": ("dossier", (302, 404, 200, 200, 404, 200)),
    "keyword_list_new": ("POST dossier", (302, 404, 403, 200, 404, 200)),
    "keyword_list_detail": ("dossier+keyword_list", (302, 404, 200, 200, 404, 200)),
    "keyword_list_run": ("POST dossier+keyword_list", (302, 404, 403, 302, 404, 302)),
    "keyword_run_progress": ("dossier+keyword_run", (302, 404, 200, 200, 404, 200)),
    "keyword_run_export": ("dossier+keyword_run", (302, 404, 403, 200, 404, 200)),
    "dossier_timeline": ("dossier", (302, 404, 200, 200, 404, 200)),
    "dossier_devices": ("dossier", (302, 404, 403, 200, 404, 200)),
    "dossier_faces": ("dossier", (302, 404, 403, 200, 404, 200)),
    "face_detail": ("face", (302, 404, 403, 200, 404, 200)),
    "face_crop": ("face", (302, 404, 403, 200, 404, 200)),
    "dossier_places": ("dossier", (302, 404, 403, 200, 404, 200)),
    "dossier_places_data": ("dossier", (302, 404, 403, 200, 404, 200)),
    "dossier_places_export": ("dossier+kml", (302, 404, 403, 200, 404, 200)),
    # Identifiers found in the files (issue 23): the investigating team, like Devices.
    "dossier_identifiers": ("dossier", (302, 404, 403, 200, 404, 200)),
    "dossier_identifiers_export": ("dossier", (302, 404, 403, 200, 404, 200)),
    "detector_index": ("", (302, 403, 403, 403, 200, 403)),
    "classifier_enable": ("POST classifier", (302, 403, 403, 403, 302, 403)),
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
    assert set(MATRIX) - defined == set(), "MATRIX names URLs that no longer exist"


@pytest.fixture
def objects(dossier, exhibit, evidence_file, admin, colleague, owner):
    version = make_hash_list("Matrix list", ["0" * 32], by=admin)
    keyword_list = keyword_list_import(dossier=dossier, name="Matrix keywords", text="darkfalcon", by=owner)
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
        "dossier+kml": [dossier.pk, "kml"],
        "dossier+text_index_job": [dossier.pk, TextIndexJob.objects.create(dossier=dossier, created_by=owner).pk],
        "dossier+detection_job": [dossier.pk, DetectionJob.objects.create(dossier=dossier, created_by=owner).pk],
        "face": [_face(evidence_file).pk],
        "dossier+keyword_list": [dossier.pk, keyword_list.pk],
        "dossier+keyword_run": [dossier.pk, KeywordRun.objects.create(keyword_list=keyword_list, created_by=owner).pk],
        "key": [SecurityKey.objects.create(user=admin, name="Matrix key", credential_id=b"k", public_key=b"p").pk],
        "classifier": [
            Classifier.objects.create(
                name="Matrix classifier",
                version="1",
                weights=b"x",
                sha256="0" * 64,
                size=1,
                labels=["a"],
                alerting=["a"],
                width=8,
                height=8,
                enabled=False,
                created_by=admin,
            ).pk
        ],
    }


def _face(evidence_file) -> Face:
    """A face with a crop (a grey square) in the derived store."""
    crop = io.BytesIO()
    Image.new("RGB", (16, 16), (128, 128, 128)).save(crop, "JPEG")
    return Face.objects.create(
        file=evidence_file,
        detector=Detector.objects.create(name="Matrix faces", version="1", sha256="0" * 64),
        left=0.1,
        top=0.1,
        width=0.2,
        height=0.2,
        side=50,
        embedding=bytes(512),
        crop=store_derived(settings.DERIVED_ROOT, "faces", "matrix-0.jpg", crop.getvalue()),
    )


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


# The API, by token: the same rules as the pages; outsiders and admins (not members) get 404, the
# read-only prosecutor 403 on writes and on file names and hashes, a caller without a token 401.


def exhibit_body(objects):
    objects["seal"] += 1
    return {"kind": "usb_key", "seal_number": f"API-{objects['seal']}"}


def hashes_body(objects):
    return {"files": [{"path": "card/a.jpg", "size": 3, "sha256": "ab" * 32}]}


#  name: (method, argument, body, (status per person, in the order of PEOPLE))
API_MATRIX = {
    "api:dossier_list": ("GET", "", None, (401, 200, 200, 200, 200, 200)),
    "api:dossier_detail": ("GET", "dossier", None, (401, 404, 200, 200, 404, 200)),
    "api:dossier_exhibits": ("GET", "dossier", None, (401, 404, 200, 200, 404, 200)),
    "api:dossier_exhibits POST": ("POST", "dossier", exhibit_body, (401, 404, 403, 201, 404, 201)),
    "api:dossier_suspects": ("GET", "dossier", None, (401, 404, 200, 200, 404, 200)),
    "api:dossier_files": ("GET", "dossier", None, (401, 404, 403, 200, 404, 200)),
    "api:exhibit_detail": ("GET", "exhibit", None, (401, 404, 200, 200, 404, 200)),
    "api:exhibit_files": ("GET", "exhibit", None, (401, 404, 403, 200, 404, 200)),
    "api:exhibit_hashes": ("POST", "exhibit", hashes_body, (401, 404, 403, 201, 404, 201)),
    "api:exhibit_ingest": ("POST", "exhibit", {"root": 0, "path": "card"}, (401, 404, 403, 201, 404, 201)),
    "api:job_detail": ("GET", "job", None, (401, 404, 200, 200, 404, 200)),
    "api:file_detail": ("GET", "file", None, (401, 404, 403, 200, 404, 200)),
    # Not tied to a dossier: investigators and admins, not prosecutors.
    "api:hash_lookup": ("POST", "", {"hashes": ["00" * 16]}, (401, 200, 403, 200, 200, 200)),
    "api:schema": ("GET", "", None, (401, 200, 200, 200, 200, 200)),
    # A page for people (a verified session), checked in tests/api/test_api_docs.py; by token, the login page.
    "api:docs": ("GET", "", None, (302, 302, 302, 302, 302, 302)),
    "api:not_found": ("GET", "", None, (404, 404, 404, 404, 404, 404)),
}


def test_every_api_route_has_a_row():
    defined = set(_names(get_resolver().url_patterns, inside="api"))
    rows = {name.split(" ")[0] for name in API_MATRIX}
    assert defined - rows == set(), "add these API routes to API_MATRIX"
    assert rows - defined == set(), "API_MATRIX names API routes that no longer exist"


@pytest.fixture
def api_objects(dossier, exhibit, evidence_file, settings, tmp_path, admin):
    (tmp_path / "card").mkdir()
    (tmp_path / "card" / "a.txt").write_bytes(b"abc")
    settings.EVIDENCE_SOURCES = [tmp_path]
    grant_folder(dossier, "card", by=admin)  # the API ingests only folders granted to the dossier
    return {
        "dossier": [dossier.pk],
        "exhibit": [exhibit.pk],
        "job": [evidence_file.job_id],
        "file": [evidence_file.pk],
        "seal": 0,
    }


def test_each_person_gets_the_expected_answer_on_each_api_route(
    api_objects, outsider, prosecutor, colleague, admin, owner
):
    cache.clear()  # the throttle's counts
    people = {
        "anonymous": None,
        "outsider": outsider,
        "prosecutor": prosecutor,
        "colleague": colleague,
        "admin": admin,
        "owner": owner,
    }
    clients = {
        person: TokenClient(api_token_create(user=user, name="matrix")[1] if user else None)
        for person, user in people.items()
    }
    got, expected = {}, {}
    for row, (method, argument, body, statuses) in API_MATRIX.items():
        name = row.split(" ")[0]
        url = reverse(name, args=api_objects[argument] if argument else [])
        if name == "api:not_found":
            url = "/api/v1/nowhere/"
        for person, status in zip(PEOPLE, statuses, strict=True):
            client = clients[person]
            if method == "POST":
                data = body(api_objects) if callable(body) else body
                response = client.post(url, data)
            else:
                response = client.get(url)
            got[row, person] = response.status_code
            expected[row, person] = status
            if 400 <= response.status_code < 500:
                # Every refusal is JSON with a message, never an HTML page.
                assert "json" in response["Content-Type"], (row, person)
                assert response.json().get("detail"), (row, person)
    assert {key: value for key, value in got.items() if expected[key] != value} == {}


# The Django admin: staff with a session verified by a second factor (the admin here) only. Everyone
# else is sent to the admin's login, which sends on to the application's (302). Its changes are
# audited: tests/audit/test_admin_audit.py. Read-only models answer 403 to add and delete.

ADMIN_PAGES = ("changelist", "add", "change", "history", "delete")
# The answers of an admin's model pages, in the order of ADMIN_PAGES; everyone else gets 302.
READ_WRITE = (200, 200, 200, 200, 200)
READ_ONLY = (200, 403, 200, 200, 403)
READ_AND_DELETE = (200, 403, 200, 200, 200)
SENT_AWAY = (302, 302, 302, 302)  # anonymous, outsider, prosecutor, colleague (then admin, then owner)

#  model label: its answers to the admin on ADMIN_PAGES
ADMIN_MODELS = {
    "auth.group": READ_WRITE,
    "auth.user": READ_WRITE,
    # django-axes: its records are read and deleted (deleting an attempt lifts a lockout), never added.
    "axes.accessattempt": READ_AND_DELETE,
    "axes.accesslog": READ_AND_DELETE,
    "axes.accessfailurelog": READ_AND_DELETE,
    # The audit log is read on /audit/ only, with its need-to-know (tests/audit/test_event_labels.py).
    # Created, deleted and moved through the workflow in the application only (tests/cases/test_admin_memberships.py).
    "cases.dossier": READ_ONLY,
    "cases.membership": READ_WRITE,
    "hashing.hashlist": READ_WRITE,
    "hashing.categoryscheme": READ_WRITE,
}


def _model_rows() -> dict:
    rows = {}
    for label, answers in ADMIN_MODELS.items():
        app, model = label.split(".")
        for page, status in zip(ADMIN_PAGES, answers, strict=True):
            argument = "" if page in ("changelist", "add") else label
            rows[f"admin:{app}_{model}_{page}"] = (argument, (*SENT_AWAY, status, 302))
    return rows


#  name: ("argument", (status per person, in the order of PEOPLE))
ADMIN_MATRIX = {
    "admin:index": ("", (*SENT_AWAY, 200, 302)),
    # The admin has no login of its own: the application's (password, then second factor).
    "admin:login": ("", (302, 302, 302, 302, 302, 302)),
    "admin:logout": ("", (*SENT_AWAY, 405, 302)),  # POST only
    "admin:password_change": ("", (*SENT_AWAY, 200, 302)),
    "admin:password_change_done": ("", (*SENT_AWAY, 200, 302)),
    # Without its query (which model, which field) there is nothing to complete.
    "admin:autocomplete": ("", (*SENT_AWAY, 403, 302)),
    "admin:jsi18n": ("", (*SENT_AWAY, 200, 302)),
    # To the object's own page, where the page's own rules apply.
    "admin:view_on_site": ("view_on_site", (*SENT_AWAY, 302, 302)),
    "admin:app_list": ("app", (*SENT_AWAY, 200, 302)),
    "admin:auth_user_password_change": ("auth.user", (*SENT_AWAY, 200, 302)),
    **_model_rows(),
}


def test_every_admin_url_has_a_row():
    defined = set(_names(get_resolver().url_patterns, inside="admin"))
    assert defined - set(ADMIN_MATRIX) == set(), "add these admin URLs to ADMIN_MATRIX (or ADMIN_MODELS)"
    assert set(ADMIN_MATRIX) - defined == set(), "ADMIN_MATRIX names admin URLs that no longer exist"


@pytest.fixture
def admin_objects(dossier, colleague, admin):
    version = make_hash_list("Matrix list", ["0" * 32], by=admin)
    attempt = {"user_agent": "probe", "ip_address": "203.0.113.9", "username": "nobody", "http_accept": "*/*"}
    event = audit_record(actor=admin, action="matrix.probe")
    objects = {
        "auth.group": Group.objects.get(name="investigator"),
        "auth.user": colleague,
        "axes.accessattempt": AccessAttempt.objects.create(
            **attempt, path_info="/login/", get_data="", post_data="", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(**attempt, path_info="/login/"),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**attempt, path_info="/login/"),
        "audit.auditevent": event,
        "cases.dossier": dossier,
        "cases.membership": dossier.memberships.get(user=colleague),
        "hashing.hashlist": version.hash_list,
        "hashing.categoryscheme": CategoryScheme.objects.create(code="matrix", name="Matrix scheme"),
    }
    arguments = {label: [obj.pk] for label, obj in objects.items()}
    arguments["view_on_site"] = [ContentType.objects.get_for_model(dossier).pk, dossier.pk]
    arguments["app"] = ["cases"]
    return arguments


def test_each_person_gets_the_expected_answer_on_each_admin_url(
    client, admin_objects, outsider, prosecutor, colleague, admin, owner
):
    people = {
        "anonymous": None,
        "outsider": outsider,
        "prosecutor": prosecutor,
        "colleague": colleague,
        "admin": admin,
        "owner": owner,
    }
    got, expected = {}, {}
    for name, (argument, statuses) in ADMIN_MATRIX.items():
        url = reverse(name, args=admin_objects[argument] if argument else [])
        for person, status in zip(PEOPLE, statuses, strict=True):
            client.logout()
            if people[person] is not None:
                client.force_login(people[person])
            got[name, person] = client.get(url).status_code
            expected[name, person] = status
    assert {key: value for key, value in got.items() if expected[key] != value} == {}
