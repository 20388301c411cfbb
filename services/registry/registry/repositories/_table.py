"""One table's columns, known once: a record dataclass whose fields are the columns, and the SQL they make."""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import asyncpg

__all__ = ["Row", "Table"]


class Row(Protocol):
    """A record dataclass: each field is a column of its table, in the table's own name and type."""

    __dataclass_fields__: ClassVar[dict[str, Any]]


R = TypeVar("R", bound=Row)


class Table(Generic[R]):
    """The SQL of one table, spelled from its record's fields (so a column is named in one place only).

    ``json_columns`` are ``jsonb`` columns: written as JSON text, read back as Python values.
    Table and column names come from the record classes, never from a request.
    """

    def __init__(self, name: str, record: type[R], *, key: str = "id", json_columns: Iterable[str] = ()) -> None:
        self.name = name
        self.record = record
        self.key = key
        self.columns: tuple[str, ...] = tuple(f.name for f in fields(record))
        self.json_columns = frozenset(json_columns)
        unknown = (self.json_columns | {key}) - set(self.columns)
        if unknown:
            raise ValueError(f"{name}: {sorted(unknown)} are not fields of {record.__name__}")
        # ``values`` runs once per row of a bulk COPY (an import of 100,000 volunteers): one C-level getter.
        self._getter = operator.attrgetter(*self.columns) if len(self.columns) > 1 else None
        self._json_at = tuple(i for i, column in enumerate(self.columns) if column in self.json_columns)

    def select(self, where: str = "", *, then: str = "") -> str:
        """``SELECT <every column> FROM <table> [WHERE ...] [then]``."""
        sql = f"SELECT {', '.join(self.columns)} FROM {self.name}"  # noqa: S608  (names from the record)
        if where:
            sql += f" WHERE {where}"
        return f"{sql} {then}".rstrip()

    def insert(self, *, then: str = "") -> str:
        """``INSERT INTO <table> (<every column>) VALUES ($1, ...) [then]``; parameters from ``values``."""
        placeholders = ", ".join(f"${i}" for i in range(1, len(self.columns) + 1))
        columns = ", ".join(self.columns)
        return f"INSERT INTO {self.name} ({columns}) VALUES ({placeholders}) {then}".rstrip()  # noqa: S608

    def update(self, columns: Sequence[str]) -> str:
        """``UPDATE <table> SET <column> = $2, ... WHERE <key> = $1``; parameters from ``changes``."""
        unknown = set(columns) - set(self.columns)
        if unknown:
            raise ValueError(f"{self.name} has no columns {sorted(unknown)}")
        assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(columns, start=2))
        return f"UPDATE {self.name} SET {assignments} WHERE {self.key} = $1"  # noqa: S608  (names from the record)

    def values(self, record: R) -> list[Any]:
        """The record's values in column order, JSON columns as JSON text."""
        if self._getter is None:
            return [self._out(column, getattr(record, column)) for column in self.columns]
        values = list(self._getter(record))
        for at in self._json_at:
            values[at] = json.dumps(values[at])
        return values

    def changes(self, record: R, columns: Sequence[str]) -> list[Any]:
        """The key and the values of ``columns``, as ``update(columns)`` takes them."""
        return [getattr(record, self.key), *(self._out(column, getattr(record, column)) for column in columns)]

    def load(self, row: asyncpg.Record) -> R:
        """A record from a row selected with ``select``."""
        values = {column: row[column] for column in self.columns}
        for column in self.json_columns:
            values[column] = json.loads(values[column])
        return self.record(**values)

    def load_all(self, rows: Iterable[asyncpg.Record]) -> list[R]:
        """Records from rows selected with ``select``."""
        return [self.load(row) for row in rows]

    def _out(self, column: str, value: Any) -> Any:
        return json.dumps(value) if column in self.json_columns else value
