"""A small local HTTP server standing in for Twilio's Messages API in tests: it checks the
Basic credentials and the form fields as Twilio does, answers with a Twilio-shaped JSON body, and
can be told to fail (HTTP 500, or a refused number) to test retries."""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.received: list[dict[str, str]] = []
        # "ok", "down" (HTTP 500) or "refuse" (HTTP 400, as Twilio's error 21211 invalid "To").
        self.mode = "ok"
        self.url = ""


@contextmanager
def fake_twilio(account_sid: str = "AC" + "0" * 32, auth_token: str = "test-token"):
    provider = FakeTwilio(account_sid, auth_token)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet test output
            pass

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            expected_path = f"/2010-04-01/Accounts/{provider.account_sid}/Messages.json"
            credentials = base64.b64encode(
                f"{provider.account_sid}:{provider.auth_token}".encode()
            ).decode()
            if self.headers.get("Authorization") != f"Basic {credentials}":
                return self._answer(401, {"code": 20003, "message": "Authenticate"})
            if self.path != expected_path:
                return self._answer(404, {"code": 20404, "message": "Not found"})
            length = int(self.headers.get("Content-Length") or 0)
            fields = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            if provider.mode == "down":
                return self._answer(500, {"code": 20500, "message": "Internal Server Error"})
            if provider.mode == "refuse" or not fields.get("To", "").startswith("+"):
                return self._answer(
                    400, {"code": 21211, "message": "The 'To' number is not a valid phone number."}
                )
            provider.received.append(fields)
            sid = f"SM{len(provider.received):032d}"
            return self._answer(201, {"sid": sid, "status": "queued", "to": fields["To"]})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def twilio_settings(settings, provider: FakeTwilio):
    """Point the Twilio backend at `provider` (a pytest-django `settings` fixture)."""
    settings.SMS_BACKEND = "clinic.core.sms.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = provider.account_sid
    settings.TWILIO_AUTH_TOKEN = provider.auth_token
    settings.TWILIO_FROM_NUMBER = "+16175550199"
    settings.TWILIO_API_BASE_URL = provider.url
    yield provider
