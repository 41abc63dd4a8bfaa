import pytest
from django.core.cache import cache
from django.test import Client

from api.services import api_token_create


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The throttle counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


class TokenClient(Client):
    """A client that speaks to the API with a personal token (JSON in, JSON out), no cookie."""

    def __init__(self, key: str | None = None):
        super().__init__(enforce_csrf_checks=True)
        self.key = key

    def generic(self, method, path, data="", content_type="application/json", secure=False, **extra):
        if self.key:
            extra.setdefault("HTTP_AUTHORIZATION", f"Token {self.key}")
        return super().generic(method, path, data, content_type, secure=secure, **extra)

    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data or {}, content_type=content_type, **extra)


@pytest.fixture
def token_client():
    """token_client(user) -> a client with a fresh token of ``user`` (None: no token at all)."""

    def make(user=None):
        if user is None:
            return TokenClient()
        return TokenClient(api_token_create(user=user, name="test")[1])

    return make
