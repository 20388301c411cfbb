"""Completeness checks of the scenarios that run services: expected against found, and one value from a database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

__all__ = ["Check", "failed", "fetch_value"]


@dataclass(frozen=True)
class Check:
    """One completeness check: what was expected, what was found."""

    name: str
    expected: Any
    found: Any

    @property
    def ok(self) -> bool:
        """Whether found equals expected."""
        return bool(self.expected == self.found)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON result."""
        return {"name": self.name, "expected": str(self.expected), "found": str(self.found), "ok": self.ok}


def failed(checks: list[Check]) -> list[str]:
    """The checks that did not hold, in words."""
    return [f"{check.name}: expected {check.expected}, found {check.found}" for check in checks if not check.ok]


async def fetch_value(dsn: str, query: str) -> Any:
    """One value from a service's database."""
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()
