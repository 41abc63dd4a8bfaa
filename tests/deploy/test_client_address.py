"""The client's address: read from X-Forwarded-For only through TRUSTED_PROXIES, else the connection's."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from api.throttling import AnonRateThrottle
from audit.models import AuditEvent
from config.proxies import client_address, forwarded_client, trusted_networks
from tests.factories import PASSWORD
from tests.test_deployment_settings import manage

NGINX = trusted_networks(("127.0.0.1",))


def seen(remote_addr: str, forwarded_for: str = "", trusted=NGINX) -> str | None:
    address = forwarded_client(remote_addr, forwarded_for, trusted)
    return address.compressed if address is not None else None


def test_a_request_from_the_trusted_proxy_is_the_address_the_proxy_appended():
    assert seen("127.0.0.1", "198.51.100.7") == "198.51.100.7"
    assert seen("127.0.0.1") == "127.0.0.1"  # the proxy's own request (no header): the proxy


def test_a_request_from_anyone_else_keeps_its_own_address_whatever_it_sends():
    assert seen("198.51.100.7", "203.0.113.1") == "198.51.100.7"
    assert seen("127.0.0.9", "127.0.0.1") == "127.0.0.9"  # pretending to come through the proxy
    assert seen("127.0.0.1", "203.0.113.1") == "203.0.113.1"  # control: from the proxy it is read


def test_what_a_client_wrote_left_of_the_proxys_hop_is_never_read():
    assert seen("127.0.0.1", "203.0.113.1, 198.51.100.7") == "198.51.100.7"
    assert seen("127.0.0.1", "not an address, 198.51.100.7") == "198.51.100.7"
    assert seen("127.0.0.1", "127.0.0.1, 198.51.100.7") == "198.51.100.7"  # the client claims to be the proxy


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_hop():
    balancers = trusted_networks(("127.0.0.1", "10.1.0.0/16"))
    assert seen("127.0.0.1", "203.0.113.1, 198.51.100.7, 10.1.2.3", balancers) == "198.51.100.7"
    assert seen("127.0.0.1", "10.1.2.3", balancers) == "10.1.2.3"  # every hop trusted: the farthest
    assert seen("127.0.0.1", "198.51.100.7, 10.1.2.3", NGINX) == "10.1.2.3"  # control: untrusted balancer


def test_ipv6_and_networks():
    trusted = trusted_networks(("::1", "fd00:5ce1::/32", "192.0.2.0/24"))
    assert seen("::1", "2001:db8::7") == "::1"  # ::1 is not 127.0.0.1
    assert seen("::1", "2001:db8:0:0::7", trusted) == "2001:db8::7"  # in its normal form
    assert seen("fd00:5ce1:0:1::2", "[2001:db8::7]:4711", trusted) == "2001:db8::7"
    assert seen("192.0.2.200", "198.51.100.7:4711", trusted) == "198.51.100.7"
    assert seen("::ffff:192.0.2.9", "198.51.100.7", trusted) == "198.51.100.7"  # IPv4 on a dual-stack socket
    assert seen("::ffff:198.51.100.7", "203.0.113.1", trusted) == "198.51.100.7"
    assert seen("fd00:5ce2::1", "2001:db8::7", trusted) == "fd00:5ce2::1"  # just outside the network


@pytest.mark.parametrize(
    "header", ["garbage", "198.51.100.7,", " , ", "198.51.100.700", "[2001:db8::7", "198.51.100.7:port", "x" * 8000]
)
def test_a_header_the_proxy_should_not_have_written_leaves_the_proxys_address(header):
    assert seen("127.0.0.1", header) == "127.0.0.1"


def test_no_address_at_all_is_none_not_an_error():
    assert seen("") is None and seen("/run/gunicorn.sock", "198.51.100.7") is None
    assert seen("fe80::1%eth0") == "fe80::1"  # a zone index PostgreSQL's inet would refuse


def test_the_setting_decides_through_the_request(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_address(request) == "127.0.0.1"  # TRUSTED_PROXIES empty by default: no header read
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]
    assert client_address(request) == "198.51.100.7"


def test_the_anonymous_api_throttle_keys_on_the_client_address(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    throttle = AnonRateThrottle()
    through_proxy = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    direct = RequestFactory().get("/", REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert throttle.get_ident(through_proxy) == "198.51.100.7" and throttle.get_ident(direct) == "198.51.100.8"


def test_an_unreadable_header_at_login_is_the_proxys_address_and_never_a_500(client, owner, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for header in ("garbage", "\u00e9\u00e9, ,", "[::1"):
        response = client.post(
            reverse("login"), {"username": "owner", "password": "wrong"}, HTTP_X_FORWARDED_FOR=header
        )
        assert response.status_code == 200
    assert set(AuditEvent.objects.filter(action="login.failure").values_list("ip", flat=True)) == {"127.0.0.1"}
    response = client.post(  # control: a readable header is the address recorded
        reverse("login"), {"username": "owner", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="login.success").ip == "198.51.100.7"


def test_the_lockout_counts_the_forwarded_address_from_a_trusted_proxy(client, owner, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]

    def attempt(password, address):
        data = {"username": "owner", "password": password}
        return client.post(reverse("login"), data, HTTP_X_FORWARDED_FOR=address).status_code

    assert [attempt("wrong", "198.51.100.9") for _ in range(5)] == [200] * 4 + [429]
    assert attempt(PASSWORD, "198.51.100.9") == 429
    assert attempt(PASSWORD, "198.51.100.5") == 302  # control: another client behind the same proxy


def test_metrics_asked_through_the_proxy_are_refused_to_an_outside_client(client, settings, db):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    refused = client.get(reverse("metrics"), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert refused.status_code == 403
    assert client.get(reverse("metrics"), REMOTE_ADDR="127.0.0.1").status_code == 200  # control: the local scraper


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start():
    refused = manage("check", TRUSTED_PROXIES="127.0.0.1,nginx.local")
    assert refused.returncode != 0 and "TRUSTED_PROXIES: 'nginx.local' is not an address" in refused.stderr
    control = manage("check", TRUSTED_PROXIES="127.0.0.1, 10.1.0.0/16, ::1")
    assert control.returncode == 0, control.stderr
