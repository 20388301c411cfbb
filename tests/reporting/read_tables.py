"""Which tables a figures read names, and which of them lack the trigger that moves the read version."""

from __future__ import annotations

import inspect
import re
from datetime import datetime

import asyncpg

from reporting import cells, queries
from reporting.periods import Period

# FROM and JOIN targets: common table expressions and functions are among them, and are no tables.
_NAMED = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)")


def relations_a_read_names() -> set[str]:
    """Every name after FROM or JOIN in the statements of a figures read and of its configuration."""
    statements = [query for query, _ in cells._statements(Period.parse("2026"), datetime(2026, 6, 1)).values()]
    statements.append(cells._NEXT_MARK)
    named = {name for statement in statements for name in _NAMED.findall(statement)}
    return named | set(_NAMED.findall(inspect.getsource(queries.load_config)))


async def tables_without_read_trigger(pool: asyncpg.Pool) -> list[str]:
    """The tables of ``public`` a figures read names that have no ``reads_changed`` trigger."""
    rows = await pool.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname = ANY($1::text[])"
        " AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'reads_changed')",
        sorted(relations_a_read_names()),
    )
    return sorted(row["relname"] for row in rows)
