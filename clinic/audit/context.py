"""Who is asking and from where, for the duration of one request.

The middleware fills this in, so that services record the IP address of the action without every
service having to take the request.
"""

from __future__ import annotations

import contextvars
import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""


_NO_REQUEST = RequestContext()
_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "clinic_audit_request_context", default=_NO_REQUEST
)


def get_request_context() -> RequestContext:
    return _current.get()


def set_request_context(context: RequestContext) -> contextvars.Token:
    return _current.set(context)


def reset_request_context(token: contextvars.Token) -> None:
    _current.reset(token)


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _trusted_networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    # The settings module already refused a malformed entry at start-up.
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def client_ip(request) -> str | None:
    """The address of the client: REMOTE_ADDR, unless REMOTE_ADDR is one of
    CLINIC_TRUSTED_PROXIES; then the X-Forwarded-For entry nearest to the client that no trusted
    proxy wrote.

    Each proxy appends the address it received the connection from, so the header reads
    "client, proxy1, proxy2" and only the entries appended by trusted proxies can be believed: the
    client can write anything to the left of them. Walking right to left and skipping trusted
    hops finds the first address a trusted proxy saw; a malformed entry ends the walk (a trusted
    proxy never writes one, so it is the client's) and the last believable address stands.
    Sign-in lock-outs (django-axes, AXES_CLIENT_IP_CALLABLE), the public rate limits and the
    audit log all call this, so they agree on who the client is.
    https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/X-Forwarded-For
    """
    remote = _parse_ip(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    trusted = _trusted_networks(tuple(settings.CLINIC_TRUSTED_PROXIES))

    def is_trusted(address) -> bool:
        return any(address in network for network in trusted)

    if not is_trusted(remote):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = remote
    for entry in reversed(forwarded.split(",") if forwarded else []):
        hop = _parse_ip(entry)
        if hop is None:
            break
        client = hop
        if not is_trusted(hop):
            break
    return str(client)


def context_from_request(request) -> RequestContext:
    return RequestContext(
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


# Whether a refusal (an audit row with an outcome other than success) was written during the
# current request. The refusal middleware reads it so that a refusal a service or selector already
# audited, with its own event type and target, is not written a second time. record_audit_event,
# the one way into the trail, sets it, so that every caller is covered without having to say so.
_refusal_audited: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "clinic_audit_refusal_audited", default=None
)


def start_refusal_tracking() -> contextvars.Token:
    return _refusal_audited.set([False])


def stop_refusal_tracking(token: contextvars.Token) -> None:
    _refusal_audited.reset(token)


def note_refusal_audited() -> None:
    holder = _refusal_audited.get()
    if holder is not None:
        holder[0] = True


def refusal_audited() -> bool:
    holder = _refusal_audited.get()
    return bool(holder and holder[0])
