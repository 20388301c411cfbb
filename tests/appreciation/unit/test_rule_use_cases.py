"""Staff manage their centrale's rules: the defaults first, additions, changes, refusals with reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest

from appreciation.domain import RuleKind
from appreciation.use_cases import rules
from appreciation.use_cases.hours import RecordHours, record_hours
from common.errors import Conflict, NotFound, Rejected
from contracts.events import AppreciationAwarded
from tests.appreciation.builders import CENTRALE, hours_entry, known, trigger
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
        "awarded_over_history": 0,
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


def _announced(uow: FakeAppreciationUnitOfWork) -> list[tuple[str, bool]]:
    """(rule id, historic) of every award announced so far, in order."""
    return [(e.event.rule_id, e.event.historic) for e in uow.emitted if isinstance(e.event, AppreciationAwarded)]


async def test_a_rule_added_later_is_evaluated_over_history_once_as_history_without_thanking_again(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    # Two volunteers worked on 13 March 2027 (a later year's NLdoet, not among the defaults); one only in February.
    worked, other, idle = uuid4(), uuid4(), uuid4()
    await known(uow, worked, other, idle)
    for volunteer, day in ((worked, date(2027, 3, 13)), (other, date(2027, 3, 13)), (idle, date(2027, 2, 1))):
        entry = hours_entry(volunteer, "3", day)
        await record_hours(RecordHours(entry, trigger(day)), uow)
    before = _announced(uow)
    assert ("nldoet-2027", False) not in before

    added = await rules.add_rule(
        rules.AddRule(CENTRALE, "nldoet-2027", RuleKind.NLDOET, "NLdoet 2027",
                      {"dates": ["2027-03-12", "2027-03-13"]}),
        uow,
    )  # fmt: skip

    # The two who already met it get it once, as history: on their record, no thank-you for old work.
    assert added["awarded_over_history"] == 2
    new = _announced(uow)[len(before) :]
    assert new == [("nldoet-2027", True), ("nldoet-2027", True)]
    holders = {a.recipient_id for a in uow.awards.awards.values() if a.rule_id == "nldoet-2027"}
    assert holders == {worked, other}
    # Saving it again (a title changed) gives nothing twice.
    again = await rules.change_rule(rules.ChangeRule(CENTRALE, "nldoet-2027", title="NLdoet '27"), uow)
    assert again["awarded_over_history"] == 0
    assert _announced(uow)[len(before) :] == new
    # From now on the rule applies at a new activity like any rule, and is thanked as usual.
    late = replace(hours_entry(idle, "2", date(2027, 3, 12)), id=uuid4())
    await record_hours(RecordHours(late, trigger(date(2027, 3, 12))), uow)
    assert ("nldoet-2027", False) in _announced(uow)


async def test_a_rule_switched_off_is_not_evaluated_over_history_and_new_parameters_are(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer = uuid4()
    await known(uow, volunteer)
    await record_hours(RecordHours(hours_entry(volunteer, "20", date(2026, 2, 1)), trigger(date(2026, 2, 1))), uow)

    off = await rules.add_rule(
        rules.AddRule(CENTRALE, "hours-15", RuleKind.HOURS_MILESTONE, "15 uur", {"hours": 15}, active=False), uow
    )
    on = await rules.change_rule(rules.ChangeRule(CENTRALE, "hours-15", active=True), uow)
    lower = await rules.change_rule(rules.ChangeRule(CENTRALE, "hours-15", params={"hours": 12}), uow)

    # Switched on again, it applies as before (next activity, daily run); new parameters are evaluated now.
    assert (off["awarded_over_history"], on["awarded_over_history"], lower["awarded_over_history"]) == (0, 0, 1)
    assert ("hours-15", True) in _announced(uow)
