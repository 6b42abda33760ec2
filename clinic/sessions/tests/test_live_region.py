"""The live region's poll: `304 Not Modified` while nothing changed, only what changed otherwise
(so its bytes do not grow with the session's readings), and every change the region shows (a new
reading, an alert, the protocol's limits) reaching the next poll."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.monitoring.models import MonitoringProtocol
from clinic.sessions import services
from clinic.sessions.live import LIVE_FORMAT, LiveVersion, delta_since
from clinic.sessions.selectors import ReadingMark
from clinic.sessions.tests.factories import GOOD_DURING, dosed
from conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("typed_lots")]

HX = {"HTTP_HX_REQUEST": "true"}


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def poll(client, session, etag: str = ""):
    headers = {**HX}
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    return client.get(reverse("sessions:live", args=[session.public_id]), **headers)


def poll_unchanged(client, session, etag: str):
    """A poll with nothing new since `etag`: 304. The minutes since the dose are part of the
    region (so its version changes once a minute): a poll that crossed a minute is tried once
    more with the version it brought."""
    response = poll(client, session, etag)
    if response.status_code == 200:
        response = poll(client, session, response["ETag"])
    return response


def add_readings(nurse, session, count: int, *, start: float, values=GOOD_DURING):
    for i in range(count):
        services.record_reading(
            actor=nurse, session=session, values=dict(values), taken_at=ago(start - i)
        )


@pytest.fixture
def session_with_readings(clinician, nurse, patient_alice):
    session = dosed(clinician, nurse, patient_alice, at=ago(60))
    add_readings(nurse, session, 20, start=50)
    return session


def test_an_unchanged_region_is_answered_304_with_no_body(session_with_readings, nurse):
    client = client_for(nurse)
    first = poll(client, session_with_readings)
    assert first.status_code == 200 and 'id="live"' in first.content.decode()
    etag = first["ETag"]
    # Never kept by a cache: a delta is only right for the copy it follows.
    assert "no-store" in first["Cache-Control"]
    again = poll_unchanged(client, session_with_readings, etag)
    assert again.status_code == 304
    assert again.content == b""
    # The page shows when the server last looked, from the 304 too.
    assert again["X-Live-Updated"].endswith(("AM", "PM"))  # "9:15:04 PM"


def test_the_etag_the_page_holds_is_the_one_the_poll_answers(session_with_readings, nurse):
    client = client_for(nurse)
    page = client.get(reverse("sessions:detail", args=[session_with_readings.public_id]))
    held = page.content.decode().split('id="live-state" hidden data-etag="')[1].split('"')[0]
    etag = held.replace("&quot;", '"')
    assert poll_unchanged(client, session_with_readings, etag).status_code == 304


def test_a_new_reading_sends_its_row_and_not_the_earlier_ones(session_with_readings, nurse):
    client = client_for(nurse)
    etag = poll(client, session_with_readings)["ETag"]
    services.record_reading(
        actor=nurse,
        session=session_with_readings,
        values={**GOOD_DURING, "systolic_mmhg": 127, "diastolic_mmhg": 77},
        taken_at=ago(1),
    )
    delta = poll(client, session_with_readings, etag)
    assert delta.status_code == 200
    body = delta.content.decode()
    # Only the new row, put at the top of the table; the chart and status come along.
    assert body.count("<tr") == 1 and "127/77" in body
    assert 'hx-swap-oob="afterbegin:#readings-body"' in body
    assert 'id="live-chart" hx-swap-oob="true"' in body
    assert 'id="live"' not in body
    assert delta["HX-Retarget"] == "#live-state"
    assert delta["ETag"] != etag
    # The tablet now holds the new version: nothing more to send.
    assert poll_unchanged(client, session_with_readings, delta["ETag"]).status_code == 304


def test_bytes_per_poll_do_not_grow_with_the_readings(session_with_readings, nurse):
    client = client_for(nurse)

    def delta_bytes() -> int:
        etag = poll(client, session_with_readings)["ETag"]
        add_readings(nurse, session_with_readings, 1, start=0.5)
        response = poll(client, session_with_readings, etag)
        assert response.status_code == 200
        # Without the chart, which is drawn from every reading and sent when one comes in.
        body = response.content.decode()
        chart = body.split('<div id="live-chart"')[1].split("</svg>")[0]
        return len(body) - len(chart)

    at_21 = delta_bytes()
    add_readings(nurse, session_with_readings, 40, start=45)
    full = poll(client, session_with_readings)
    at_62 = delta_bytes()
    assert at_62 == pytest.approx(at_21, abs=200), (at_21, at_62)
    assert at_62 * 10 < len(full.content)


def test_a_protocol_change_by_the_director_reaches_the_next_poll(session_with_readings, nurse):
    client = client_for(nurse)
    etag = poll(client, session_with_readings)["ETag"]
    protocol = MonitoringProtocol.objects.get(route=session_with_readings.route)
    assert protocol.systolic_max != 171
    protocol.systolic_max = 171  # the medical director's edit (the admin saves the row)
    protocol.save()
    response = poll(client, session_with_readings, etag)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="live-limits" hx-swap-oob="true"' in body
    assert "during BP ≤ 171/" in body
    assert body.count("<tr") == 0  # no reading is sent again


def test_an_alert_reaches_the_next_poll_and_its_acknowledgement_the_one_after(
    session_with_readings, nurse, clinician
):
    client = client_for(nurse)
    etag = poll(client, session_with_readings)["ETag"]
    services.record_reading(
        actor=nurse,
        session=session_with_readings,
        values={**GOOD_DURING, "systolic_mmhg": 185},
        taken_at=ago(0.5),
    )
    response = poll(client, session_with_readings, etag)
    body = response.content.decode()
    assert 'id="live-alerts" hx-swap-oob="true"' in body and "data-alert=" in body
    alert = session_with_readings.alerts.get(status="open")
    services.acknowledge_alert(actor=clinician, alert=alert, action_taken="Rate reduced.")
    after = poll(client, session_with_readings, response["ETag"]).content.decode()
    assert 'id="live-alerts" hx-swap-oob="true"' in after and "data-alert=" not in after


def test_a_reading_taken_before_one_shown_sends_the_whole_region(session_with_readings, nurse):
    client = client_for(nurse)
    etag = poll(client, session_with_readings)["ETag"]
    add_readings(nurse, session_with_readings, 1, start=55)  # back-dated: mid-table
    response = poll(client, session_with_readings, etag)
    assert 'id="live"' in response.content.decode()


def test_an_unknown_or_foreign_etag_gets_the_whole_region(session_with_readings, nurse):
    client = client_for(nurse)
    for etag in ('"nonsense"', '"live0.1.2.a.b.c"', f'"{LIVE_FORMAT}.x.y.a.b.c"', "*"):
        response = poll(client, session_with_readings, etag)
        assert response.status_code == 200 and 'id="live"' in response.content.decode()


# Measured on SQLite: 9 (the signed-in session and user, the session, the readings' ids and times,
# the protocol, the open alerts, the CADSS-6 ratings, the infusion's events; the assertion lists
# them when it fails). None of them reads a reading's vital signs.
UNCHANGED_POLL_QUERIES = 9


def test_an_unchanged_poll_reads_no_reading_s_vital_signs(session_with_readings, nurse):
    client = client_for(nurse)
    etag = poll(client, session_with_readings)["ETag"]
    etag = poll_unchanged(client, session_with_readings, etag)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = poll(client, session_with_readings, etag)
    if response.status_code == 200:  # a minute went by meanwhile: again
        with CaptureQueriesContext(connection) as queries:
            response = poll(client, session_with_readings, response["ETag"])
    assert response.status_code == 304
    assert not any("patients_vitalsigns" in q["sql"] for q in queries.captured_queries)
    assert len(queries) <= UNCHANGED_POLL_QUERIES, [q["sql"][:80] for q in queries.captured_queries]


def test_delta_rules():
    at = timezone.now()
    marks = [ReadingMark(1, at, True), ReadingMark(2, at + timedelta(minutes=5), False)]
    current = LiveVersion(2, 2, "c", "a", "r")
    assert delta_since(None, current, marks) is None
    assert delta_since(LiveVersion(0, 0, "c", "a", "r"), current, marks) is None
    same_chart = delta_since(LiveVersion(1, 1, "c", "a", "x"), current, marks)
    assert same_chart.new_reading_pks == (2,) and not same_chart.send_chart
    assert delta_since(LiveVersion(1, 1, "old", "b", "x"), current, marks).send_alerts
    # The tablet holds a reading count that no longer matches: the whole region.
    assert delta_since(LiveVersion(3, 1, "c", "a", "r"), current, marks) is None
    assert LiveVersion.parse(current.etag) == current
    assert LiveVersion.parse("W/" + current.etag) == current
