"""Who is asking and from where, for the duration of one request.

The middleware fills this in, so that services record the IP address of the action without every
service having to take the request.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


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


def context_from_request(request) -> RequestContext:
    return RequestContext(
        ip_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
