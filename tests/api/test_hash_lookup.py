import hashlib

from django.urls import reverse

from tests.factories import make_hash_list

URL = reverse("api:hash_lookup")


def digest(name: str, seed: int) -> str:
    return hashlib.new(name, str(seed).encode()).hexdigest()


def test_the_lookup_names_the_active_list_kind_and_category_of_each_known_hash(token_client, colleague, admin):
    make_hash_list("National list", [digest("sha256", 1), digest("md5", 2)], by=admin, category="1")
    make_hash_list("NSRL", [digest("sha1", 3)], by=admin, kind="ignorable", category="")
    response = token_client(colleague).post(
        URL, {"hashes": [digest("sha256", 1).upper(), digest("md5", 2), digest("sha1", 3), digest("sha256", 4)]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    found = {item["hash"]: item for item in body["found"]}
    assert set(found) == {digest("sha256", 1), digest("md5", 2), digest("sha1", 3)}
    assert found[digest("sha256", 1)]["matches"] == [{"list": "National list", "kind": "alert", "category": "1"}]
    assert found[digest("sha256", 1)]["algorithm"] == "sha256"
    assert found[digest("sha1", 3)]["matches"][0]["kind"] == "ignorable"


def test_exactly_ten_thousand_hashes_are_looked_up_in_one_query(
    token_client, colleague, admin, django_assert_max_num_queries
):
    make_hash_list("National list", [digest("sha256", 9_998)], by=admin)
    hashes = [digest(("md5", "sha1", "sha256")[seed % 3], seed) for seed in range(10_000)]
    client = token_client(colleague)
    # The token check, its last-used stamp, the user's role, the lookup itself (and savepoints).
    with django_assert_max_num_queries(8):
        response = client.post(URL, {"hashes": hashes})
    assert response.status_code == 200
    assert response.json()["count"] == 10_000
    assert [item["hash"] for item in response.json()["found"]] == [digest("sha256", 9_998)]


def test_more_than_ten_thousand_hashes_is_a_400_that_says_so(token_client, colleague):
    hashes = [digest("sha256", seed) for seed in range(10_001)]
    response = token_client(colleague).post(URL, {"hashes": hashes})
    assert response.status_code == 400
    assert "At most 10000 hashes per request" in response.json()["detail"]


def test_a_malformed_hash_is_a_400_naming_it(token_client, colleague):
    response = token_client(colleague).post(URL, {"hashes": [digest("md5", 1), "not-a-hash"]})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("hashes.1: Give an MD5")


def test_an_empty_or_missing_list_is_a_400(token_client, colleague):
    client = token_client(colleague)
    assert client.post(URL, {"hashes": []}).status_code == 400
    assert client.post(URL, {}).status_code == 400
