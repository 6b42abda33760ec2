"""The controlled-substance register's inventory as of a date (the page `views.inventory`, read by
`reports.inventory_report`: the initial and biennial inventory of 21 CFR 1304.11) over ten years of
a busy clinic's ledger.

The ledger is built by bulk inserts (many rows to a statement, COPY on PostgreSQL; the register's
triggers refuse UPDATE and DELETE of its rows, never INSERT: clinic/inventory/guards.py), over
BENCH_REGISTER_YEARS (10): on each weekday BENCH_REGISTER_SESSIONS_PER_DAY (24) sessions, two in
three IV ketamine (a draw from the open 5 mL vial of 100 mg/mL, the dose administered, the
syringe's 0.05 mL wasted; a vial's remnant too small for the next dose drawn and wasted), the
others esketamine (a 56 mg kit of two devices or an 84 mg kit of three, drawn and given); a box of
vials or kits received when stock runs low; a count of the safe every evening, a biennial
inventory every two years, and about twice a year a count 0.05 mL short that a clinician resolves
as a loss (an adjustment); a broken vial destroyed every year, a recalled pair of kits returned to
the supplier every third year, and about once a month an administration entered wrong, reversed
and entered again. About 200,000 ledger rows. Each entry's session is a row of its own, a copy of one of two
real sessions (IV, intranasal) at its appointment's time: the report reads no session.

It times the report's page at the close of a day half-way through and at the close of today,
each beside its floor, the barest aggregate over the same rows (one SUM of the safe column grouped
by container, over the entries up to the same moment). And it checks the report answers from
database aggregates: every statement that reads the ledger sums it, and the report makes the same
number of statements at about 2,000 rows as at 200,000.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.clinic import Clinic
from bench.measure import Comparison, Figure, timed
from clinic.inventory.choices import (
    CountKind,
    CountTiming,
    DestructionReason,
    DiscrepancyOutcome,
    DiscrepancyStatus,
    MovementKind,
)
from clinic.inventory.models import (
    MOVEMENT_EFFECTS,
    Container,
    Count,
    CountLine,
    Destruction,
    Discrepancy,
    Lot,
    Movement,
    Product,
    Receipt,
    Safe,
    SupplierReturn,
    ledger_sum,
)
from clinic.inventory.tests.factories import SafeFactory, SprayKitFactory, VialFactory, registration
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling.choices import AppointmentStatus
from clinic.scheduling.models import Appointment
from clinic.sessions.choices import SessionStatus
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests.factories import ESKETAMINE, started_session

YEARS = int(os.environ.get("BENCH_REGISTER_YEARS", "10"))
SESSIONS_PER_DAY = int(os.environ.get("BENCH_REGISTER_SESSIONS_PER_DAY", "24"))
REPORT_OPENS = int(os.environ.get("BENCH_REGISTER_OPENS", "5"))
# The small register the report's statements are first counted at.
SMALL_ROWS = 2_000
ML = Decimal("0.01")
SYRINGE_WASTE_ML = Decimal("0.05")
COUNT_SHORT_ML = Decimal("0.05")
CLINIC_DAYS_A_YEAR = 261
# The report sums the ledger up to the date three times, each about the floor's work: the balance
# of every container the safe has held, each product's total, and how many containers of each
# product hold stock. With the page's fixed costs (session, form, audit row, rendering), a report
# that does no more than that costs at most four floors at 200,000 rows.
TARGET_RATIO = 0.25


class Table:
    """Rows of one model inserted in bulk (many to a statement; COPY on PostgreSQL), with primary
    keys chosen here so that rows pointing at them can be built before they are saved. Numbers,
    text and None go to the driver as they are; other values (dates, times, UUIDs, JSON) through
    their field's get_db_prep_save, as the ORM's own inserts do, once for each distinct value in a
    batch. `constant` holds the values every row shares (prepared once)."""

    def __init__(
        self,
        model: type[Model],
        *,
        keys: Iterator[int] | None = None,
        constant: dict | None = None,
    ) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.index = {model_field.attname: n for n, model_field in enumerate(self.fields)}
        self.keys = keys or itertools.count(
            (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        )
        self.pending: list[dict] = []
        now = timezone.now()
        self.constant: dict = {}
        # Fields whose default is made for each row (a public id).
        self.per_row = []
        for model_field in self.fields:
            if model_field.primary_key:
                continue
            if getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                self.constant[model_field.attname] = now
            elif callable(model_field.default):
                self.per_row.append(model_field)
            else:
                self.constant[model_field.attname] = model_field.get_default()
        self.constant.update(constant or {})
        self.per_row = [f for f in self.per_row if f.attname not in self.constant]
        self.base = [None] * len(self.fields)
        for name, value in self.constant.items():
            model_field = self.fields[self.index[name]]
            self.base[self.index[name]] = model_field.get_db_prep_save(value, connection)

    def add(self, **values) -> int:
        pk = next(self.keys)
        values["id"] = pk
        self.pending.append(values)
        return pk

    def flush(self) -> int:
        if not self.pending:
            return 0
        prepared: dict[tuple[int, object], object] = {}
        rows = []
        for row in self.pending:
            values = list(self.base)
            for model_field in self.per_row:
                values[self.index[model_field.attname]] = model_field.get_db_prep_save(
                    model_field.get_default(), connection
                )
            for name, value in row.items():
                index = self.index[name]
                if value is None or isinstance(value, int | str | Decimal):
                    # What the drivers take as it is (bool is an int).
                    values[index] = value
                    continue
                key = (index, value)
                if key not in prepared:
                    prepared[key] = self.fields[index].get_db_prep_save(value, connection)
                values[index] = prepared[key]
            rows.append(values)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # PostgreSQL's bulk insert: COPY.
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for values in rows:
                        copy.write_row(values)
            else:
                placeholders = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
                rows_per_statement = max(1, min(1000, _max_parameters() // len(self.fields)))
                for start in range(0, len(rows), rows_per_statement):
                    chunk = rows[start : start + rows_per_statement]
                    cursor.execute(
                        f"INSERT INTO {table} ({columns}) VALUES "
                        + ", ".join([placeholders] * len(chunk)),
                        [value for values in chunk for value in values],
                    )
        inserted = len(self.pending)
        self.pending = []
        return inserted


def _max_parameters() -> int:
    connection.ensure_connection()
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def _copy_of(row: Model, **changes) -> dict:
    """A saved row's column values, for a new row like it (its own key and public id)."""
    values = {
        model_field.attname: getattr(row, model_field.attname)
        for model_field in type(row)._meta.concrete_fields
        if not model_field.primary_key
    }
    values.pop("public_id", None)
    values.update(changes)
    return values


@dataclass
class Stock:
    """A container as the history tracks it."""

    pk: int
    product: Product


class History:
    """Ten years of one safe's register, generated and inserted a week at a time (deterministic: a
    seeded random number generator)."""

    # Parents before children: each table's rows point only at rows of the tables before it.
    MODELS = (
        Appointment,
        TreatmentSession,
        Lot,
        Receipt,
        Container,
        Destruction,
        Count,
        CountLine,
        Discrepancy,
        Movement,
        SupplierReturn,
    )

    def __init__(self, clinic: Clinic, safe: Safe, products: dict, templates) -> None:
        self.clinic = clinic
        self.safe = safe
        self.zone = safe.location.zone
        self.vial = products["vial"]
        self.kits = {2: products["kit_2"], 3: products["kit_3"]}
        self.tables = {model: Table(model) for model in self.MODELS}
        # Reversing entries point at the entry they reverse: inserted after it.
        self.reversals = Table(Movement, keys=self.tables[Movement].keys)
        # Each route's sessions and appointments are copies of a real one.
        self.copies = {}
        for template in templates:
            appointments = Table(
                Appointment,
                keys=self.tables[Appointment].keys,
                constant=_copy_of(
                    template.appointment, status=AppointmentStatus.COMPLETED, room_id=None
                ),
            )
            sessions = Table(
                TreatmentSession,
                keys=self.tables[TreatmentSession].keys,
                constant=_copy_of(template, status=SessionStatus.DISCHARGED),
            )
            self.copies[template.route] = (appointments, sessions)
        self.random = random.Random(1304)
        self.open_vial: Stock | None = None
        self.open_vial_ml = Decimal("0")
        self.sealed_vials: list[Stock] = []
        self.sealed_kits: dict[int, list[Stock]] = {2: [], 3: []}
        self.lot_serial = 0
        self.containers = 0
        self.sessions = 0
        self.clinic_days = 0
        self.mg: dict[tuple[int, Decimal], Decimal] = {}

    def add_days(self, first: dt.date, last: dt.date) -> int:
        """Generate and insert the register's rows from `first` to `last`; the ledger rows added."""
        day = first
        while day <= last:
            if day.weekday() < 5:
                self._clinic_day(day)
            day += dt.timedelta(days=1)
        ledger_rows = 0
        appointments, sessions = zip(*self.copies.values(), strict=True)
        with transaction.atomic():
            for table in (*appointments, *sessions, *self.tables.values(), self.reversals):
                inserted = table.flush()
                if table.model is Movement:
                    ledger_rows += inserted
        return ledger_rows

    def finish(self) -> None:
        """Move each table's key sequence past the keys chosen here (PostgreSQL)."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(self.MODELS)):
                cursor.execute(sql)

    # --- a clinic day --------------------------------------------------------------------------
    def _at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), self.zone)

    def _clinic_day(self, day: dt.date) -> None:
        self.clinic_days += 1
        if self.clinic_days == 1:
            self._count(self._at(day, 7, 30), CountKind.INITIAL, CountTiming.OPENING)
        self._restock(day)
        if self.clinic_days % CLINIC_DAYS_A_YEAR == 130:
            self._destroy_broken_vial(day)
        if self.clinic_days % (3 * CLINIC_DAYS_A_YEAR) == 400:
            self._return_recalled_kits(day)
        for n in range(SESSIONS_PER_DAY):
            start = self._at(day, 8) + dt.timedelta(minutes=20 * n)
            if n % 3 == 2:
                self._nasal_session(start)
            else:
                self._iv_session(start, mistyped=n == 0 and self.clinic_days % 21 == 10)
        close = self._at(day, 18)
        biennial = self.clinic_days % (2 * CLINIC_DAYS_A_YEAR) == 0
        self._count(close, CountKind.BIENNIAL if biennial else CountKind.DAILY, CountTiming.CLOSE)

    # --- rows ----------------------------------------------------------------------------------
    def _entry(
        self, stock: Stock, kind: str, quantity: Decimal, at, *, table=None, reverses=None, **links
    ) -> tuple[int, Decimal]:
        safe_factor, drawn_factor = MOVEMENT_EFFECTS[kind][-1 if kind == MovementKind.ADJUST else 0]
        if reverses is not None:
            safe_factor, drawn_factor = -safe_factor, -drawn_factor
        key = (stock.product.pk, quantity)
        if key not in self.mg:
            self.mg[key] = stock.product.mg_of(quantity)
        pk = (table or self.tables[Movement]).add(
            container_id=stock.pk,
            safe_id=self.safe.pk,
            kind=kind,
            quantity=quantity,
            amount_mg=self.mg[key],
            safe_change=quantity * safe_factor,
            drawn_change=quantity * drawn_factor,
            occurred_at=at,
            performed_by_id=self.clinic.nurse.pk,
            reverses_id=reverses,
            **links,
        )
        return pk, quantity

    def _session(self, route: str, start: dt.datetime) -> int:
        appointments, sessions = self.copies[route]
        self.sessions += 1
        appointment_id = appointments.add(
            starts_at=start, ends_at=start + dt.timedelta(minutes=120), checked_in_at=start
        )
        return sessions.add(appointment_id=appointment_id)

    def _receive(self, day: dt.date, product: Product, containers: int) -> list[Stock]:
        self.lot_serial += 1
        lot_id = self.tables[Lot].add(
            product_id=product.pk,
            lot_number=f"BL{self.lot_serial:05d}",
            expiry_date=day + dt.timedelta(days=730),
        )
        receipt_id = self.tables[Receipt].add(
            safe_id=self.safe.pk,
            lot_id=lot_id,
            container_count=containers,
            supplier_name="Bench Medical Supply",
            supplier_address="1 Warehouse Way, Columbus, OH 43004",
            supplier_dea_number="RD1234563",
            invoice_reference=f"INV-{self.lot_serial:05d}",
            received_on=day,
            received_by_id=self.clinic.nurse.pk,
            witness_id=self.clinic.clinician.pk,
        )
        at = self._at(day, 7, 45)
        received = []
        for _ in range(containers):
            self.containers += 1
            stock = Stock(
                self.tables[Container].add(
                    identifier=f"BN{self.containers:06d}",
                    lot_id=lot_id,
                    safe_id=self.safe.pk,
                    receipt_id=receipt_id,
                ),
                product,
            )
            self._entry(
                stock,
                MovementKind.RECEIVE,
                product.full_container_quantity,
                at,
                receipt_id=receipt_id,
                witness_id=self.clinic.clinician.pk,
            )
            received.append(stock)
        return received

    def _restock(self, day: dt.date) -> None:
        if len(self.sealed_vials) < 8:
            self.sealed_vials.extend(self._receive(day, self.vial, 25))
        for devices, kits in self.sealed_kits.items():
            # Enough for a day of esketamine and a return.
            if len(kits) < SESSIONS_PER_DAY // 3 + 2:
                kits.extend(self._receive(day, self.kits[devices], 30 if devices == 2 else 20))

    def _iv_session(self, start: dt.datetime, *, mistyped: bool) -> None:
        session_id = self._session("iv", start)
        dose_ml = Decimal(self.random.randint(30, 60)) * ML
        drawn_ml = dose_ml + SYRINGE_WASTE_ML
        if self.open_vial is None or self.open_vial_ml < drawn_ml:
            if self.open_vial is not None and self.open_vial_ml > 0:
                remnant = self.open_vial_ml
                self._entry(
                    self.open_vial, MovementKind.DISPENSE, remnant, start, session_id=session_id
                )
                self._entry(
                    self.open_vial,
                    MovementKind.WASTE,
                    remnant,
                    start,
                    session_id=session_id,
                    witness_id=self.clinic.clinician.pk,
                    reason="Remnant of the vial, less than a dose",
                )
            self.open_vial = self.sealed_vials.pop(0)
            self.open_vial_ml = self.vial.full_container_quantity
        vial = self.open_vial
        self.open_vial_ml -= drawn_ml
        given = start + dt.timedelta(minutes=5)
        self._entry(vial, MovementKind.DISPENSE, drawn_ml, start, session_id=session_id)
        if mistyped:
            # The amount given typed 0.10 mL low: reversed, and the right amount entered.
            wrong, quantity = self._entry(
                vial, MovementKind.ADMINISTER, dose_ml - 10 * ML, given, session_id=session_id
            )
            self._entry(
                vial,
                MovementKind.ADMINISTER,
                quantity,
                given + dt.timedelta(minutes=1),
                table=self.reversals,
                reverses=wrong,
                session_id=session_id,
                reason="Wrong amount entered",
            )
            given += dt.timedelta(minutes=1)
        self._entry(vial, MovementKind.ADMINISTER, dose_ml, given, session_id=session_id)
        self._entry(
            vial,
            MovementKind.WASTE,
            SYRINGE_WASTE_ML,
            start + dt.timedelta(minutes=45),
            session_id=session_id,
            witness_id=self.clinic.clinician.pk,
            reason="Left in the syringe and line",
        )

    def _nasal_session(self, start: dt.datetime) -> None:
        session_id = self._session("intranasal", start)
        devices = 2 if self.random.random() < 0.6 else 3
        kit = self.sealed_kits[devices].pop(0)
        self._entry(kit, MovementKind.DISPENSE, Decimal(devices), start, session_id=session_id)
        self._entry(
            kit,
            MovementKind.ADMINISTER,
            Decimal(devices),
            start + dt.timedelta(minutes=10),
            session_id=session_id,
        )

    def _count(self, at: dt.datetime, kind: str, timing: str) -> None:
        count_id = self.tables[Count].add(
            safe_id=self.safe.pk,
            kind=kind,
            timing=timing,
            counted_by_id=self.clinic.nurse.pk,
            witness_id=self.clinic.clinician.pk,
            counted_at=at,
        )
        # Lines are kept only where the count differed (the report reads none): about twice a
        # year the open vial is found 0.05 mL short, a loss a clinician resolves.
        if self.clinic_days % 131 != 65 or self.open_vial is None or self.open_vial_ml < 1:
            return
        line_id = self.tables[CountLine].add(
            count_id=count_id,
            container_id=self.open_vial.pk,
            expected=self.open_vial_ml,
            counted=self.open_vial_ml - COUNT_SHORT_ML,
        )
        self.tables[Discrepancy].add(
            line_id=line_id,
            safe_id=self.safe.pk,
            container_id=self.open_vial.pk,
            opened_at=at,
            status=DiscrepancyStatus.RESOLVED,
            outcome=DiscrepancyOutcome.STOCK_DIFFERS,
            explanation="A drop lost drawing up the last dose.",
            resolved_by_id=self.clinic.clinician.pk,
            resolved_at=at + dt.timedelta(hours=1),
        )
        self._entry(
            self.open_vial,
            MovementKind.ADJUST,
            COUNT_SHORT_ML,
            at + dt.timedelta(hours=1),
            count_id=count_id,
            reason="Count difference accepted",
        )
        self.open_vial_ml -= COUNT_SHORT_ML

    def _destroy_broken_vial(self, day: dt.date) -> None:
        vial = self.sealed_vials.pop()
        destruction_id = self.tables[Destruction].add(
            safe_id=self.safe.pk,
            reason=DestructionReason.BROKEN,
            method="Chemical digester",
            place="Clinic, medication room",
            destroyed_on=day,
            performed_by_id=self.clinic.nurse.pk,
            witness_1_id=self.clinic.nurse.pk,
            witness_2_id=self.clinic.clinician.pk,
        )
        self._entry(
            vial,
            MovementKind.DESTROY,
            self.vial.full_container_quantity,
            self._at(day, 17),
            destruction_id=destruction_id,
            witness_id=self.clinic.clinician.pk,
            reason=DestructionReason.BROKEN.label,
        )

    def _return_recalled_kits(self, day: dt.date) -> None:
        for _ in range(2):
            movement_id, _quantity = self._entry(
                self.sealed_kits[2].pop(),
                MovementKind.RETURN,
                Decimal(2),
                self._at(day, 17),
                witness_id=self.clinic.clinician.pk,
                reason="Returned to Bench Medical Supply (ref. RECALL-1)",
            )
            self.tables[SupplierReturn].add(
                movement_id=movement_id,
                recipient_name="Bench Medical Supply",
                recipient_address="1 Warehouse Way, Columbus, OH 43004",
                recipient_dea_number="RD1234563",
                reference="RECALL-1",
                shipped_on=day,
            )


def _weeks(first: dt.date, last: dt.date):
    """Monday to Sunday, from the week holding `first` to the one holding `last`."""
    start = first - dt.timedelta(days=first.weekday())
    while start <= last:
        yield max(start, first), min(start + dt.timedelta(days=6), last)
        start += dt.timedelta(days=7)


# --- the report and its floor ------------------------------------------------------------------
class StatementLog:
    """The SQL of every statement the default connection runs."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)


def open_report(client: Client, safe: Safe, on: dt.date):
    """The inventory page at the close of `on`, as the director opens it."""
    url = reverse("inventory:inventory")
    params = {"safe": safe.pk, "on": on.isoformat(), "timing": CountTiming.CLOSE}

    def get(_: int) -> bytes:
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        assert b"Nothing on hand" not in response.content, "the report found no stock"
        return response.content

    return get


def report_statements(client: Client, safe: Safe, on: dt.date) -> list[str]:
    report = open_report(client, safe, on)
    # Opened once first: the sign-in's activity stamp, refreshed on a request after a quiet
    # minute or more, is not the report's statement.
    report(0)
    log = StatementLog()
    with connection.execute_wrapper(log):
        report(1)
    return log.statements


def unsummed_ledger_reads(statements: list[str]) -> list[str]:
    """The statements that read the ledger's table without summing it."""
    table = connection.ops.quote_name(Movement._meta.db_table)
    return [
        sql
        for sql in statements
        if table in sql and "SUM(" not in sql.upper() and not sql.lstrip().startswith("INSERT")
    ]


def close_of(day: dt.date, safe: Safe) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), safe.location.zone
    )


def floor_ledger_sum(safe: Safe, as_of: dt.datetime, label: str, operations: int) -> Figure:
    """The same ledger rows summed the barest way: one SUM grouped by container."""

    def query(_: int) -> None:
        list(
            Movement.objects.filter(safe=safe, occurred_at__lte=as_of)
            .values("container")
            .annotate(total=Sum("safe_change"))
            .order_by()
            .values_list("container", "total")
        )

    return timed(f"floor: one SUM of the ledger by container, to {label}", operations, query)


def run(clinic: Clinic) -> tuple[list[Comparison], list[str]]:
    started = time.perf_counter()
    safe = SafeFactory(location=clinic.location, name="Main safe")
    registration(clinic.location)
    products = {
        "vial": VialFactory(),
        "kit_2": SprayKitFactory(),
        "kit_3": SprayKitFactory(
            name="Spravato 28 mg nasal spray, kit of 3", ndc="50458-028-03", devices_per_container=3
        ),
    }
    templates = [
        started_session(
            clinic.clinician,
            clinic.nurse,
            register_test_patient(
                actor=clinic.clinician,
                location=clinic.location,
                first_name="Register",
                last_name=f"Patient{letter}",
                portal=True,
            ),
            **protocol,
        )
        for letter, protocol in (("A", {}), ("B", {"protocol_name": ESKETAMINE}))
    ]
    history = History(clinic, safe, products, templates)
    today = timezone.localdate()
    first_day = today.replace(year=today.year - YEARS)

    rows = 0
    small: tuple[int, list[str]] | None = None
    for first, last in _weeks(first_day, today - dt.timedelta(days=1)):
        rows += history.add_days(first, last)
        if small is None and rows >= SMALL_ROWS:
            history.finish()
            small = (rows, report_statements(clinic.client_for(clinic.director), safe, today))
    history.finish()
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load: the planner's statistics of the new rows.
        with connection.cursor() as cursor:
            for model in History.MODELS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    built = time.perf_counter() - started
    # Signed in after the build, which may take longer than the sign-in's idle limit.
    client = clinic.client_for(clinic.director)

    # Bulk rows bypass the services' checks: the history must still be one the services allow.
    ledger = Movement.objects.filter(safe=safe).order_by()
    assert (
        not ledger.values("container").annotate(left=ledger_sum("safe_change")).filter(left__lt=0)
    ), "a container went below zero"
    assert ledger.aggregate(held=ledger_sum("drawn_change"))["held"] == 0, "stock left drawn"
    middle = first_day + (today - first_day) / 2
    at_today = report_statements(client, safe, today)
    at_middle = report_statements(client, safe, middle)
    unsummed = unsummed_ledger_reads(at_today + at_middle)
    assert not unsummed, f"the report reads ledger rows without summing them: {unsummed[0][:300]}"
    small_rows, at_small = small
    assert len(at_small) == len(at_today) == len(at_middle), (
        f"the report's statements grew with the ledger: {len(at_small)} at {small_rows:,} rows, "
        f"{len(at_today)} at {rows:,}"
    )
    notes = [
        f"register: {rows:,} ledger rows over {YEARS} years ({history.containers:,} containers, "
        f"{history.sessions:,} sessions) built by bulk inserts in "
        f"{built:.0f} s; the inventory report makes {len(at_today)} statements at {small_rows:,} "
        f"rows and at {rows:,}, and each one that reads the ledger is a SUM"
    ]
    comparisons = []
    for on, label in ((middle, f"{middle:%Y-%m-%d}, half-way"), (today, "today")):
        open_report(client, safe, on)(0)  # templates compiled, the activity stamp fresh
        comparisons.append(
            Comparison(
                timed(
                    f"inventory as of {label} ({rows // 1000}k rows, HTTP)",
                    REPORT_OPENS,
                    open_report(client, safe, on),
                ),
                floor_ledger_sum(safe, close_of(on, safe), f"{on:%Y-%m-%d}", REPORT_OPENS * 2),
                target_ratio=TARGET_RATIO,
            )
        )
    return comparisons, notes
