import pytest

from tests.conftest import VerifiedClient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_renders_under_the_csp(live_server, page, screenshot, colleague):
    client = VerifiedClient()
    client.force_login(colleague)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=30_000)
    screenshot("api-docs")
    assert page.locator(".opblock").count() >= 12
    assert [problem for problem in problems if "Content Security Policy" in problem] == []
