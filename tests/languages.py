"""Pages read in a given language (the language cookie), for the tests of translated messages."""

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _language_back_to_default():
    """A request activates its reader's language in this thread: later tests read LANGUAGE_CODE.
    Imported by a test module, it applies to that module's tests."""
    yield
    translation.deactivate()


def page_in(client, language: str, url: str) -> str:
    """The page at ``url`` as a reader of ``language`` gets it (200 expected)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()
