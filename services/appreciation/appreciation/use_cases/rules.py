"""Rules as data: each centrale's own copy of the defaults, which its staff add to, change and switch off."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from appreciation.domain import Rule, RuleKind, RuleParams, parse_params
from appreciation.unit_of_work import AppreciationUnitOfWork
from appreciation.use_cases._awarding import ensure_centrales
from common.errors import Conflict, NotFound, Rejected

__all__ = [
    "AddRule",
    "ChangeRule",
    "ListRules",
    "SetDisplayName",
    "add_rule",
    "change_rule",
    "list_rules",
    "params_or_rejected",
    "rule_record",
    "set_display_name",
]


@dataclass(frozen=True)
class ListRules:
    """Every rule of a centrale."""

    centrale_id: str


@dataclass(frozen=True)
class AddRule:
    """A new rule for a centrale; ``params`` as sent, checked against the kind."""

    centrale_id: str
    rule_id: str
    kind: RuleKind
    title: str
    params: dict[str, Any]
    active: bool = True


@dataclass(frozen=True)
class ChangeRule:
    """Changes to a rule (None: leave as it is)."""

    centrale_id: str
    rule_id: str
    title: str | None = None
    params: dict[str, Any] | None = None
    active: bool | None = None


@dataclass(frozen=True)
class SetDisplayName:
    """How certificates name the centrale."""

    centrale_id: str
    display_name: str


def rule_record(rule: Rule) -> dict[str, Any]:
    """A rule as the API shows it."""
    return {
        "rule_id": rule.rule_id,
        "kind": rule.kind.value,
        "title": rule.title,
        "params": rule.params.model_dump(mode="json", exclude={"kind"}),
        "active": rule.active,
    }


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


async def list_rules(query: ListRules, uow: AppreciationUnitOfWork) -> list[dict[str, Any]]:
    """Every rule of the centrale, switched on or off (the defaults, the first time it is seen)."""
    await ensure_centrales(uow, [query.centrale_id])
    return [rule_record(rule) for rule in await uow.rules.of_centrale(query.centrale_id)]


async def add_rule(command: AddRule, uow: AppreciationUnitOfWork) -> dict[str, Any]:
    """Add a rule; Conflict when the id is taken (ids are never reused: awards derive theirs from them)."""
    typed = params_or_rejected(command.kind, command.params)
    await ensure_centrales(uow, [command.centrale_id])
    rule = Rule(command.centrale_id, command.rule_id, command.kind, command.title, typed, command.active)
    if not await uow.rules.add(rule):
        raise Conflict(f"rule {command.rule_id} exists; change it or choose another id")
    return rule_record(rule)


async def change_rule(command: ChangeRule, uow: AppreciationUnitOfWork) -> dict[str, Any]:
    """Change a rule's title, parameters or whether it is on; awards already given stay."""
    await ensure_centrales(uow, [command.centrale_id])
    current = await uow.rules.get_for_update(command.centrale_id, command.rule_id)
    if current is None:
        raise NotFound(f"rule {command.rule_id} not found")
    changed = Rule(
        command.centrale_id,
        command.rule_id,
        current.kind,
        current.title if command.title is None else command.title,
        current.params if command.params is None else params_or_rejected(current.kind, command.params),
        current.active if command.active is None else command.active,
    )
    await uow.rules.update(changed)
    return rule_record(changed)


async def set_display_name(command: SetDisplayName, uow: AppreciationUnitOfWork) -> None:
    """The name certificates print for the centrale."""
    await ensure_centrales(uow, [command.centrale_id])
    await uow.centrales.set_display_name(command.centrale_id, command.display_name)
