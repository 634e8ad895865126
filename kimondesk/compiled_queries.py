"""Hot read queries compiled to SQL once per process; each call only fills in the values.

Building a queryset and compiling it to SQL cost about a third of the worker's CPU for one
escalation (docs/benchmarks.md, "Fourth pass"): the same few statements every time, the same
shape, only the ids differ. A ``CompiledQuery`` builds its queryset once per process, database and
shape with placeholder values, keeps the SQL and what Django's compiler worked out to turn rows
into model instances (``select_related`` and annotations included), and on each call runs that
SQL with the real values in the placeholders' places.

The cache is per process, not per connection object: under ASGI, Django gives every request its
own connection object (connections are context-local), so a cache kept on it would be compiled
again on every request. Nothing kept refers to a connection but the backend's value converters,
which read only settings; each call runs on the caller's current connection.

What may vary between calls is declared: named values (``int`` or ``str``, never None: a None
would need ``IS NULL``, another statement) and an optional hashable *shape* passed positionally
to the builder (e.g. the tuple of trigger kinds of an ``__in`` filter), which selects its own
compiled statement. Everything else the builder writes is constant. The first compilation checks
that each placeholder reached the parameters exactly once and the SQL text not at all (a value
Django inlines, such as a slice bound, must be part of the shape), so a query that cannot be
compiled this way fails at once rather than returning another query's rows.

Querysets of model instances (``all``, ``first``, ``get``) and ``values_list`` querysets
(``rows``) compile; ``values()`` dicts and ``prefetch_related`` do not.

Inserts of new rows on the hot paths (a ticket's event, message and notes, an escalation, its
audit rows and notifications) go through ``rows_insert``: the ``INSERT … RETURNING`` that
``bulk_create`` would write, built once per model and row count.
On PostgreSQL these statements, and the write path's fixed-shape SQL, run through
``statement_cursor``: prepared on each connection, so PostgreSQL parses and plans each once per
connection instead of on every run (planning a query of five joins cost more than running it:
docs/benchmarks.md, "Seventh pass"). The cursor is wrapped as ``connection.cursor()`` wraps its
own: query logging, ``CaptureQueriesContext`` and execute wrappers see the statements as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import NOT_PROVIDED, Field, Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

ParamType = type[int] | type[str]

# Placeholder values no real row id or key takes; each parameter gets its own.
_INT_PLACEHOLDER_BASE = -7_300_000_000_000_000_000
_STR_PLACEHOLDER_PREFIX = "\x1fcompiled-query-placeholder-"


def _placeholder(param_type: ParamType, index: int) -> int | str:
    if param_type is int:
        return _INT_PLACEHOLDER_BASE - index
    return f"{_STR_PLACEHOLDER_PREFIX}{index}\x1f"


def _converted(row: Any, converters: Any, connection: Any) -> list[Any]:
    """``row`` with Django's value converters applied, as its compiler would apply them."""
    values = list(row)
    for position, convs, expression in converters:
        value = values[position]
        for convert in convs:
            value = convert(value, expression, connection)
        values[position] = value
    return values


@dataclass(frozen=True)
class _Statement:
    """One compiled statement: its SQL, its parameters with the slots to fill, and what turns
    its rows into model instances (or tuples, or single values)."""

    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, value name)
    model: Any  # the queryset's model class
    iterable: type
    # (column, converters, expression): Django's value converters of each column needing one.
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]
    for_update: bool
    # Model instances only:
    init_list: tuple[str, ...] = ()
    fields_start: int = 0
    fields_end: int = 0
    populators: tuple[Any, ...] = ()
    annotations: tuple[tuple[str, int], ...] = ()


_statements: dict[tuple[Any, tuple[Hashable, ...], str], _Statement] = {}


def compiled_statements_forget() -> None:
    """Compile every query and build every insert again on its next use (tests that count
    compilations, or that must run the builders)."""
    _statements.clear()
    _insert_statements.clear()
    _update_statements.clear()


class CompiledQuery(Generic[M]):
    """A queryset compiled once per connection and shape; see the module's docstring.

    ``build(*shape, **values)`` returns the queryset; ``values`` declares the name and type of
    each value that varies between calls.
    """

    def __init__(self, build: Callable[..., QuerySet[M, Any]], **values: ParamType) -> None:
        for name, param_type in values.items():
            if param_type not in (int, str):
                raise ImproperlyConfigured(f"{name}: only int and str values can be compiled")
        self._build = build
        self._values = values

    def all(self, *shape: Hashable, using: str = DEFAULT_DB_ALIAS, **values: int | str) -> list[M]:
        """The model instances, as iterating the queryset would give them."""
        statement, rows = self._run(shape, using, values)
        if statement.iterable is not ModelIterable:
            raise TypeError("a values_list query: use rows()")
        model = statement.model
        objects: list[M] = []
        for row in rows:
            obj = model.from_db(
                using, statement.init_list, row[statement.fields_start : statement.fields_end]
            )
            for populator in statement.populators:
                populator.populate(row, obj)
            for attname, position in statement.annotations:
                setattr(obj, attname, row[position])
            objects.append(obj)
        return objects

    def first(
        self, *shape: Hashable, using: str = DEFAULT_DB_ALIAS, **values: int | str
    ) -> M | None:
        found = self.all(*shape, using=using, **values)
        return found[0] if found else None

    def get(self, *shape: Hashable, using: str = DEFAULT_DB_ALIAS, **values: int | str) -> M:
        """Exactly one row, as ``QuerySet.get``: ``DoesNotExist`` or ``MultipleObjectsReturned``."""
        found = self.all(*shape, using=using, **values)
        if len(found) == 1:
            return found[0]
        model = self._statement(shape, using).model
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        raise model.MultipleObjectsReturned(
            f"get() returned more than one {model._meta.object_name} -- it returned {len(found)}!"
        )

    def rows(
        self, *shape: Hashable, using: str = DEFAULT_DB_ALIAS, **values: int | str
    ) -> list[Any]:
        """A ``values_list`` query's rows: tuples, or single values when it is ``flat``."""
        statement, rows = self._run(shape, using, values)
        if statement.iterable is FlatValuesListIterable:
            return [row[0] for row in rows]
        if statement.iterable is ValuesListIterable:
            return [tuple(row) for row in rows]
        raise TypeError("a query of model instances: use all(), first() or get()")

    def _run(
        self, shape: tuple[Hashable, ...], using: str, values: dict[str, int | str]
    ) -> tuple[_Statement, Iterable[list[Any]]]:
        if values.keys() != self._values.keys():
            raise TypeError(f"expected the values {sorted(self._values)}, got {sorted(values)}")
        statement = self._statement(shape, using)
        params = list(statement.params)
        for position, name in statement.slots:
            value = values[name]
            if not isinstance(value, self._values[name]) or isinstance(value, bool):
                raise TypeError(f"{name}: expected {self._values[name].__name__}, got {value!r}")
            params[position] = value
        connection = connections[using]
        if statement.for_update and connection.get_autocommit():
            # What Django's compiler checks before each SELECT … FOR UPDATE.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with statement_cursor(connection) as cursor:
            cursor.execute(statement.sql, params)
            rows: Iterable[list[Any]] = cursor.fetchall()
        if statement.converters:
            rows = [_converted(row, statement.converters, connection) for row in rows]
        return statement, rows

    def _statement(self, shape: tuple[Hashable, ...], using: str) -> _Statement:
        key = (self, shape, using)
        statement = _statements.get(key)
        if statement is None:
            # Two threads may both compile the first time: the same statement, either is kept.
            statement = _statements[key] = self._compile(shape, using)
        return statement

    def _compile(self, shape: tuple[Hashable, ...], using: str) -> _Statement:
        placeholders = {
            name: _placeholder(param_type, index)
            for index, (name, param_type) in enumerate(self._values.items())
        }
        queryset = self._build(*shape, **placeholders)
        name = getattr(self._build, "__qualname__", repr(self._build))
        iterable = queryset._iterable_class
        if (
            iterable not in (ModelIterable, ValuesListIterable, FlatValuesListIterable)
            or queryset._prefetch_related_lookups  # type: ignore[attr-defined]
        ):
            raise ImproperlyConfigured(
                f"{name}: only querysets of model instances or values_list compile"
            )
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for value_name, placeholder in placeholders.items():
            positions = [i for i, p in enumerate(params) if p == placeholder]
            if len(positions) != 1 or str(placeholder) in sql:
                raise ImproperlyConfigured(
                    f"{name}: the value {value_name!r} must reach the statement's parameters "
                    f"exactly once (found {len(positions)} times)"
                )
            slots.append((positions[0], value_name))
        if compiler.has_extra_select:
            raise ImproperlyConfigured(f"{name}: an ordering outside the selected columns")
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ImproperlyConfigured(f"{name}: composite fields are not compiled")
        statement = _Statement(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            model=queryset.model,
            iterable=iterable,
            converters=tuple(
                (position, tuple(convs), expression)
                for position, (convs, expression) in compiler.get_converters(columns).items()
            ),
            for_update=queryset.query.select_for_update,
        )
        if iterable is not ModelIterable:
            return statement
        klass_info = compiler.klass_info
        assert klass_info is not None
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return replace(
            statement,
            init_list=tuple(f[0].target.attname for f in compiler.select[start:end]),
            fields_start=start,
            fields_end=end,
            populators=tuple(get_related_populators(klass_info, compiler.select, using)),
            annotations=tuple(compiler.annotation_col_map.items()),
        )


# --- Inserts ------------------------------------------------------------------------------------
_insert_statements: dict[tuple[Any, int, str, bool], tuple[str, tuple[Any, ...]]] = {}
_update_statements: dict[tuple[Any, tuple[str, ...], str], tuple[str, tuple[Any, ...]]] = {}


def insert_head(model: type[Model], rows: int, using: str) -> tuple[str, tuple[Any, ...]]:
    """``INSERT INTO table (columns) VALUES (%s, …), …`` for ``rows`` rows of ``model``, and the
    fields it writes in column order (every concrete field but an automatic primary key), as
    ``bulk_create`` writes them: what ``rows_insert`` and the hand-written upserts share (they
    append ``RETURNING`` or ``ON CONFLICT …``). Refuses fields it would have to compile."""
    meta = model._meta
    # An automatic primary key is the database's to give; one the model declares (a one-to-one
    # key) is written.
    fields = tuple(f for f in meta.concrete_fields if f is not meta.auto_field and not f.generated)
    for field in fields:
        if field.db_default is not NOT_PROVIDED or hasattr(field, "get_placeholder"):
            raise ImproperlyConfigured(
                f"{meta.label}.{field.name}: a database default or a custom placeholder is not "
                "compiled; use bulk_create"
            )
    quote = connections[using].ops.quote_name
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 (model names; values are parameters)
        f"({', '.join(quote(f.column) for f in fields)}) VALUES {', '.join([row] * rows)}"
    )
    return sql, fields


def insert_values(
    fields: tuple[Any, ...], values: dict[str, Any], *, using: str = DEFAULT_DB_ALIAS
) -> list[Any]:
    """One row's parameters for ``insert_head``'s fields, from values by attribute name,
    prepared for the database."""
    connection = connections[using]
    return [field.get_db_prep_save(values[field.attname], connection) for field in fields]


def _insert_statement(
    model: type[Model], rows: int, using: str, *, ignore_conflicts: bool
) -> tuple[str, tuple[Any, ...]]:
    """The ``INSERT … VALUES … RETURNING pk`` (or, ignoring conflicts, ``… ON CONFLICT DO
    NOTHING``) of ``rows`` rows of ``model`` and the fields it writes, as ``bulk_create`` writes
    them; built once per process, model, row count, kind and database."""
    key = (model, rows, using, ignore_conflicts)
    found = _insert_statements.get(key)
    if found is not None:
        return found
    head, fields = insert_head(model, rows, using)
    quote = connections[using].ops.quote_name
    tail = (
        "ON CONFLICT DO NOTHING"
        if ignore_conflicts
        else f"RETURNING {quote(model._meta.pk.column)}"
    )
    found = _insert_statements[key] = (f"{head} {tail}", fields)
    return found


def rows_insert(
    objs: list[M], *, using: str = DEFAULT_DB_ALIAS, ignore_conflicts: bool = False
) -> list[M]:
    """Insert new model instances in one statement, as ``bulk_create`` would (``auto_now_add``
    and the other ``pre_save`` values filled, primary keys set from ``RETURNING``, no signals),
    with its SQL built once per model and row count instead of on every call.

    For the hot writes of a few rows (an escalation's audit rows, its notifications): values
    must be plain (no expressions), automatic primary keys unset, and the model's fields without
    database defaults. Errors are the database's, as ``bulk_create`` raises them
    (``IntegrityError``). With ``ignore_conflicts`` a row that would break a unique constraint is
    skipped (``ON CONFLICT DO NOTHING``) and, as with ``bulk_create``, automatic primary keys are
    left unset.
    """
    if not objs:
        return objs
    connection = connections[using]
    model = type(objs[0])
    if not connection.features.can_return_rows_from_bulk_insert:
        return model._default_manager.using(using).bulk_create(
            objs, ignore_conflicts=ignore_conflicts
        )
    sql, fields = _insert_statement(model, len(objs), using, ignore_conflicts=ignore_conflicts)
    automatic_pk = model._meta.auto_field is model._meta.pk
    params: list[Any] = []
    for obj in objs:
        if automatic_pk and obj.pk is not None:
            raise ValueError(f"{obj!r} has a primary key already: rows_insert only inserts")
        obj._prepare_related_fields_for_save(operation_name="rows_insert")  # type: ignore[attr-defined]
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                raise ValueError(f"{field.name}: an expression is not compiled; use bulk_create")
            params.append(field.get_db_prep_save(value, connection=connection))
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        keys = [] if ignore_conflicts else cursor.fetchall()
    if ignore_conflicts:
        return objs
    for obj, (pk,) in zip(objs, keys, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
    return objs


def row_update(obj: Model, fields: list[str], *, using: str = DEFAULT_DB_ALIAS) -> int:
    """``obj.save(update_fields=fields)`` in one statement built once per model and fields
    (no signals, ``pre_save`` values such as ``auto_now`` filled); the rows updated (0 or 1)."""
    connection = connections[using]
    model = type(obj)
    key = (model, tuple(fields), using)
    found = _update_statements.get(key)
    if found is None:
        meta = model._meta
        quote = connection.ops.quote_name
        columns: list[Field[Any, Any]] = []
        for name in fields:
            field = meta.get_field(name)
            if not isinstance(field, Field) or field.column is None or field.primary_key:
                raise ImproperlyConfigured(f"{meta.label}.{name}: not a column row_update writes")
            columns.append(field)
        assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in columns)
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608 (model names)
            f"WHERE {quote(meta.pk.column)} = %s"
        )
        found = _update_statements[key] = (sql, tuple(columns))
    sql, targets = found
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection=connection) for f in targets]
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, [*params, obj.pk])
        return cursor.rowcount


# --- Prepared statements (PostgreSQL) -----------------------------------------------------------
def _prepares(connection: BaseDatabaseWrapper) -> bool:
    """Whether statements run here are prepared on their connection: on PostgreSQL when its
    OPTIONS set a ``prepare_threshold`` (``DB_PREPARED_STATEMENTS``, on by default)."""
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    )


@functools.cache
def _preparing_cursor_factory() -> Callable[[BaseDatabaseWrapper], Any]:
    """The function that opens a preparing cursor on a PostgreSQL connection (built on first
    use: the PostgreSQL backend loads psycopg, which SQLite runs never need)."""
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    class PreparingCursor(ServerBindingCursor):
        """Server-side binding, and every statement prepared: PostgreSQL parses and plans it on
        its first run on a connection and only binds the values afterwards."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, **{**kwargs, "prepare": True})

        def _send_query_prepared(self, name: bytes, pgq: Any, **kwargs: Any) -> None:
            # psycopg keeps the query for Django's query log (``last_executed_query``) only
            # when it runs unprepared; kept here for a prepared run too.
            self._query = pgq
            super()._send_query_prepared(name, pgq, **kwargs)

    def cursor_open(db: BaseDatabaseWrapper) -> Any:
        cursor = PreparingCursor(db.connection)
        # As Django's create_cursor: timestamps read in the connection's zone.
        timestamptz = cursor.adapters.types["timestamptz"].oid
        if db.timezone != cursor.adapters.get_loader(timestamptz, Format.TEXT).timezone:
            register_tzloader(db.timezone, cursor)
        return cursor

    return cursor_open


def statement_cursor(connection: BaseDatabaseWrapper) -> Any:
    """A cursor for the hot statements (this module's, and the fixed-shape SQL of the write
    path), wrapped as ``connection.cursor()`` wraps its own (query logging,
    ``CaptureQueriesContext``, execute wrappers), that prepares them on PostgreSQL.

    The rest of the ORM keeps client-side binding and is never prepared (the connection's
    threshold is out of reach): its statements vary in shape (``IN`` lists of any length), and
    preparing them all was measured slower (docs/benchmarks.md, "Seventh pass")."""
    # The context-local wrapper, looked up once (``django.db.connection`` looks it up again on
    # every attribute).
    db = connections[connection.alias]
    if not _prepares(db):
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        return db._prepare_cursor(_preparing_cursor_factory()(db))  # type: ignore[attr-defined]
