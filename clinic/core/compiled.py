"""A query built and compiled to SQL once per database connection, then run with new values.

Django builds and compiles a queryset's SQL on every run; for a narrow locked read with a few
subqueries that takes several times longer than the database takes to answer it. The hottest
writes (a vital-sign reading locks its session with such a read) compile it once: the queryset is
built with stand-in values for its parameters, compiled, and run again with the real values in
their places, its rows turned into model instances as Django's own iterator turns them
(`ModelIterable`: the related rows `select_related` joins, the annotations).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.transaction import TransactionManagementError

_stand_ins = itertools.count(1)


def _stand_in(field: models.Field):
    """A value no real row or other parameter of the query has, of the field's type."""
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return -(10**15) - next(_stand_ins)
    raise TypeError(f"No stand-in value for a {type(field).__name__}.")


@dataclass
class _Compiled:
    """The SQL and its parameters, and how its rows become model instances: what Django's
    `ModelIterable` works out on every run (`django.db.models.query`), worked out once."""

    model: type[models.Model]
    locks: bool
    sql: str
    params: list
    # Each parameter's place among the SQL's parameters, and the field that prepares its value.
    places: dict[str, tuple[int, models.Field]]
    compiler: Any
    converters: dict
    start: int
    end: int
    init_list: list[str]
    related_populators: list
    annotation_col_map: dict[str, int]

    @classmethod
    def of(cls, queryset: models.QuerySet, connection) -> _Compiled:
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        select, klass_info = compiler.select, compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return cls(
            model=klass_info["model"],
            locks=bool(queryset.query.select_for_update),
            sql=sql,
            params=list(params),
            places={},
            compiler=compiler,
            converters=compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
            start=start,
            end=end,
            init_list=[f[0].target.attname for f in select[start:end]],
            related_populators=get_related_populators(klass_info, select, connection.alias),
            annotation_col_map=dict(compiler.annotation_col_map or {}),
        )

    def instances(self, rows: list, db: str) -> list:
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        instances = []
        for row in rows:
            instance = self.model.from_db(db, self.init_list, row[self.start : self.end])
            for populator in self.related_populators:
                populator.populate(row, instance)
            for name, place in self.annotation_col_map.items():
                setattr(instance, name, row[place])
            instances.append(instance)
        return instances


class CompiledQuery:
    """`build(**values)` returns the queryset; `parameters` names each value and the field it is
    compared with (the field prepares the value for the database, as a filter would). Run it with
    `get(**values)` inside the transaction that needs it."""

    def __init__(self, build: Callable[..., models.QuerySet], **parameters: models.Field) -> None:
        self._build = build
        self._parameters = parameters
        self._key = f"clinic_compiled_query_{id(self)}"

    def _compiled(self, connection) -> _Compiled:
        compiled = connection.__dict__.get(self._key)
        if compiled is None:
            stand_ins = {name: _stand_in(field) for name, field in self._parameters.items()}
            compiled = _Compiled.of(self._build(**stand_ins), connection)
            for name, field in self._parameters.items():
                prepared = field.get_db_prep_value(stand_ins[name], connection)
                found = [i for i, param in enumerate(compiled.params) if param == prepared]
                if len(found) != 1:
                    raise ValueError(f"The parameter {name!r} is not once in the query.")
                compiled.places[name] = (found[0], field)
            # Kept with the connection: each thread has its own (and its own converters).
            connection.__dict__[self._key] = compiled
        return compiled

    def get(self, *, using: str = "default", **values):
        """The one row the query finds, as Django's `.get()` gives it (DoesNotExist if none)."""
        rows = self.all(using=using, **values)
        if not rows:
            model = self._compiled(connections[using]).model
            raise model.DoesNotExist(  # type: ignore[attr-defined]
                f"{model._meta.object_name} matching query does not exist."
            )
        if len(rows) > 1:
            model = rows[0].__class__
            raise model.MultipleObjectsReturned(f"get() returned more than one {model.__name__}.")
        return rows[0]

    def all(self, *, using: str = "default", **values) -> list:
        """Every row the query finds, as model instances."""
        connection = connections[using]
        compiled = self._compiled(connection)
        if compiled.locks and connection.get_autocommit():
            # As Django refuses it: a lock outside a transaction would be released at once.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(compiled.params)
        for name, (place, field) in compiled.places.items():
            params[place] = field.get_db_prep_value(values[name], connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return compiled.instances(rows, connection.alias)
