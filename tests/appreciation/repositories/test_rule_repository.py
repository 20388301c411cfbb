"""Rule repository: the same behaviour in memory and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

from appreciation import domain
from appreciation.domain import RuleKind
from appreciation.unit_of_work import AppreciationUnitOfWork
from tests.appreciation.builders import rule


async def test_a_rule_id_is_taken_once_per_centrale(uow: AppreciationUnitOfWork) -> None:
    await uow.centrales.add_new(["vc-a", "vc-b"])
    first = rule("hours-15", RuleKind.HOURS_MILESTONE, {"hours": 15}, centrale_id="vc-a")

    assert await uow.rules.add(first) is True
    assert await uow.rules.add(replace(first, title="Anders")) is False
    assert await uow.rules.add(replace(first, centrale_id="vc-b")) is True
    assert [r.title for r in await uow.rules.of_centrale("vc-a")] == ["Titel hours-15"]


async def test_the_defaults_stored_at_once_keep_a_rule_already_there(uow: AppreciationUnitOfWork) -> None:
    await uow.centrales.add_new(["vc-a"])
    own = rule("nldoet", RuleKind.NLDOET, {"dates": ["2027-03-12"]}, centrale_id="vc-a")
    await uow.rules.add(own)

    await uow.rules.add_all(domain.default_rules("vc-a"))

    stored = {r.rule_id: r for r in await uow.rules.of_centrale("vc-a")}
    assert set(stored) == {rule_id for rule_id, *_ in domain.DEFAULT_RULES}
    assert stored["nldoet"] == own
    assert stored["mdt-basis"].params == domain.parse_params(RuleKind.MDT, {"min_hours": 80, "within_months": 6})


async def test_rules_are_listed_by_kind_then_id_and_only_active_ones_of_the_asked_kinds_count(
    uow: AppreciationUnitOfWork,
) -> None:
    await uow.centrales.add_new(["vc-a", "vc-b"])
    await uow.rules.add_all(
        [
            rule("hours-50", RuleKind.HOURS_MILESTONE, {"hours": 50}, centrale_id="vc-a"),
            rule("first-match", RuleKind.FIRST_MATCH, {}, centrale_id="vc-a"),
            rule("hours-10", RuleKind.HOURS_MILESTONE, {"hours": 10}, centrale_id="vc-a"),
            replace(rule("hours-25", RuleKind.HOURS_MILESTONE, {"hours": 25}, centrale_id="vc-a"), active=False),
            rule("hours-10", RuleKind.HOURS_MILESTONE, {"hours": 10}, centrale_id="vc-b"),
            rule("team", RuleKind.PARTNER_TEAM_DAY, {}, centrale_id="vc-b"),
        ]
    )

    listed = [(r.kind, r.rule_id) for r in await uow.rules.of_centrale("vc-a")]
    active = await uow.rules.active(["vc-b", "vc-a"], [RuleKind.HOURS_MILESTONE])

    assert listed == [
        (RuleKind.FIRST_MATCH, "first-match"),
        (RuleKind.HOURS_MILESTONE, "hours-10"),
        (RuleKind.HOURS_MILESTONE, "hours-25"),
        (RuleKind.HOURS_MILESTONE, "hours-50"),
    ]
    assert [(r.centrale_id, r.rule_id) for r in active] == [
        ("vc-a", "hours-10"),
        ("vc-a", "hours-50"),
        ("vc-b", "hours-10"),
    ]
    assert await uow.rules.active(["vc-c"], [RuleKind.HOURS_MILESTONE]) == []


async def test_a_changed_rule_keeps_its_kind_and_an_unknown_rule_is_none(uow: AppreciationUnitOfWork) -> None:
    await uow.centrales.add_new(["vc-a"])
    original = rule("hours-10", RuleKind.HOURS_MILESTONE, {"hours": 10}, centrale_id="vc-a")
    await uow.rules.add(original)

    found = await uow.rules.get_for_update("vc-a", "hours-10")
    assert found == original
    changed = replace(
        original, title="Tien uur", params=domain.parse_params(RuleKind.HOURS_MILESTONE, {"hours": 12}), active=False
    )
    await uow.rules.update(changed)

    assert await uow.rules.get_for_update("vc-a", "hours-10") == changed
    assert await uow.rules.get_for_update("vc-a", "hours-99") is None
    assert await uow.rules.active(["vc-a"], [RuleKind.HOURS_MILESTONE]) == []
