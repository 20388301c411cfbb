"""Appreciation's pure rules: when each kind of rule awards, at its edges, and the ids awards get."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from appreciation import domain
from appreciation.domain import RuleKind, VolunteerFacts
from tests.appreciation.builders import rule, trigger

VOLUNTEER = uuid.UUID("0b0e6c2e-6a4d-4a57-9d2e-3f1f5d1e7a01")


def _facts(
    *hours: tuple[date, str], age_band: str | None = "30-49", registered_on: date | None = None, matches: int = 0
) -> VolunteerFacts:
    return VolunteerFacts(
        VOLUNTEER, "vc-test", age_band, registered_on, matches, [(day, Decimal(h)) for day, h in hours]
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped to the month's last day
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # a leap year's February
        (date(2026, 11, 15), 2, date(2027, 1, 15)),  # over the year's end
        (date(2024, 2, 29), -12, date(2023, 2, 28)),  # back a year from a leap day
        (date(2026, 3, 14), -3, date(2025, 12, 14)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 5, 5), 0, date(2026, 5, 5)),
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_months_last(day: date, months: int, expected: date) -> None:
    assert domain.add_months(day, months) == expected


def test_a_switched_off_rule_never_awards() -> None:
    off = replace(rule("hours-10", RuleKind.HOURS_MILESTONE, {"hours": 10}), active=False)
    assert domain.occurrences(off, _facts((date(2026, 1, 1), "50")), date(2026, 1, 2)) == []


def test_the_first_match_awards_once_there_is_a_match() -> None:
    first = rule("first-match", RuleKind.FIRST_MATCH, {})
    assert domain.occurrences(first, _facts(matches=0), date(2026, 1, 1)) == []
    assert domain.occurrences(first, _facts(matches=2), date(2026, 1, 1)) == [""]


@pytest.mark.parametrize(("hours", "awarded"), [(("4.99", "5"), False), (("5", "5"), True), (("7.25", "3"), True)])
def test_an_hours_milestone_holds_from_its_threshold_on_across_every_entry(
    hours: tuple[str, str], awarded: bool
) -> None:
    milestone = rule("hours-10", RuleKind.HOURS_MILESTONE, {"hours": 10})
    facts = _facts((date(2026, 1, 1), hours[0]), (date(2026, 2, 1), hours[1]))
    assert domain.occurrences(milestone, facts, date(2026, 2, 1)) == ([""] if awarded else [])


def test_an_anniversary_counts_from_registration_to_the_day_and_needs_hours() -> None:
    five = rule("anniversary-5", RuleKind.ANNIVERSARY, {"years": 5})
    registered = date(2021, 3, 14)
    worked = _facts((date(2021, 4, 1), "2"), registered_on=registered)

    assert domain.occurrences(five, worked, date(2026, 3, 13)) == []
    assert domain.occurrences(five, worked, date(2026, 3, 14)) == [""]
    assert domain.occurrences(five, _facts(registered_on=registered), date(2030, 1, 1)) == []  # no hours
    assert domain.occurrences(five, _facts((date(2021, 4, 1), "2")), date(2030, 1, 1)) == []  # registration unseen


def test_an_anniversary_is_evaluated_no_earlier_than_the_last_day_worked() -> None:
    # The registration (another topic) arrived after the hours: evaluated on its own, years-old day, it must
    # award what the hours award when it arrives first.
    one = rule("anniversary-1", RuleKind.ANNIVERSARY, {"years": 1})
    registered = date(2020, 5, 4)
    worked = _facts((date(2020, 6, 1), "2"), (date(2026, 2, 19), "3"), registered_on=registered)
    early = _facts((date(2020, 6, 1), "2"), (date(2021, 5, 3), "3"), registered_on=registered)

    assert domain.occurrences(one, worked, registered) == [""]
    assert domain.awards_due([one], worked, registered) == [(one, "")]
    assert domain.occurrences(one, early, registered) == []  # worked only before the anniversary
    assert domain.occurrences(one, early, date(2021, 5, 4)) == [""]  # the event's own day still counts


def test_an_anniversary_of_a_leap_day_registration_falls_on_the_28th_of_february() -> None:
    one = rule("anniversary-1", RuleKind.ANNIVERSARY, {"years": 1})
    facts = _facts((date(2024, 3, 1), "1"), registered_on=date(2024, 2, 29))
    assert domain.occurrences(one, facts, date(2025, 2, 27)) == []
    assert domain.occurrences(one, facts, date(2025, 2, 28)) == [""]


def test_nldoet_awards_once_per_year_of_hours_on_its_days() -> None:
    nldoet = rule("nldoet", RuleKind.NLDOET, {"dates": ["2025-03-14", "2025-03-15", "2026-03-13", "2026-03-14"]})
    facts = _facts(
        (date(2026, 3, 14), "3"), (date(2026, 3, 13), "2"), (date(2025, 3, 15), "4"), (date(2026, 3, 15), "8")
    )

    assert domain.occurrences(nldoet, facts, date(2026, 3, 16)) == ["2025", "2026"]
    assert domain.occurrences(nldoet, _facts((date(2026, 3, 12), "8")), date(2026, 3, 16)) == []
    assert domain.occurrence_title(nldoet, "2026") == "Titel nldoet 2026"
    assert domain.occurrence_title(rule("hours-10", RuleKind.HOURS_MILESTONE, {"hours": 10}), "") == "Titel hours-10"


def test_mdt_counts_only_for_volunteers_of_mdt_age() -> None:
    plus = rule("mdt-plus", RuleKind.MDT, {"min_hours": 200})
    hours = [(date(2025, month, 1), "20") for month in range(1, 11)]

    assert domain.occurrences(plus, _facts(*hours, age_band="18-20"), date(2026, 1, 1)) == [""]
    assert domain.occurrences(plus, _facts(*hours, age_band="30-49"), date(2026, 1, 1)) == []
    assert domain.occurrences(plus, _facts(*hours, age_band=None), date(2026, 1, 1)) == []
    own_bands = rule("mdt-jong", RuleKind.MDT, {"min_hours": 200, "age_bands": ["12-17"]})
    assert domain.occurrences(own_bands, _facts(*hours, age_band="18-20"), date(2026, 1, 1)) == []
    assert domain.occurrences(own_bands, _facts(*hours, age_band="12-17"), date(2026, 1, 1)) == [""]


def test_mdt_within_half_a_year_looks_at_every_window_and_its_end_is_exclusive() -> None:
    basis = rule("mdt-basis", RuleKind.MDT, {"min_hours": 80, "within_months": 6})
    start = date(2026, 1, 10)
    # 40 + 40 hours exactly six months apart: the second day lies just outside the first's window.
    apart = _facts((start, "40"), (domain.add_months(start, 6), "40"), age_band="21-29")
    inside = _facts((start, "40"), (date(2026, 7, 9), "40"), age_band="21-29")
    # Spread over a year, but 85 hours fall in one window in the middle.
    later_window = _facts(
        (date(2025, 1, 1), "30"),
        (date(2025, 5, 1), "30"),
        (date(2025, 9, 1), "30"),
        (date(2025, 10, 30), "25"),
        age_band="12-17",
    )

    assert domain.occurrences(basis, apart, date(2027, 1, 1)) == []
    assert domain.occurrences(basis, inside, date(2027, 1, 1)) == [""]
    assert domain.occurrences(basis, later_window, date(2026, 1, 1)) == [""]


def test_a_partner_is_thanked_from_the_smallest_team_on_and_never_by_a_switched_off_rule() -> None:
    team_day = rule("partner-team-day", RuleKind.PARTNER_TEAM_DAY, {"min_participants": 5})
    assert domain.partner_day_qualifies(team_day, 4) is False
    assert domain.partner_day_qualifies(team_day, 5) is True
    assert domain.partner_day_qualifies(replace(team_day, active=False), 8) is False
    assert domain.partner_day_qualifies(rule("hours-10", RuleKind.HOURS_MILESTONE, {"hours": 10}), 8) is False
    # ... and a partner rule never awards a volunteer.
    assert domain.occurrences(team_day, _facts((date(2026, 1, 1), "99"), matches=3), date(2026, 1, 2)) == []


def test_an_award_id_depends_on_centrale_rule_recipient_and_occurrence_and_its_namespace_never_changes() -> None:
    base = domain.award_id_for("vc-test", "nldoet", VOLUNTEER, "2026")
    # The namespace is fixed forever: a new one would make a replay award everything again.
    namespace = uuid.UUID("6f1c1f57-7d3e-4b8a-9a53-0c2e8f4d5a11")
    assert base == uuid.uuid5(namespace, f"vc-test/nldoet/{VOLUNTEER}/2026")
    assert base == domain.award_id_for("vc-test", "nldoet", VOLUNTEER, "2026")
    assert domain.award_id_for("vc-test", "dank-je-wél", VOLUNTEER, "") == uuid.uuid5(
        namespace, f"vc-test/dank-je-wél/{VOLUNTEER}/"
    )
    others = {
        domain.award_id_for("vc-other", "nldoet", VOLUNTEER, "2026"),
        domain.award_id_for("vc-test", "nldoet-extra", VOLUNTEER, "2026"),
        domain.award_id_for("vc-test", "nldoet", uuid.uuid4(), "2026"),
        domain.award_id_for("vc-test", "nldoet", VOLUNTEER, "2025"),
    }
    assert base not in others
    assert len(others) == 4


def test_an_award_carries_its_rule_its_occurrence_and_the_event_that_made_it_hold() -> None:
    nldoet = rule("nldoet", RuleKind.NLDOET, {"dates": ["2026-03-13"]})
    cause = trigger()
    at = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)

    given = domain.award(nldoet, VOLUNTEER, "volunteer", "2026", cause, at)

    assert given == domain.Award(
        award_id=domain.award_id_for("vc-test", "nldoet", VOLUNTEER, "2026"),
        centrale_id="vc-test",
        rule_id="nldoet",
        rule_kind=RuleKind.NLDOET,
        title="Titel nldoet 2026",
        recipient_id=VOLUNTEER,
        recipient_kind="volunteer",
        occurrence="2026",
        trigger_event_id=cause.event_id,
        trigger_event_type=cause.event_type,
        awarded_at=at,
    )


def test_awards_due_lists_every_rule_and_occurrence_in_the_rules_order() -> None:
    rules = [
        rule("hours-10", RuleKind.HOURS_MILESTONE, {"hours": 10}),
        rule("hours-25", RuleKind.HOURS_MILESTONE, {"hours": 25}),
        rule("nldoet", RuleKind.NLDOET, {"dates": ["2025-03-14", "2026-03-13"]}),
        rule("first-match", RuleKind.FIRST_MATCH, {}),
    ]
    facts = _facts((date(2025, 3, 14), "6"), (date(2026, 3, 13), "6"), matches=1)

    due = domain.awards_due(rules, facts, date(2026, 3, 14))

    assert [(r.rule_id, occurrence) for r, occurrence in due] == [
        ("hours-10", ""),
        ("nldoet", "2025"),
        ("nldoet", "2026"),
        ("first-match", ""),
    ]


@pytest.mark.parametrize(
    ("kind", "params", "wrong"),
    [
        (RuleKind.HOURS_MILESTONE, {"hours": -1}, "hours"),
        (RuleKind.HOURS_MILESTONE, {"hours": "1.234"}, "hours"),
        (RuleKind.HOURS_MILESTONE, {}, "hours"),
        (RuleKind.ANNIVERSARY, {"years": 0}, "years"),
        (RuleKind.NLDOET, {"dates": []}, "dates"),
        (RuleKind.MDT, {"min_hours": 80, "within_months": 61}, "within_months"),
        (RuleKind.MDT, {"min_hours": 80, "age_bands": []}, "age_bands"),
        (RuleKind.FIRST_MATCH, {"hours": 3}, "hours"),  # no parameters of another kind
        (RuleKind.PARTNER_TEAM_DAY, {"min_participants": 0}, "min_participants"),
    ],
)
def test_parameters_that_do_not_fit_the_kind_are_refused_by_name(
    kind: RuleKind, params: dict[str, object], wrong: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        domain.parse_params(kind, params)
    assert [issue["loc"][-1] for issue in refused.value.errors()] == [wrong]


def test_every_centrale_starts_with_the_same_defaults_under_stable_ids() -> None:
    rules = domain.default_rules("vc-a")
    ids = [r.rule_id for r in rules]

    assert len(ids) == len(set(ids))
    assert {
        "first-match",
        "hours-10",
        "hours-1000",
        "anniversary-1",
        "anniversary-10",
        "nldoet",
        "mdt-basis",
        "mdt-plus",
        "partner-team-day",
    } <= set(ids)
    assert all(r.centrale_id == "vc-a" and r.active for r in rules)
    nldoet = next(r for r in rules if r.rule_id == "nldoet")
    assert isinstance(nldoet.params, domain.NLdoetParams)
    # NLdoet is a Friday and the Saturday after, in March.
    assert [(d.month, d.weekday()) for d in nldoet.params.dates] == [(3, 4), (3, 5)] * 3
    assert [d.year for d in nldoet.params.dates] == [2024, 2024, 2025, 2025, 2026, 2026]
