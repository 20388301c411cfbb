"""Rules as data: each centrale's own copy of the defaults, which its staff add to, change and switch off."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from appreciation.domain import DEFAULT_RULES, Rule, RuleKind, RuleParams, parse_params
from appreciation.use_cases._shared import Conflict, NotFound, Rejected
from common.db import Connection

__all__ = [
    "active_rules",
    "add_rule",
    "change_rule",
    "ensure_centrale",
    "list_rules",
    "params_or_rejected",
    "rule_record",
    "set_display_name",
]


def _params_json(params: RuleParams) -> str:
    return json.dumps(params.model_dump(mode="json", exclude={"kind"}))


async def ensure_centrale(conn: Connection, centrale_id: str) -> None:
    """Remember the centrale; the first time, give it the default rules (as its own, to change freely)."""
    created = await conn.fetchval(
        "INSERT INTO centrales (id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING true", centrale_id
    )
    if created:
        await conn.executemany(
            "INSERT INTO rules (centrale_id, rule_id, kind, title, params) VALUES ($1, $2, $3, $4, $5::jsonb)"
            " ON CONFLICT DO NOTHING",
            [(centrale_id, rule_id, kind.value, title, _params_json(params)) for rule_id, kind, title, params in
             DEFAULT_RULES],
        )  # fmt: skip


def _rule(row: Any) -> Rule:
    return Rule(
        centrale_id=row["centrale_id"],
        rule_id=row["rule_id"],
        kind=RuleKind(row["kind"]),
        title=row["title"],
        params=parse_params(row["kind"], json.loads(row["params"])),
        active=row["active"],
    )


def rule_record(rule: Rule) -> dict[str, Any]:
    """A rule as the API shows it."""
    return {
        "rule_id": rule.rule_id,
        "kind": rule.kind.value,
        "title": rule.title,
        "params": rule.params.model_dump(mode="json", exclude={"kind"}),
        "active": rule.active,
    }


async def active_rules(conn: Connection, centrale_id: str, kinds: Iterable[RuleKind]) -> list[Rule]:
    """The centrale's switched-on rules of the given kinds (the defaults, the first time it is seen)."""
    await ensure_centrale(conn, centrale_id)
    rows = await conn.fetch(
        "SELECT * FROM rules WHERE centrale_id = $1 AND active AND kind = ANY($2::text[]) ORDER BY rule_id",
        centrale_id,
        [kind.value for kind in kinds],
    )
    return [_rule(row) for row in rows]


async def list_rules(conn: Connection, centrale_id: str) -> list[dict[str, Any]]:
    """Every rule of the centrale, switched on or off."""
    await ensure_centrale(conn, centrale_id)
    rows = await conn.fetch("SELECT * FROM rules WHERE centrale_id = $1 ORDER BY kind, rule_id", centrale_id)
    return [rule_record(_rule(row)) for row in rows]


def params_or_rejected(kind: RuleKind, params: dict[str, Any]) -> RuleParams:
    """Typed parameters, or Rejected naming each parameter that is wrong."""
    try:
        return parse_params(kind, params)
    except ValidationError as error:
        reasons = [
            f"{'.'.join(str(part) for part in issue['loc'][1:]) or 'params'}: {issue['msg']}"
            for issue in error.errors(include_url=False)
        ]
        raise Rejected(reasons, field="params") from error


async def add_rule(
    conn: Connection, centrale_id: str, rule_id: str, kind: RuleKind, title: str, params: dict[str, Any], active: bool
) -> dict[str, Any]:
    """Add a rule; Conflict when the id is taken (ids are never reused: awards derive theirs from them)."""
    typed = params_or_rejected(kind, params)
    async with conn.transaction():
        await ensure_centrale(conn, centrale_id)
        inserted = await conn.fetchval(
            "INSERT INTO rules (centrale_id, rule_id, kind, title, params, active)"
            " VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT DO NOTHING RETURNING true",
            centrale_id, rule_id, kind.value, title, _params_json(typed), active,
        )  # fmt: skip
        if not inserted:
            raise Conflict(f"rule {rule_id} exists; change it or choose another id")
    return rule_record(Rule(centrale_id, rule_id, kind, title, typed, active))


async def change_rule(
    conn: Connection,
    centrale_id: str,
    rule_id: str,
    *,
    title: str | None,
    params: dict[str, Any] | None,
    active: bool | None,
) -> dict[str, Any]:
    """Change a rule's title, parameters or whether it is on; awards already given stay."""
    async with conn.transaction():
        await ensure_centrale(conn, centrale_id)
        row = await conn.fetchrow(
            "SELECT * FROM rules WHERE centrale_id = $1 AND rule_id = $2 FOR UPDATE", centrale_id, rule_id
        )
        if row is None:
            raise NotFound(f"rule {rule_id} not found")
        current = _rule(row)
        typed = current.params if params is None else params_or_rejected(current.kind, params)
        changed = Rule(
            centrale_id,
            rule_id,
            current.kind,
            current.title if title is None else title,
            typed,
            current.active if active is None else active,
        )
        await conn.execute(
            "UPDATE rules SET title = $3, params = $4::jsonb, active = $5, updated_at = now()"
            " WHERE centrale_id = $1 AND rule_id = $2",
            centrale_id, rule_id, changed.title, _params_json(changed.params), changed.active,
        )  # fmt: skip
    return rule_record(changed)


async def set_display_name(conn: Connection, centrale_id: str, display_name: str) -> None:
    """The name certificates print for the centrale."""
    await ensure_centrale(conn, centrale_id)
    await conn.execute("UPDATE centrales SET display_name = $2 WHERE id = $1", centrale_id, display_name)
