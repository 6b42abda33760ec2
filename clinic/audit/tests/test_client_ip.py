"""Who the client is: REMOTE_ADDR, or X-Forwarded-For only when a trusted proxy sent it."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from clinic.audit.choices import AuditEventType
from clinic.audit.context import client_ip
from clinic.audit.models import AuditEvent

PROXY = "10.0.0.5"


def ip_of(remote_addr, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


@pytest.fixture
def behind_proxy(settings):
    settings.CLINIC_TRUSTED_PROXIES = [PROXY, "10.1.0.0/16"]


def test_with_no_trusted_proxy_a_forwarded_header_is_ignored(settings):
    assert settings.CLINIC_TRUSTED_PROXIES == []
    assert ip_of("198.51.100.7", "203.0.113.9") == "198.51.100.7"


def test_a_spoofed_header_from_an_untrusted_address_is_ignored(behind_proxy):
    assert ip_of("198.51.100.7", "203.0.113.9") == "198.51.100.7"


def test_through_a_trusted_proxy_the_client_address_is_used(behind_proxy):
    assert ip_of(PROXY, "203.0.113.9") == "203.0.113.9"
    # Two trusted hops (a network in the list) are skipped.
    assert ip_of(PROXY, "203.0.113.9, 10.1.4.4") == "203.0.113.9"
    # What the client wrote to the left of the address the proxy saw is not believed.
    assert ip_of(PROXY, "192.0.2.1, 203.0.113.9") == "203.0.113.9"
    assert ip_of(PROXY, "2001:db8::1") == "2001:db8::1"


def test_a_trusted_proxy_without_a_header_is_the_client(behind_proxy):
    assert ip_of(PROXY) == PROXY
    assert ip_of(PROXY, "") == PROXY


@pytest.mark.parametrize(
    "forwarded", ["garbage", "203.0.113.9, not-an-ip", " , ", "300.1.1.1", "\x00", "1.2.3.4:80"]
)
def test_malformed_entries_are_never_taken_as_the_address(behind_proxy, forwarded):
    address = ip_of(PROXY, forwarded)
    assert address == PROXY


def test_a_malformed_entry_ends_the_walk_at_the_last_believable_address(behind_proxy):
    assert ip_of(PROXY, "203.0.113.9, garbage, 10.1.2.3") == "10.1.2.3"


def test_a_malformed_remote_address_gives_no_address(behind_proxy):
    assert ip_of("not-an-ip", "203.0.113.9") is None


@pytest.mark.parametrize("forwarded", ["garbage", "1.2.3.4, , ::zz", "x" * 5000])
def test_a_malformed_header_never_causes_a_server_error(client, db, behind_proxy, forwarded):
    response = client.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert response.status_code == 200
    response = client.post(
        "/accounts/login/",
        {"username": "nobody@example.org", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert response.status_code == 200
    assert AuditEvent.objects.get(event_type=AuditEventType.LOGIN_FAILED).ip_address == PROXY


def test_the_audit_log_and_the_lockout_use_the_client_address(client, clinician, behind_proxy):
    client.post(
        "/accounts/login/",
        {"username": clinician.email, "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    event = AuditEvent.objects.get(event_type=AuditEventType.LOGIN_FAILED)
    assert event.ip_address == "203.0.113.9"
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"


def test_a_spoofed_header_does_not_reach_the_audit_log_or_the_lockout(client, clinician):
    client.post(
        "/accounts/login/",
        {"username": clinician.email, "password": "wrong"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert AuditEvent.objects.get(event_type=AuditEventType.LOGIN_FAILED).ip_address == (
        "198.51.100.7"
    )
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
