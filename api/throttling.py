"""DRF's throttles, keyed on the client's address as the audit log sees it.

DRF's own ``get_ident`` takes the whole ``X-Forwarded-For`` header when NUM_PROXIES is unset, so a
client could pick a new key on every request (and behind nginx, without the header, every anonymous
client would share 127.0.0.1's allowance). Authenticated requests are keyed on the user, as in DRF.
"""

from rest_framework import throttling

from config.proxies import client_address


class AddressMixin:
    def get_ident(self, request) -> str:
        return client_address(request) or ""


class UserRateThrottle(AddressMixin, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(AddressMixin, throttling.AnonRateThrottle):
    pass
