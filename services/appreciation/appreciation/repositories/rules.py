"""Centrales and their rules: each centrale's own copy of the defaults, which its staff change."""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Sequence
from typing import Any, Protocol

from appreciation.domain import Rule, RuleKind, RuleParams, parse_params
from common.db import Connection

__all__ = ["CentraleRepository", "PostgresCentraleRepository", "PostgresRuleRepository", "RuleRepository"]


class CentraleRepository(Protocol):
    """The centrales appreciation has seen, and how certificates name them."""

    async def add_new(self, centrale_ids: Collection[str]) -> list[str]:
        """Remember the centrales; the ones not seen before, sorted."""
        ...

    async def display_name(self, centrale_id: str) -> str | None:
        """How certificates name the centrale (None until staff set it, or for an unknown centrale)."""
        ...

    async def set_display_name(self, centrale_id: str, display_name: str) -> None:
        """Name the centrale (it must have been added)."""
        ...


class RuleRepository(Protocol):
    """Every centrale's rules; a rule id is never reused or deleted, since award ids derive from it."""

    async def add(self, rule: Rule) -> bool:
        """Store a new rule; False when the centrale has a rule with that id."""
        ...

    async def add_all(self, rules: Sequence[Rule]) -> None:
        """Store rules, leaving any whose id is taken."""
        ...

    async def active(self, centrale_ids: Collection[str], kinds: Collection[RuleKind]) -> list[Rule]:
        """The switched-on rules of ``kinds`` of those centrales, by centrale and rule id."""
        ...

    async def of_centrale(self, centrale_id: str) -> list[Rule]:
        """Every rule of the centrale, switched on or off, by kind and rule id."""
        ...

    async def get_for_update(self, centrale_id: str, rule_id: str) -> Rule | None:
        """One rule, locked until the transaction ends (changes to it are made one at a time)."""
        ...

    async def update(self, rule: Rule) -> None:
        """Store a rule's title, parameters and whether it is on."""
        ...


class PostgresCentraleRepository:
    """``CentraleRepository`` on the ``centrales`` table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_new(self, centrale_ids: Collection[str]) -> list[str]:
        """Remember the centrales; the ones not seen before, sorted."""
        rows = await self._conn.fetch(
            "INSERT INTO centrales (id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING RETURNING id",
            sorted(set(centrale_ids)),
        )
        return sorted(row["id"] for row in rows)

    async def display_name(self, centrale_id: str) -> str | None:
        """How certificates name the centrale."""
        name: str | None = await self._conn.fetchval("SELECT display_name FROM centrales WHERE id = $1", centrale_id)
        return name

    async def set_display_name(self, centrale_id: str, display_name: str) -> None:
        """Name the centrale."""
        await self._conn.execute("UPDATE centrales SET display_name = $2 WHERE id = $1", centrale_id, display_name)


def _params_json(params: RuleParams) -> str:
    return json.dumps(params.model_dump(mode="json", exclude={"kind"}))


@functools.lru_cache(maxsize=1024)
def _stored_params(kind: str, params: str) -> RuleParams:
    # Parsed once per stored text: every run of hours reads its centrales' rules again, and the
    # parameters are frozen models that nothing changes, safe to share between the rules read.
    return parse_params(kind, json.loads(params))


def _rule(row: Any) -> Rule:
    return Rule(
        centrale_id=row["centrale_id"],
        rule_id=row["rule_id"],
        kind=RuleKind(row["kind"]),
        title=row["title"],
        params=_stored_params(row["kind"], row["params"]),
        active=row["active"],
    )


_SELECT = "SELECT centrale_id, rule_id, kind, title, params, active FROM rules"


class PostgresRuleRepository:
    """``RuleRepository`` on the ``rules`` table (parameters as JSON, without their kind)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, rule: Rule) -> bool:
        """Store a new rule; False when the id is taken."""
        inserted = await self._conn.fetchval(
            "INSERT INTO rules (centrale_id, rule_id, kind, title, params, active)"
            " VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT DO NOTHING RETURNING true",
            rule.centrale_id,
            rule.rule_id,
            rule.kind.value,
            rule.title,
            _params_json(rule.params),
            rule.active,
        )
        return bool(inserted)

    async def add_all(self, rules: Sequence[Rule]) -> None:
        """Store rules in one statement, leaving any whose id is taken."""
        await self._conn.execute(
            "INSERT INTO rules (centrale_id, rule_id, kind, title, params, active)"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::boolean[])"
            " ON CONFLICT DO NOTHING",
            [rule.centrale_id for rule in rules],
            [rule.rule_id for rule in rules],
            [rule.kind.value for rule in rules],
            [rule.title for rule in rules],
            [_params_json(rule.params) for rule in rules],
            [rule.active for rule in rules],
        )

    async def active(self, centrale_ids: Collection[str], kinds: Collection[RuleKind]) -> list[Rule]:
        """The switched-on rules of ``kinds`` of those centrales."""
        rows = await self._conn.fetch(
            f"{_SELECT} WHERE centrale_id = ANY($1::text[]) AND active AND kind = ANY($2::text[])"
            " ORDER BY centrale_id, rule_id",
            list(centrale_ids),
            [kind.value for kind in kinds],
        )
        return [_rule(row) for row in rows]

    async def of_centrale(self, centrale_id: str) -> list[Rule]:
        """Every rule of the centrale."""
        rows = await self._conn.fetch(f"{_SELECT} WHERE centrale_id = $1 ORDER BY kind, rule_id", centrale_id)
        return [_rule(row) for row in rows]

    async def get_for_update(self, centrale_id: str, rule_id: str) -> Rule | None:
        """One rule, locked until the transaction ends."""
        row = await self._conn.fetchrow(
            f"{_SELECT} WHERE centrale_id = $1 AND rule_id = $2 FOR UPDATE", centrale_id, rule_id
        )
        return _rule(row) if row is not None else None

    async def update(self, rule: Rule) -> None:
        """Store a rule's title, parameters and whether it is on."""
        await self._conn.execute(
            "UPDATE rules SET title = $3, params = $4::jsonb, active = $5, updated_at = now()"
            " WHERE centrale_id = $1 AND rule_id = $2",
            rule.centrale_id,
            rule.rule_id,
            rule.title,
            _params_json(rule.params),
            rule.active,
        )
