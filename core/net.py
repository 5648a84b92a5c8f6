"""The client's address: one definition, used by the audit log, the login lockout (axes), the
API token lockout and every rate limit.

``REMOTE_ADDR`` is the peer that opened the connection. Behind a reverse proxy that is the
proxy, so every user would share one address (and one lockout). The proxy's
``X-Forwarded-For`` header names the client, but anyone can send that header: it is read only
when the peer is one of ``TRUSTED_PROXIES`` (addresses or networks, empty by default), and then
from the right, skipping the trusted proxies, so a client cannot name an address of its choice
by sending the header itself.
"""

import functools
import ipaddress

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


@functools.cache
def _trusted_networks() -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in settings.TRUSTED_PROXIES)


@receiver(setting_changed)
def _forget_trusted(setting, **kwargs):
    if setting == "TRUSTED_PROXIES":
        _trusted_networks.cache_clear()


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[::1]:1234"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "1.2.3.4:1234"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address) -> bool:
    return address is not None and any(address in network for network in _trusted_networks())


def client_ip(request) -> str | None:
    """The address of the client that sent ``request`` (a Django or DRF request), or None."""
    if request is None:
        return None
    meta = request.META
    peer = _address(meta.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    if not _trusted(peer):
        return str(peer)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    client = peer
    for item in reversed(forwarded.split(",")):
        hop = _address(item)
        if hop is None:
            break  # garbage in the header: stop at the last address we could trust
        client = hop
        if not _trusted(hop):
            break
    return str(client)
