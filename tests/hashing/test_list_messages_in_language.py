"""A malformed line of a hash list, and a list that fails as a whole, are explained in the admin's
language; an old version's English sentence still shows as stored (issue 19, "Robustness")."""

import hashlib
import io

from django.urls import reverse
from django.utils.html import escape

from hashing.importers import hash_list_version_import
from hashing.models import HashListVersion
from hashing.services import hash_list_version_create
from tests.languages import _language_back_to_default, page_in  # noqa: F401 - an autouse fixture

MD5S = [hashlib.md5(str(n).encode()).hexdigest() for n in range(3)]


def imported(admin, content: bytes) -> HashListVersion:
    version = hash_list_version_create(
        name="National list",
        kind="alert",
        default_category="1",
        stream=io.BytesIO(content),
        file_name="list.txt",
        by=admin,
    )
    return hash_list_version_import(version=version)


def list_page_in(client, language: str, version: HashListVersion) -> str:
    return page_in(client, language, reverse("hashlist_detail", args=[version.hash_list_id]))


def test_a_malformed_line_is_explained_in_french_and_dutch(client, admin):
    version = imported(admin, ("\n".join(MD5S) + "\nnot-a-hash\n" + "ab" * 20 + "cd\n").encode())
    assert (version.status, version.malformed) == ("ready", 2)
    assert version.malformed_sample[0] == [4, {"code": "list.not_hex", "params": {}}]
    client.force_login(admin)
    french, dutch, english = (list_page_in(client, language, version) for language in ("fr", "nl-be", "en"))
    assert "pas un hash hexadécimal" in french and escape("42 chiffres hexadécimaux : ni MD5 (32)") in french
    assert "geen hexadecimale hash" in dutch and "42 hexadecimale cijfers: geen MD5 (32)" in dutch
    assert "not a hexadecimal hash" in english and "not a hexadecimal hash" not in french + dutch  # control


def test_a_list_that_fails_as_a_whole_says_why_in_the_readers_language(client, admin):
    version = imported(admin, b"# only a comment\n")
    assert version.status == "failed" and version.error == {"code": "list.no_hash_found", "params": {}}
    client.force_login(admin)
    assert "aucun hash trouvé dans le fichier" in list_page_in(client, "fr", version)
    assert "geen hash gevonden in het bestand" in list_page_in(client, "nl-be", version)
    assert "no hash found in the file" in list_page_in(client, "en", version)


def test_an_old_version_keeps_showing_its_english_sentences(client, admin):
    version = imported(admin, ("\n".join(MD5S) + "\n").encode())
    HashListVersion.objects.filter(pk=version.pk).update(
        error="disk full while importing", malformed_sample=[[7, "not a hexadecimal hash (old row)"]]
    )
    client.force_login(admin)
    page = list_page_in(client, "fr", version)
    assert "disk full while importing" in page and "not a hexadecimal hash (old row)" in page
