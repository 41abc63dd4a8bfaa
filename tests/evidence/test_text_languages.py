"""An exhibit's texts in several languages: each part searched in the language detected in it
("auto", the default), unless the exhibit chose one for all its texts."""

import pytest
from django.conf import settings
from django.urls import reverse

from evidence.models import FileText
from evidence.search.selectors import file_texts_search
from tests.evidence.test_content_search_access import stored_document
from tests.languages import _language_back_to_default, page_in  # noqa: F401 - the fixture applies here

FRENCH = "Le suspect a été vu devant la maison de la rue Haute. Les enquêteurs mangeaient quand il est sorti."
DUTCH = "De verdachte werd gezien bij de woning in de Hoogstraat. De speurders werkten de hele nacht door."
ENGLISH = "The suspect was seen at the house in High Street. The investigators were running after him."


@pytest.fixture
def documents(exhibit, owner):
    return {
        "french": stored_document(exhibit, owner, "SC-1/pv.txt", FRENCH),
        "dutch": stored_document(exhibit, owner, "SC-1/verslag.txt", DUTCH),
        "english": stored_document(exhibit, owner, "SC-1/report.txt", ENGLISH),
        "short": stored_document(exhibit, owner, "SC-1/note.txt", "ok 12"),
    }


def found(user, dossier, query: str) -> set[str]:
    return {text.file.path for text in file_texts_search(user, dossier, query) if text.kind == "content"}


def language_of(record) -> tuple[str, str]:
    part = FileText.objects.get(file=record, kind=FileText.Kind.CONTENT)
    return part.language, part.detected_language


def test_each_document_gets_the_language_detected_in_it(exhibit, documents):
    assert exhibit.text_language == ""  # the installation's default: "auto"
    assert language_of(documents["french"]) == ("french", "french")
    assert language_of(documents["dutch"]) == ("dutch", "dutch")
    assert language_of(documents["english"]) == ("english", "english")
    assert language_of(documents["short"]) == ("simple", "simple")  # too short to tell
    # a file name is no sentence: searched as written
    assert FileText.objects.get(file=documents["french"], kind=FileText.Kind.NAME).language == "simple"


def test_words_as_written_are_found_in_every_language_of_the_dossier(owner, dossier, documents):
    """On SQLite (FTS5, no stems) as on PostgreSQL: the languages only add the words' other forms."""
    assert found(owner, dossier, "maison") == {"SC-1/pv.txt"}
    assert found(owner, dossier, "woning") == {"SC-1/verslag.txt"}
    assert found(owner, dossier, "house") == {"SC-1/report.txt"}
    assert found(owner, dossier, "suspect") == {"SC-1/pv.txt", "SC-1/report.txt"}


@pytest.mark.postgresql("stems: PostgreSQL's text search configurations (SQLite's FTS5 matches words as written)")
def test_each_document_is_found_by_the_other_forms_of_its_own_words(owner, dossier, documents):
    assert found(owner, dossier, "maisons") == {"SC-1/pv.txt"}  # French plural
    assert found(owner, dossier, "manger") == {"SC-1/pv.txt"}  # "mangeaient"
    assert found(owner, dossier, "woningen") == {"SC-1/verslag.txt"}  # Dutch plural
    assert found(owner, dossier, "verdachten") == {"SC-1/verslag.txt"}  # "verdachte"
    assert found(owner, dossier, "runs") == {"SC-1/report.txt"}  # "running"
    assert found(owner, dossier, "maisons woningen") == set()  # no document holds both


@pytest.mark.postgresql("stems: PostgreSQL's text search configurations (SQLite's FTS5 matches words as written)")
def test_the_exhibits_own_choice_wins_over_detection_and_auto_brings_it_back(client, owner, dossier, documents):
    url = reverse("exhibit_text_language", args=[documents["french"].exhibit_id])
    client.force_login(owner)
    assert client.post(url, {"language": "simple"}).status_code == 302
    assert found(owner, dossier, "maisons") == set()
    assert found(owner, dossier, "maison") == {"SC-1/pv.txt"}  # control: as written
    assert language_of(documents["dutch"]) == ("simple", "dutch")  # what was detected is kept
    assert client.post(url, {"language": "auto"}).status_code == 302
    assert found(owner, dossier, "maisons") == {"SC-1/pv.txt"}
    assert found(owner, dossier, "woningen") == {"SC-1/verslag.txt"}
    assert FileText.objects.get(file=documents["french"], kind=FileText.Kind.NAME).language == "simple"


def test_an_unknown_language_is_refused(client, owner, exhibit, documents):
    url = reverse("exhibit_text_language", args=[exhibit.pk])
    client.force_login(owner)
    client.post(url, {"language": "klingon"})
    exhibit.refresh_from_db()
    assert exhibit.text_language == ""
    client.post(url, {"language": "dutch"})  # control
    exhibit.refresh_from_db()
    assert exhibit.text_language == "dutch"
    assert language_of(documents["french"]) == ("dutch", "french")


def test_a_part_indexed_before_detection_keeps_its_language_under_auto(client, owner, exhibit, documents):
    FileText.objects.filter(file=documents["french"]).update(language="french", detected_language="")
    exhibit.text_language = "english"
    exhibit.save(update_fields=["text_language"])
    client.force_login(owner)
    client.post(reverse("exhibit_text_language", args=[exhibit.pk]), {"language": "auto"})
    assert language_of(documents["french"]) == ("french", "")
    assert language_of(documents["dutch"]) == ("dutch", "dutch")  # control: detected, so taken


def test_the_file_page_says_which_language_its_text_is_searched_in(client, owner, documents):
    client.force_login(owner)
    page = client.get(documents["dutch"].get_absolute_url()).content.decode()
    assert 'data-testid="text-language"' in page and "Dutch" in page and "detected in the text" in page
    assert "(détectée dans le texte)" in page_in(client, "fr", documents["dutch"].get_absolute_url())
    assert "(herkend in de tekst)" in page_in(client, "nl-be", documents["dutch"].get_absolute_url())
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    FileText.objects.filter(file=documents["english"]).update(language="french")  # the exhibit's choice
    page = client.get(documents["english"].get_absolute_url()).content.decode()
    assert "French" in page and "detected in the text" not in page


def test_the_language_choice_says_what_the_installations_default_is(client, owner, dossier, exhibit, settings):
    client.force_login(owner)
    page = client.get(reverse("dossier_text_search", args=[dossier.pk])).content.decode()
    assert "The installation&#x27;s default: Detected in each file" in page
    settings.TEXT_LANGUAGE = "french"
    page = client.get(reverse("dossier_text_search", args=[dossier.pk])).content.decode()
    assert "The installation&#x27;s default: French" in page


@pytest.mark.postgresql("each language's GIN index: SQLite keeps one FTS5 table")
def test_each_language_is_searched_through_its_own_index(owner, dossier, documents):
    """A query written in one language's rules reads that language's parts alone: "duing*" is
    "du:*" in English, and with one index over all parts every French and Dutch part holding a word
    in "du" was read and dropped (1.7 s at 300,000 parts). Each language has its own index (migration
    0034), so adding a language without one fails here, and each branch of a search takes its own."""
    from django.db import connection

    from evidence.models.texts import LANGUAGES
    from evidence.search.selectors import texts_matching

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'evidence_filetext'")
        over_search = [row[0] for row in cursor.fetchall() if "(search)" in row[0]]
        assert sorted(over_search) == sorted(
            f"CREATE INDEX file_text_search_{name} ON public.evidence_filetext USING gin (search)"
            f" WHERE ((language)::text = '{name}'::text)"
            for name in LANGUAGES
        )
        sql, params = texts_matching(FileText.objects.all(), "investig*").query.sql_with_params()
        # A handful of rows: the planner would read them all, by the table or another index.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    scanned = [line.split(" on ")[1].split()[0] for line in plan.splitlines() if "Bitmap Index Scan" in line]
    assert sorted(name for name in scanned if name.startswith("file_text_search")) == (
        sorted(f"file_text_search_{name}" for name in LANGUAGES)
    )
    # control: the prefix still finds its words in their own language
    assert found(owner, dossier, "investig*") == {"SC-1/report.txt"}
    assert found(owner, dossier, "verdach*") == {"SC-1/verslag.txt"}
