from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse


def test_the_documentation_page_is_for_logged_in_people_and_keeps_the_strict_csp(client, colleague):
    assert Client().get(reverse("api:docs")).status_code == 302
    client.force_login(colleague)
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page = response.content.decode()
    assert "<script>" not in page  # every script is a file of this site
    for asset in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "js/api-docs.js",
    ):
        assert f"/static/{asset}" in page
        assert finders.find(asset), asset  # served locally: air-gapped, no CDN
    assert "http://" not in page and "https://" not in page


def test_a_logged_in_person_reads_the_schema_with_the_session(client, colleague):
    """The documentation page fetches the schema with its cookie; the data routes still want a token."""
    client.force_login(colleague)
    assert client.get(reverse("api:schema")).status_code == 200
    assert client.get(reverse("api:dossier_list")).status_code == 401
