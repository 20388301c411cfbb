"""Statements built from a repository's column constants: table and column names are never input."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["insert_unnest", "insert_values", "select"]


def select(table: str, columns: Sequence[str], alias: str = "") -> str:
    """``SELECT <columns> FROM <table> [alias]``, for a WHERE clause to follow."""
    prefix = f"{alias}." if alias else ""
    listed = ", ".join(prefix + column for column in columns)
    return f"SELECT {listed} FROM {table} {alias}".rstrip()  # noqa: S608


def insert_values(table: str, columns: Sequence[str]) -> str:
    """``INSERT INTO <table> (<columns>) VALUES ($1, …)``, for an ON CONFLICT clause to follow."""
    placeholders = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608


def insert_unnest(table: str, columns: Sequence[str], types: Sequence[str]) -> str:
    """``INSERT INTO <table> (<columns>) SELECT * FROM unnest($1::<type>[], …)``: many rows, one array per column."""
    arrays = ", ".join(f"${n}::{kind}[]" for n, kind in enumerate(types, start=1))
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"  # noqa: S608
