"""The client's address, as the audit log, the login lockout and the API throttle see it.

Behind nginx every request reaches gunicorn from nginx's own address, so ``REMOTE_ADDR`` alone would
record every event at 127.0.0.1 and key every lockout on it. The client's address is read from
``X-Forwarded-For`` instead, but only as far as the hops that added to it are ``TRUSTED_PROXIES``:
walking the header from its right-most entry (the one the proxy nearest to us wrote), each hop is
believed only while the one that wrote it is trusted, and the first untrusted address met is the
client. Whatever a client writes in the header itself lies to the left of that, so it is never read;
and a request that does not come from a trusted proxy (someone reaching gunicorn directly) keeps its
``REMOTE_ADDR`` whatever headers it sends.

``X-Real-IP`` is not read. Every address returned is a valid IP address in its normal form (an
IPv4-mapped IPv6 address as IPv4), or None when even ``REMOTE_ADDR`` is none (a Unix socket).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request) -> str | None:
    """The address of the client that sent ``request`` (an HttpRequest or DRF Request), as text."""
    address = forwarded_client(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_networks(tuple(settings.TRUSTED_PROXIES)),
    )
    return address.compressed if address is not None else None


def forwarded_client(remote_addr: str, forwarded_for: str, trusted: tuple[Network, ...]) -> Address | None:
    """The right-most address of ``forwarded_for`` not written by a trusted proxy, if ``remote_addr`` is one.

    A hop that is not an address (garbage, an empty entry), met before the client is found, makes
    the whole header unreadable: the answer is then ``remote_addr``, never a guess.
    """
    peer = parse_address(remote_addr)
    if peer is None or not _is_trusted(peer, trusted):
        return peer
    current = peer
    for hop in reversed(forwarded_for.split(",") if forwarded_for.strip() else []):
        if not _is_trusted(current, trusted):
            break
        current = parse_address(hop)
        if current is None:
            return peer
    return current


def parse_address(text: str) -> Address | None:
    """An address written as proxies write them (``192.0.2.1``, ``2001:db8::1``, ``[2001:db8::1]``,
    ``192.0.2.1:4711``, ``[2001:db8::1]:4711``), or None. A zone index (``%eth0``) is dropped:
    PostgreSQL's ``inet`` takes none."""
    text = text.strip()
    if text.startswith("["):
        text, bracket, port = text[1:].partition("]")
        if not bracket or (port and not (port.startswith(":") and port[1:].isdigit())):
            return None
    elif text.count(":") == 1:  # IPv4 with a port; IPv6 has two colons at least
        text, _, port = text.partition(":")
        if not port.isdigit():
            return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id:
            return ipaddress.IPv6Address(int(address))
    return address


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` as networks (a bare address is a network of one). Settings checked them at start."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _is_trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)
