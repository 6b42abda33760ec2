"""`make bench-http`: pages served by gunicorn as in production, against a bare signed-in view.

The pages a tablet and a prescriber open most (a patient's chart, the session page, its live
region) are served by gunicorn with 2 sync workers, production settings (2FA on, a TLS proxy in
front saying so, connections kept open, the manifest of static files, collected into
./staticfiles as `make run`'s production recipe does), on loopback, from
PostgreSQL. Each is measured in requests per second beside the floor, a signed-in view that does
nothing, served by the same server through the same middleware and measured just before it; the
target is a ratio of at least 0.5.

The load comes from a few client processes on the same machine (each request a new connection,
as gunicorn's sync workers close it), so the figures are the machine's, not a server's; the ratios
are what compare. A benchmark, not a test: it prints the numbers and exits 0 (1 with
BENCH_STRICT=1 when a target is missed).

Runs on the database DATABASE_URL names (PostgreSQL; the Makefile gives POSTGRES_URL when it is
unset), in a throwaway test database beside it.
"""

from __future__ import annotations

import http.client
import logging
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import (
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.clinic import Clinic, reading_values
from clinic.assessments.tests.factories import record_phq9
from clinic.patients.tests.factories import register_test_patient
from clinic.sessions import services as session_services

WORKERS = 2
CLIENTS = int(os.environ.get("BENCH_HTTP_CLIENTS", "4"))
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "6"))
READINGS = 40
TARGET = 0.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Target:
    name: str
    path: str
    headers: dict


def _hammer(port: int, target: Target, cookie: str, until: float, counts) -> None:
    done = sent = 0
    size = 0
    headers = dict(target.headers)
    while time.perf_counter() < until:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(
            "GET",
            target.path,
            headers={
                "Host": "127.0.0.1",
                "Cookie": cookie,
                "X-Forwarded-Proto": "https",
                **headers,
            },
        )
        response = conn.getresponse()
        body = response.read()
        if "If-None-Match" in headers and response.getheader("ETag"):
            # As the tablet does: it holds the version last sent (the minutes since the dose
            # change it once a minute).
            headers["If-None-Match"] = response.getheader("ETag")
        conn.close()
        sent += 1
        if response.status in (200, 304):
            done += 1
            size += len(body)
    counts.put((done, sent, size))


def requests_per_second(port: int, target: Target, cookie: str) -> tuple[float, float]:
    """Requests per second answered 200/304 by CLIENTS processes for SECONDS, and the mean body
    size in bytes."""
    # A second of warm-up (each worker's first requests load templates and open its connection).
    warm = multiprocessing.Queue()
    _hammer(port, target, cookie, time.perf_counter() + 1.0, warm)
    warm.get()
    counts = multiprocessing.Queue()
    start = time.perf_counter()
    until = start + SECONDS
    clients = [
        multiprocessing.Process(target=_hammer, args=(port, target, cookie, until, counts))
        for _ in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    results = [counts.get() for _ in clients]
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - start
    done = sum(r[0] for r in results)
    sent = sum(r[1] for r in results)
    if done != sent:
        raise RuntimeError(f"{target.name}: {sent - done} of {sent} requests failed")
    return done / elapsed, sum(r[2] for r in results) / max(done, 1)


def signed_in_cookie(user) -> str:
    """A session cookie for `user`, signed in and past the second factor, as after a real
    sign-in."""
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def build(clinic: Clinic) -> dict[str, str]:
    """The patient whose chart is opened and the session whose page and region are polled."""
    patient = register_test_patient(
        actor=clinic.clinician, location=clinic.location, first_name="Chart", last_name="Opened"
    )
    for weeks in range(12):
        record_phq9(actor=clinic.clinician, patient=patient, total=20 - weeks, days_ago=7 * weeks)
    dosed_at = timezone.now() - timedelta(minutes=90)
    session = clinic.dosed_session(1, dosed_at=dosed_at)
    for n in range(READINGS - 1):
        session_services.record_reading(
            actor=clinic.nurse,
            session=session,
            values=reading_values(n),
            taken_at=dosed_at + timedelta(minutes=2 * (n + 1)),
        )
    return {"patient": str(patient.public_id), "session": str(session.public_id)}


def serve(port: int, database_name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "CLINIC_ENVIRONMENT": "production",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _url_for(database_name),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CLINIC_BEHIND_TLS_PROXY": "1",
        # The key the sign-ins were made with (the sessions are signed with it).
        "SECRET_KEY": settings.SECRET_KEY,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.http_wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def _url_for(database_name: str) -> str:
    base = os.environ["DATABASE_URL"]
    return base.rsplit("/", 1)[0] + "/" + database_name


def main() -> int:
    logging.disable(logging.INFO)
    if connection.vendor != "postgresql":
        print("make bench-http measures PostgreSQL: set DATABASE_URL=postgres://…")
        return 1
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    server = None
    try:
        clinic = Clinic()
        ids = build(clinic)
        nurse = signed_in_cookie(clinic.nurse)
        prescriber = signed_in_cookie(clinic.clinician)
        database_name = connection.settings_dict["NAME"]
        connection.close()
        port = free_port()
        server = serve(port, database_name)
        hx = {"HX-Request": "true"}
        live_path = f"/sessions/{ids['session']}/live/"
        etag = _etag(port, live_path, nurse)
        figures = [
            (
                "open a patient's chart",
                Target("chart", f"/patients/{ids['patient']}/", {}),
                prescriber,
            ),
            (
                f"open the session page ({READINGS} readings)",
                Target("page", f"/sessions/{ids['session']}/", {}),
                nurse,
            ),
            (
                f"poll the live region, unchanged ({READINGS} readings, 304)",
                Target("live", live_path, {**hx, "If-None-Match": etag}),
                nurse,
            ),
            (
                f"poll the live region, whole ({READINGS} readings, first poll)",
                Target("live-whole", live_path, hx),
                nurse,
            ),
        ]
        floor = Target("floor", "/bench/bare/", {})
        rows = []
        for name, target, cookie in figures:
            floor_rps, _ = requests_per_second(port, floor, cookie)
            rps, size = requests_per_second(port, target, cookie)
            rows.append((name, rps, floor_rps, rps / floor_rps, size))
        print()
        print(
            f"Ketamine Clinic HTTP benchmark: gunicorn, {WORKERS} sync workers, production "
            f"settings, PostgreSQL, loopback; {CLIENTS} client processes, {SECONDS:.0f} s each"
        )
        print()
        print(f"{'figure':58} {'req/s':>7} {'floor':>7} {'ratio':>6} {'target':>7}  result")
        print("-" * 100)
        missed = 0
        for name, rps, floor_rps, ratio, size in rows:
            target = "" if "whole" in name else f"≥{TARGET}×"
            result = "" if not target else ("met" if ratio >= TARGET else "MISSED")
            missed += result == "MISSED"
            print(f"{name:58} {rps:7.1f} {floor_rps:7.1f} {ratio:6.2f} {target:>7}  {result}")
            print(f"    {size / 1024:.1f} KiB per response")
        print("\nfloor: a bare signed-in view (same server, same middleware), measured before each")
        return 1 if missed and os.environ.get("BENCH_STRICT") == "1" else 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        connection.close()
        teardown_databases(old_config, verbosity=0)


def _etag(port: int, path: str, cookie: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "GET",
        path,
        headers={
            "Host": "127.0.0.1",
            "Cookie": cookie,
            "X-Forwarded-Proto": "https",
            "HX-Request": "true",
        },
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"the live region answered {response.status}")
    return response.getheader("ETag")


if __name__ == "__main__":
    sys.exit(main())
