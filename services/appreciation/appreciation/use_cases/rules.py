"""Rules as data: each centrale's own copy of the defaults, which its staff add to, change and switch off.

A rule added later, or whose parameters change later (this year's NLdoet dates, a new milestone), is evaluated
over the history once, when it is saved: every volunteer of the centrale who already meets it gets the award,
marked **historic**, so it is on their record and certificate but the registry sends no thank-you for what
happened before (no old thanks re-sent, none sent late). From then on it applies at each new activity like any
rule, thanked as usual. Awards already given stay (their ids derive from rule, volunteer and occurrence, so
nothing is given twice). A rule only switched on again applies as before: at the next activity, and in the
daily anniversary run.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from appreciation import domain
from appreciation.domain import AwardTrigger, Rule, RuleKind, RuleParams, VolunteerFacts, parse_params
from appreciation.unit_of_work import AppreciationUnitOfWork
from appreciation.use_cases._awarding import awaits_own_centrale, ensure_centrales, give
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

# What an award given by evaluating a saved rule over history names as its trigger (no event of another service).
RULE_SAVED = "appreciation.rule_saved"
_RULE_NAMESPACE = uuid.UUID("6f1c1b0e-5d1e-4c8e-9a57-3f1d2a7c9b10")


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
    return rule_record(rule) | {"awarded_over_history": len(await _evaluate_over_history(uow, rule))}


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
    # New parameters (this year's NLdoet dates, another threshold) are evaluated over history; a rule only switched
    # on again applies as before, at each volunteer's next activity and in the daily anniversary run.
    reevaluate = command.params is not None and changed.params != current.params
    awarded = await _evaluate_over_history(uow, changed) if reevaluate else []
    return rule_record(changed) | {"awarded_over_history": len(awarded)}


async def _evaluate_over_history(uow: AppreciationUnitOfWork, rule: Rule) -> list[uuid.UUID]:
    """Award, as history, what the centrale's volunteers already earned under ``rule``; the new awards' ids.

    Only volunteer rules (a partner's team-day thanks follow its next day). One read of the volunteers, their
    hours and their matches, then the awards in one go, in the saving's transaction.
    """
    if not rule.active or rule.kind not in domain.VOLUNTEER_KINDS:
        return []
    volunteers = await uow.volunteers.of_centrale(rule.centrale_id)
    ids = [volunteer.id for volunteer in volunteers]
    hours: dict[uuid.UUID, list[tuple[date, Decimal]]] = defaultdict(list)
    for entry in await uow.hours.of_volunteers(ids):
        hours[entry.volunteer_id].append((entry.worked_on, entry.hours))
    matches = await uow.matches.counts(ids)
    today, now = uow.today(), uow.now()
    version = f"{rule.centrale_id}/{rule.rule_id}/{rule.params.model_dump_json()}/{rule.active}"
    trigger = AwardTrigger(uuid.uuid5(_RULE_NAMESPACE, version), RULE_SAVED, today, historic=True)
    due = []
    for volunteer in volunteers:
        if awaits_own_centrale(volunteer):
            continue
        facts = VolunteerFacts(
            volunteer_id=volunteer.id,
            centrale_id=volunteer.centrale_id,
            age_band=volunteer.age_band,
            registered_on=volunteer.registered_on,
            matches=matches.get(volunteer.id, 0),
            hours=hours.get(volunteer.id, []),
        )
        due += [
            (domain.award(rule, volunteer.id, "volunteer", occurrence, trigger, now), None)
            for _, occurrence in domain.awards_due([rule], facts, today)
        ]
    return await give(uow, due)


async def set_display_name(command: SetDisplayName, uow: AppreciationUnitOfWork) -> None:
    """The name certificates print for the centrale."""
    await ensure_centrales(uow, [command.centrale_id])
    await uow.centrales.set_display_name(command.centrale_id, command.display_name)
