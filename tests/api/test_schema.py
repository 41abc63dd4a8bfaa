"""The OpenAPI schema generates cleanly, serves, and the API keeps to it under generated requests."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from api.services import api_token_create


def test_the_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns any drf-spectacular warning (an unresolved serializer, a name clash) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/hashes/lookup/" in (tmp_path / "schema.yaml").read_text()


def test_the_schema_is_served_to_a_token_and_lists_every_route(token_client, colleague):
    response = token_client(colleague).get(reverse("api:schema"))
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/dossiers/", "/api/v1/exhibits/{id}/hashes/", "/api/v1/jobs/{id}/"} <= set(paths)
    assert response.json()["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"


@pytest.mark.django_db(transaction=True)
def test_generated_get_requests_never_meet_a_server_error(live_server, colleague, evidence_file):
    """schemathesis over every GET operation, with a colleague's token, a few examples each."""
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    key = api_token_create(user=colleague, name="schemathesis")[1]
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}{reverse('api:schema')}", headers=headers).include(
        method="GET"
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True
        )
        def check(case):
            case.call_and_validate(
                base_url=live_server.url,
                headers=headers,
                checks=[not_a_server_error, response_schema_conformance],
            )

        check()
