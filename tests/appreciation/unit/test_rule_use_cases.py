"""Staff manage their centrale's rules: the defaults first, additions, changes, refusals with reasons."""

from __future__ import annotations

import pytest

from appreciation.domain import RuleKind
from appreciation.use_cases import rules
from common.errors import Conflict, NotFound, Rejected
from tests.appreciation.builders import CENTRALE
from tests.appreciation.fakes import FakeAppreciationUnitOfWork


async def test_a_centrale_sees_the_defaults_the_first_time_and_its_own_list_after(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    listed = await rules.list_rules(rules.ListRules(CENTRALE), uow)

    by_id = {r["rule_id"]: r for r in listed}
    assert by_id["mdt-basis"] == {
        "rule_id": "mdt-basis",
        "kind": "mdt",
        "title": "MDT: 80 uur binnen een half jaar",
        "params": {"min_hours": "80", "within_months": 6, "age_bands": ["12-17", "18-20", "21-29"]},
        "active": True,
    }
    assert [r["kind"] for r in listed] == sorted(r["kind"] for r in listed)
    assert await rules.list_rules(rules.ListRules(CENTRALE), uow) == listed


async def test_a_rule_is_added_once_and_its_id_is_never_taken_again(uow: FakeAppreciationUnitOfWork) -> None:
    added = await rules.add_rule(
        rules.AddRule(CENTRALE, "hours-15", RuleKind.HOURS_MILESTONE, "15 uur!", {"hours": 15}), uow
    )
    assert added == {
        "rule_id": "hours-15",
        "kind": "hours_milestone",
        "title": "15 uur!",
        "params": {"hours": "15"},
        "active": True,
    }

    with pytest.raises(Conflict, match="hours-15 exists"):
        await rules.add_rule(rules.AddRule(CENTRALE, "hours-15", RuleKind.FIRST_MATCH, "dubbel", {}), uow)
    with pytest.raises(Conflict):  # a default's id is taken too
        await rules.add_rule(rules.AddRule(CENTRALE, "nldoet", RuleKind.FIRST_MATCH, "dubbel", {}), uow)


async def test_wrong_parameters_are_rejected_per_parameter_at_the_params_field(uow: FakeAppreciationUnitOfWork) -> None:
    with pytest.raises(Rejected) as refused:
        await rules.add_rule(
            rules.AddRule(CENTRALE, "neg", RuleKind.MDT, "Negatief", {"min_hours": -1, "within_months": 0}), uow
        )
    assert refused.value.field == "params"
    assert [reason.split(":")[0] for reason in refused.value.reasons] == ["min_hours", "within_months"]
    assert await uow.rules.get_for_update(CENTRALE, "neg") is None


async def test_a_change_keeps_what_it_does_not_name_and_checks_parameters_against_the_rules_kind(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    off = await rules.change_rule(rules.ChangeRule(CENTRALE, "hours-10", active=False), uow)
    renamed = await rules.change_rule(
        rules.ChangeRule(CENTRALE, "hours-10", title="Tien uur", params={"hours": 12}), uow
    )

    assert (off["active"], off["title"], off["params"]) == (False, "10 uur vrijwillige inzet", {"hours": "10"})
    assert (renamed["active"], renamed["title"], renamed["params"]) == (False, "Tien uur", {"hours": "12"})
    with pytest.raises(Rejected) as refused:
        await rules.change_rule(rules.ChangeRule(CENTRALE, "nldoet", params={"hours": 3}), uow)
    assert refused.value.field == "params"
    with pytest.raises(NotFound):
        await rules.change_rule(rules.ChangeRule(CENTRALE, "hours-99", active=False), uow)


async def test_a_centrale_names_itself_for_its_certificates(uow: FakeAppreciationUnitOfWork) -> None:
    await rules.set_display_name(rules.SetDisplayName(CENTRALE, "Vrijwilligerscentrale Test"), uow)
    assert await uow.centrales.display_name(CENTRALE) == "Vrijwilligerscentrale Test"
