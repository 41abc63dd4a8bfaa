"""One table: every URL the project defines x every kind of person, and the answer each gets.

A URL added without a row here fails `test_every_url_has_a_row`. Outsiders get 404 (the dossier's
existence stays hidden), read-only members 403 on what they may not do, anonymous users the login
page. Every row has people who get 200: the refusals cannot pass for the wrong reason.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import make_hash_list

PEOPLE = ("anonymous", "outsider", "prosecutor", "colleague", "admin")
# Django's own sites, checked by their own rows below, not URL by URL.
NOT_OURS = {"admin", "set_language"}


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from _names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name


#  name: (arguments, {person: status})
MATRIX = {
    "home": ("", (302, 200, 200, 200, 200)),
    "login": ("", (200, 302, 302, 302, 302)),
    "logout": ("", (405, 405, 405, 405, 405)),  # POST only
    # Verified sessions are sent on; the unverified states are in tests/accounts/test_two_factor.py.
    "second_factor": ("", (302, 302, 302, 302, 302)),
    "two_factor_setup": ("", (302, 302, 302, 302, 302)),
    "two_factor_qr": ("", (302, 404, 404, 404, 404)),
    "dossier_new": ("", (302, 200, 403, 200, 403)),
    "dossier_detail": ("dossier", (302, 404, 200, 200, 404)),
    "exhibit_new": ("dossier", (302, 404, 403, 200, 404)),
    "exhibit_detail": ("exhibit", (302, 404, 200, 200, 404)),
    "exhibit_ingest": ("exhibit", (302, 404, 403, 200, 404)),
    "exhibit_ingest_server": ("exhibit", (302, 404, 403, 200, 404)),
    "job_progress": ("job", (302, 404, 200, 200, 404)),
    "job_cancel": ("job", (302, 405, 405, 405, 405)),  # POST only; refusals in test_server_sources
    "file_detail": ("file", (302, 404, 403, 200, 404)),
    # 404 for the colleague too: this file has no thumbnail (tests/evidence/test_thumbnails.py has one).
    "file_thumbnail": ("file", (302, 404, 403, 404, 404)),
    "hashlist_index": ("", (302, 403, 403, 403, 200)),
    "hashlist_import": ("", (302, 403, 403, 403, 200)),
    "hashlist_detail": ("hash_list", (302, 403, 403, 403, 200)),
    "version_progress": ("version", (302, 403, 403, 403, 200)),
    "audit_log": ("", (302, 403, 403, 403, 200)),
    "admin:index": ("", (302, 302, 302, 302, 200)),
}


def test_every_url_has_a_row():
    defined = set(_names(get_resolver().url_patterns)) - NOT_OURS
    assert defined - set(MATRIX) == set(), "add these URLs to MATRIX"
    assert set(MATRIX) - defined - {"admin:index"} == set(), "MATRIX names URLs that no longer exist"


@pytest.fixture
def objects(dossier, exhibit, evidence_file, admin):
    version = make_hash_list("Matrix list", ["0" * 32], by=admin)
    return {
        "dossier": dossier.pk,
        "exhibit": exhibit.pk,
        "job": evidence_file.job_id,
        "file": evidence_file.pk,
        "hash_list": version.hash_list_id,
        "version": version.pk,
    }


def test_each_person_gets_the_expected_answer_on_each_url(
    client, objects, outsider, prosecutor, colleague, admin, settings, tmp_path
):
    settings.EVIDENCE_SOURCES = [tmp_path]
    people = {"anonymous": None, "outsider": outsider, "prosecutor": prosecutor, "colleague": colleague, "admin": admin}
    got, expected = {}, {}
    for name, (argument, statuses) in MATRIX.items():
        url = reverse(name, args=[objects[argument]] if argument else [])
        for person, status in zip(PEOPLE, statuses, strict=True):
            client.logout()
            if people[person] is not None:
                client.force_login(people[person])
            got[name, person] = client.get(url).status_code
            expected[name, person] = status
    assert got == expected
