"""What the benchmark measures with: a figure timed with the SQL statements it ran, the floor it is
compared with (the same work done the cheapest way, measured in the same run), and the report."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection


class StatementCounter:
    """Counts the SQL statements the default connection runs (a cheap execute wrapper; Django's
    query log would keep every statement's text in memory)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def counting_statements():
    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        yield counter


@dataclass
class Figure:
    name: str
    operations: int
    seconds: float
    statements: int = 0
    # Bytes sent per operation, for pages.
    bytes_per_operation: float | None = None

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds if self.seconds else float("inf")

    @property
    def statements_per_operation(self) -> float:
        return self.statements / self.operations if self.operations else 0.0


def timed(name: str, operations: int, action: Callable[[int], object]) -> Figure:
    """Run `action(i)` for i in 0 … operations − 1; time it and count its statements. An action
    that returns bytes (a response body) has its mean size recorded."""
    sizes = 0
    measured_sizes = False
    with counting_statements() as counter:
        start = time.perf_counter()
        for index in range(operations):
            result = action(index)
            if isinstance(result, bytes | bytearray):
                sizes += len(result)
                measured_sizes = True
        seconds = time.perf_counter() - start
    return Figure(
        name,
        operations,
        seconds,
        counter.count,
        sizes / operations if measured_sizes and operations else None,
    )


def timed_in_turns(
    name: str,
    action: Callable[[int], object],
    floor_name: str,
    floor_action: Callable[[int], object],
    operations: int,
    *,
    turns: int = 10,
) -> tuple[Figure, Figure]:
    """A figure and its floor timed in turns, a tenth of each at a time (operations i … j of the
    floor, then the same of the figure, and so on): a change in the machine's load during the run
    weighs on both alike, rather than on whichever ran while the machine was busy."""
    bounds = [round(operations * turn / turns) for turn in range(turns + 1)]
    seconds = {"figure": 0.0, "floor": 0.0}
    statements = {"figure": 0, "floor": 0}
    for low, high in itertools.pairwise(bounds):
        for side, act in (("floor", floor_action), ("figure", action)):
            with counting_statements() as counter:
                start = time.perf_counter()
                for index in range(low, high):
                    act(index)
                seconds[side] += time.perf_counter() - start
            statements[side] += counter.count
    return (
        Figure(name, operations, seconds["figure"], statements["figure"]),
        Figure(floor_name, operations, seconds["floor"], statements["floor"]),
    )


def per_row(figure: Figure, rows: int, name: str) -> Figure:
    """A figure of batches as a figure of the rows in them."""
    return Figure(name, figure.operations * rows, figure.seconds, figure.statements)


@dataclass
class Comparison:
    """A figure beside its floor, with the target the product aims for."""

    figure: Figure
    floor: Figure | None = None
    # The figure's throughput as a share of the floor's, at least.
    target_ratio: float | None = None
    # Statements per operation, at most.
    target_statements: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.floor is None or not self.floor.per_second:
            return None
        return self.figure.per_second / self.floor.per_second

    @property
    def misses(self) -> list[str]:
        missed = []
        if self.target_ratio is not None and (self.ratio or 0) < self.target_ratio:
            missed.append(f"ratio {self.ratio:.2f} < {self.target_ratio}")
        if (
            self.target_statements is not None
            and self.figure.statements_per_operation > self.target_statements
        ):
            missed.append(
                f"{self.figure.statements_per_operation:.1f} statements > {self.target_statements:g}"
            )
        return missed


def report(title: str, comparisons: list[Comparison]) -> str:
    lines = [title, ""]
    header = (
        f"{'figure':<58} {'ops/s':>9} {'stmts':>6} {'floor ops/s':>11} {'ratio':>6} "
        f"{'target':>13}  result"
    )
    lines.append(header)
    lines.append("-" * len(header))
    for comparison in comparisons:
        figure = comparison.figure
        targets = []
        if comparison.target_ratio is not None:
            targets.append(f"≥{comparison.target_ratio:g}×")
        if comparison.target_statements is not None:
            targets.append(f"≤{comparison.target_statements:g} st")
        ratio = f"{comparison.ratio:.2f}" if comparison.ratio is not None else ""
        floor = f"{comparison.floor.per_second:.1f}" if comparison.floor else ""
        if not targets:
            result = ""
        elif comparison.misses:
            result = "MISSED: " + "; ".join(comparison.misses)
        else:
            result = "met"
        lines.append(
            f"{figure.name:<58} {figure.per_second:>9.1f} {figure.statements_per_operation:>6.1f} "
            f"{floor:>11} {ratio:>6} {' '.join(targets):>13}  {result}"
        )
        if figure.bytes_per_operation is not None:
            lines.append(f"{'':<4}{figure.bytes_per_operation / 1024:.1f} KiB per response")
        if comparison.note:
            lines.append(f"{'':<4}{comparison.note}")
    floors = {id(c.floor): c.floor for c in comparisons if c.floor is not None}
    lines.append("")
    lines.append("floors (measured in this run):")
    for measured in floors.values():
        lines.append(
            f"  {measured.name:<56} {measured.per_second:>9.1f} ops/s "
            f"{measured.statements_per_operation:>5.1f} statements"
        )
    return "\n".join(lines)
