"""Errors that carry a message a person understands; views show it, the API returns it as 4xx."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404


class ClinicError(Exception):
    """Base of every refused action. `field` names the form field the message belongs to."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDeniedError(ClinicError, PermissionDenied):
    """The actor's role does not allow this action. Also Django's PermissionDenied: left uncaught
    in a view, it is answered by the 403 page with its message (and the API answers 403)."""

    status_code = 403


class NotFoundError(ClinicError, Http404):
    """The record does not exist, or the viewer may not know that it does. Also Django's Http404:
    left uncaught in a view, it is answered by the 404 page with its message (and the API
    answers 404)."""

    status_code = 404


class InvalidTransitionError(ClinicError):
    """The record's current status does not allow this step."""

    status_code = 409


class RateLimitedError(ClinicError):
    status_code = 429


class LockedOutError(ClinicError):
    """Too many wrong passwords or codes for this account from this address (django-axes)."""

    status_code = 429
