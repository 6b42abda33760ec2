"""Text messages (SMS): one function to send, backends chosen by a setting, as Django's e-mail.

`SMS_BACKEND` names the backend class:

- `clinic.core.sms.ConsoleBackend` (the default): writes each message to the log, sends nothing.
- `clinic.core.sms.MemoryBackend`: keeps each message in `clinic.core.sms.outbox` (tests).
- `clinic.core.sms.TwilioBackend`: Twilio's Programmable Messaging REST API (one HTTPS POST per
  message to /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP Basic auth with the account SID
  and auth token). `TWILIO_API_BASE_URL` lets tests point it at a local server.

A message carries no health information: callers send notices ("a reply is waiting", "you have an
appointment") and the portal shows the rest after sign-in. Numbers are E.164 (`+15551234567`).

Inbound messages (a patient texting STOP) come back to a webhook; `twilio_signature()` computes the
`X-Twilio-Signature` the provider sends (HMAC-SHA1 of the webhook's full URL followed by every POST
parameter's name and value sorted by name, keyed with the auth token, base64), so the webhook
accepts only requests signed with the clinic's token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Words a carrier treats as an opt-out (CTIA Messaging Principles and Best Practices; Twilio's
# default opt-out keywords); matched on the whole message, case-insensitive.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})


class SmsError(Exception):
    """The message could not be handed to the provider; `str()` says why (no message text)."""


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str
    provider_id: str


class ConsoleBackend:
    def send(self, to: str, body: str) -> SentSms:
        logger.info("SMS to %s: %s", to, body)
        return SentSms(to=to, body=body, provider_id="console")


outbox: list[SentSms] = []


class MemoryBackend:
    def send(self, to: str, body: str) -> SentSms:
        sent = SentSms(to=to, body=body, provider_id=f"memory-{len(outbox) + 1}")
        outbox.append(sent)
        return sent


class TwilioBackend:
    timeout_seconds = 10

    def __init__(self) -> None:
        self.account_sid = settings.TWILIO_ACCOUNT_SID
        self.auth_token = settings.TWILIO_AUTH_TOKEN
        self.from_number = settings.TWILIO_FROM_NUMBER
        self.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")
        if not (self.account_sid and self.auth_token and self.from_number):
            raise SmsError(
                "SMS is set to Twilio but TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN or "
                "TWILIO_FROM_NUMBER is missing."
            )

    def send(self, to: str, body: str) -> SentSms:
        url = f"{self.base_url}/2010-04-01/Accounts/{urllib.parse.quote(self.account_sid)}/Messages.json"
        data = urllib.parse.urlencode({"To": to, "From": self.from_number, "Body": body}).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                detail = json.loads(error.read() or b"{}").get("message", "")
            except ValueError:
                detail = ""
            raise SmsError(
                f"The SMS provider refused the message (HTTP {error.code}) {detail}".strip()
            ) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsError(f"The SMS provider could not be reached ({error}).") from error
        except ValueError as error:
            raise SmsError("The SMS provider answered with something that is not JSON.") from error
        return SentSms(to=to, body=body, provider_id=str(answer.get("sid", "")))


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(to: str, body: str) -> SentSms:
    """Hand one message to the configured backend; raises SmsError if it cannot."""
    return get_backend().send(to, body)


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def is_valid_twilio_request(url: str, params: dict[str, str], signature: str) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    if not token or not signature:
        return False
    return hmac.compare_digest(twilio_signature(token, url, params), signature)


def is_stop_word(body: str) -> bool:
    return body.strip().upper() in STOP_WORDS
