"""Who finds what in a dossier's texts: its investigating members only, with the search syntax."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from evidence.search.selectors import file_texts_search, snippets_for
from evidence.search.store import file_texts_save
from tests.factories import make_exhibit
from tests.languages import _language_back_to_default, page_in  # noqa: F401 - the fixture applies here
from texts.query import QueryRefused
from texts.sink import Extracted


def stored_document(exhibit, owner, path: str, text: str) -> EvidenceFile:
    job = IngestJob.objects.create(exhibit=exhibit, source_label="test", created_by=owner, status="done")
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    record = EvidenceFile.objects.create(
        exhibit=exhibit, job=job, batch=batch, path=path, source_path="/nonexistent", mime="text/plain", triage="other"
    )
    record.extracted_text = Extracted(text)
    file_texts_save([record])
    return record


@pytest.fixture
def documents(exhibit, owner):
    return {
        "chat": stored_document(exhibit, owner, "SC-1/chat.txt", "Rendez-vous avec darkfalcon rue de la Loi à Liège."),
        "notes": stored_document(exhibit, owner, "SC-1/notes.txt", "darkfalcon test wallet bc1qexample"),
    }


def found(user, dossier, query: str) -> set[str]:
    return {text.file.path for text in file_texts_search(user, dossier, query)}


def test_words_phrases_prefixes_and_nots_are_found_by_the_team(owner, colleague, dossier, documents):
    assert found(colleague, dossier, "darkfalcon") == {"SC-1/chat.txt", "SC-1/notes.txt"}
    assert found(owner, dossier, '"rue de la loi"') == {"SC-1/chat.txt"}
    assert found(owner, dossier, "dark*") == {"SC-1/chat.txt", "SC-1/notes.txt"}
    assert found(owner, dossier, "darkfalcon -wallet") == {"SC-1/chat.txt"}
    assert found(owner, dossier, "liege") == {"SC-1/chat.txt"}  # accents ignored
    assert found(owner, dossier, "notes") == {"SC-1/notes.txt"}  # its name
    assert found(owner, dossier, "OTES.t") == {"SC-1/notes.txt"}  # part of a name, as typed
    assert found(owner, dossier, "1/chat") == {"SC-1/chat.txt"}
    hits = list(file_texts_search(owner, dossier, "darkfalcon"))
    snippets_for(hits, "darkfalcon")
    assert all("<mark>darkfalcon</mark>" in hit.snippet for hit in hits)


def test_a_prosecutor_and_an_outsider_find_nothing(owner, prosecutor, outsider, dossier, other_dossier, documents):
    assert found(prosecutor, dossier, "darkfalcon") == set()
    assert found(outsider, dossier, "darkfalcon") == set()
    assert found(owner, dossier, "darkfalcon")  # control
    # the outsider's own dossier holds the same word: they find theirs, never this one's
    stored_document(make_exhibit(other_dossier, by=outsider), outsider, "X/other.txt", "darkfalcon elsewhere")
    assert found(outsider, other_dossier, "darkfalcon") == {"X/other.txt"}
    assert found(owner, dossier, "elsewhere") == set()


def test_text_is_escaped_in_snippets(owner, dossier, exhibit):
    stored_document(exhibit, owner, "SC-1/page.txt", "<script>alert(1)</script> darkfalcon")
    stored_document(exhibit, owner, "SC-1/sum.txt", "nightowl says 5 < 6 && 7 > 2 <b>bold</b>")
    hits = list(file_texts_search(owner, dossier, "darkfalcon OR nightowl"))
    snippets_for(hits, "darkfalcon OR nightowl")
    snippets = {hit.file.path: str(hit.snippet) for hit in hits}
    assert "<script>" not in snippets["SC-1/page.txt"] and "<mark>darkfalcon</mark>" in snippets["SC-1/page.txt"]
    unmarked = snippets["SC-1/sum.txt"].replace("<mark>nightowl</mark>", "")
    assert "nightowl" not in unmarked and "<" not in unmarked and "&lt;" in unmarked


def test_a_malformed_query_is_refused(owner, dossier, documents):
    with pytest.raises(QueryRefused):
        file_texts_search(owner, dossier, '"darkfalcon')


def test_the_search_page_reads_in_french_and_dutch(client, owner, dossier, documents):
    client.force_login(owner)
    url = reverse("dossier_text_search", args=[dossier.pk])
    french = page_in(client, "fr", f"{url}?q=darkfalcon&kind=content")
    assert "Rechercher dans les fichiers" in french and "2 résultats" in french
    dutch = page_in(client, "nl-be", f'{url}?q="darkfalcon')
    assert "Een aanhalingsteken is niet gesloten" in dutch


@pytest.mark.postgresql("stems: PostgreSQL's text search configurations (SQLite's FTS5 matches words as written)")
def test_an_exhibit_searched_in_french_finds_words_in_all_their_forms(
    client, owner, prosecutor, dossier, exhibit, settings
):
    settings.TEXT_LANGUAGE = "simple"  # an installation that searches words as written
    stored_document(exhibit, owner, "SC-1/menu.txt", "Ils mangeaient près de la gare")
    assert found(owner, dossier, "manger") == set()
    url = reverse("exhibit_text_language", args=[exhibit.pk])
    client.force_login(prosecutor)
    assert client.post(url, {"language": "french"}).status_code == 403
    client.force_login(owner)  # control
    assert client.post(url, {"language": "french"}).status_code == 302
    assert found(owner, dossier, "manger") == {"SC-1/menu.txt"}
    assert found(owner, dossier, "pres") == {"SC-1/menu.txt"}  # accents still ignored
    assert AuditEvent.objects.filter(action="exhibit.text_language", target_id=str(exhibit.pk)).exists()


def test_a_word_found_in_too_many_parts_is_listed_in_file_order_and_said_so(client, owner, dossier, exhibit, settings):
    """Ranking reads every matching part's words: past TEXT_RANK_MAX parts, the tab lists them in file
    order and asks for more words; a rarer word is still ranked best first (the control)."""
    stored_document(exhibit, owner, "SC-1/a.txt", "falcon")
    stored_document(exhibit, owner, "SC-1/b.txt", "falcon falcon falcon owl")
    stored_document(exhibit, owner, "SC-1/c.txt", "falcon owl owl owl")
    settings.TEXT_RANK_MAX = 2
    client.force_login(owner)
    url = reverse("dossier_text_search", args=[dossier.pk])

    page = client.get(url, {"q": "falcon", "kind": "content"}).content.decode()
    assert 'data-testid="hits-unranked"' in page and 'data-testid="hit-count"' not in page
    assert page.index("SC-1/a.txt") < page.index("SC-1/b.txt") < page.index("SC-1/c.txt")  # file order
    assert page.count("<mark>falcon</mark>") >= 3  # each with its snippet
    settings.PAGE_SIZE = 2  # a page at a time, in the same order
    first = client.get(url, {"q": "falcon", "kind": "content"}).content.decode()
    second = client.get(url, {"q": "falcon", "kind": "content", "page": 2}).content.decode()
    assert "SC-1/a.txt" in first and "SC-1/b.txt" in first and "SC-1/c.txt" not in first
    assert "SC-1/c.txt" in second and "SC-1/a.txt" not in second and "SC-1/b.txt" not in second
    settings.PAGE_SIZE = 25

    page = client.get(url, {"q": "owl", "kind": "content"}).content.decode()
    assert 'data-testid="hits-unranked"' not in page and 'data-testid="hit-count"' in page
    assert page.index("SC-1/c.txt") < page.index("SC-1/b.txt") and "SC-1/a.txt" not in page  # best first
