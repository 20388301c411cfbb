"""Team days that close the loop, on the fakes: past days, hours reported and confirmed, what the partner reads
back (status and webhook bodies), the CSR summary."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from common.clock import ManualClock
from common.errors import Conflict, NotFound, Rejected
from contracts.events import VolunteerDayHoursLogged
from registry.repositories import Centrale, Organisation, Task
from registry.use_cases.partners import (
    DAYS_BACK,
    ConfirmVolunteerDayHours,
    GetVolunteerDay,
    ListOrganisationDays,
    LogVolunteerDayHours,
    PostVolunteerDay,
    RecordVolunteerDayMatch,
    RegisterPartner,
    RejectVolunteerDayHours,
    ReportVolunteerDayHours,
    SummariseVolunteerDays,
    confirm_volunteer_day_hours,
    get_volunteer_day,
    list_organisation_days,
    log_volunteer_day_hours,
    post_volunteer_day,
    record_volunteer_day_match,
    register_partner,
    reject_volunteer_day_hours,
    report_volunteer_day_hours,
    summarise_volunteer_days,
)
from registry.use_cases.webhooks import SetWebhook, set_webhook
from tests.registry.builders import NOW, a_centrale, a_task, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork

TODAY = NOW.date()  # Sunday 22 November 2026 (11:00 in Amsterdam)


async def _partner(uow: FakeRegistryUnitOfWork, name: str = "Rabobank Utrecht") -> UUID:
    return await register_partner(RegisterPartner(name), uow)


async def _place(
    uow: FakeRegistryUnitOfWork, *, municipality: str = "GM0344", organisation: str = "Buurthuis De Linde", **task: Any
) -> tuple[Centrale, Organisation, Task]:
    centrale = a_centrale(name=f"Vrijwilligerscentrale {municipality}", municipality_code=municipality)
    await uow.centrales.add(centrale)
    stored_organisation = an_organisation(centrale.id, name=organisation)
    await uow.organisations.add(stored_organisation)
    stored_task = a_task(centrale.id, stored_organisation.id, **task)
    await uow.tasks.add(stored_task)
    return centrale, stored_organisation, stored_task


async def _matched_day(
    uow: FakeRegistryUnitOfWork, partner_id: UUID, place: tuple[Centrale, Organisation, Task], **day: Any
) -> UUID:
    centrale, organisation, task = place
    values: dict[str, Any] = {"external_ref": f"HR-{uuid4().hex[:6]}", "team_size": 8, "on_date": TODAY}
    posted = await post_volunteer_day(PostVolunteerDay(partner_id=partner_id, **(values | day)), uow)
    await record_volunteer_day_match(RecordVolunteerDayMatch(posted.day_id, task.id, organisation.id, centrale.id), uow)
    return posted.day_id


def _deliveries(uow: FakeRegistryUnitOfWork) -> list[dict[str, Any]]:
    ordered = sorted(uow.tables.webhook_deliveries.values(), key=lambda d: d.created_at)
    return [json.loads(delivery.body) for delivery in ordered]


async def test_a_day_a_year_back_is_accepted_and_one_day_more_is_not(uow: FakeRegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    year_ago = TODAY - timedelta(days=DAYS_BACK)

    posted = await post_volunteer_day(PostVolunteerDay(partner_id, "HR-2025-11", 8, year_ago), uow)
    today = await post_volunteer_day(PostVolunteerDay(partner_id, "HR-today", 8, TODAY), uow)

    assert posted.created
    assert today.created
    with pytest.raises(Rejected, match="up to 365 days after it") as refused:
        await post_volunteer_day(PostVolunteerDay(partner_id, "HR-older", 8, year_ago - timedelta(days=1)), uow)
    assert refused.value.field == "on_date"


async def test_the_status_names_where_the_day_took_place(uow: FakeRegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    centrale, organisation, task = await _place(uow, title="Tuin opknappen", theme="natuur")
    day_id = await _matched_day(uow, partner_id, (centrale, organisation, task))

    status = await get_volunteer_day(GetVolunteerDay(day_id, partner_id), uow)

    assert status["task"] == {"id": task.id, "title": "Tuin opknappen", "theme": "natuur"}
    assert status["organisation"] == {"id": organisation.id, "name": "Buurthuis De Linde"}
    assert (status["municipality_code"], status["matched_via"]) == ("GM0344", "matching")
    assert (status["hours_confirmed"], status["hours"], status["hours_logged"]) == (None, [], Decimal(0))


async def test_hours_the_partner_reports_count_once_the_organisation_confirms_them(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    partner_id = await _partner(uow)
    centrale, organisation, task = await _place(uow)
    day_id = await _matched_day(uow, partner_id, (centrale, organisation, task), on_date=TODAY - timedelta(days=10))

    reported = await report_volunteer_day_hours(ReportVolunteerDayHours(day_id, partner_id, 7, Decimal("42")), uow)
    retried = await report_volunteer_day_hours(ReportVolunteerDayHours(day_id, partner_id, 7, Decimal("42.00")), uow)

    assert (reported.created, retried.created, retried.entry.id) == (True, False, reported.entry.id)
    assert uow.events(VolunteerDayHoursLogged) == []
    waiting = await get_volunteer_day(GetVolunteerDay(day_id, partner_id), uow)
    assert (waiting["hours_confirmed"], waiting["hours_logged"], waiting["participants"]) == (None, Decimal(0), 0)
    assert [(e["status"], e["reported_by"]) for e in waiting["hours"]] == [("pending", "partner")]
    with pytest.raises(Conflict, match="wait for the organisation"):
        await report_volunteer_day_hours(ReportVolunteerDayHours(day_id, partner_id, 8, Decimal("48")), uow)

    clock.advance(timedelta(hours=3))
    uow.renew()
    await confirm_volunteer_day_hours(
        ConfirmVolunteerDayHours(day_id, reported.entry.id, organisation.id, centrale.id), uow
    )

    [logged] = uow.events(VolunteerDayHoursLogged)
    assert isinstance(logged, VolunteerDayHoursLogged)
    assert (logged.participants, logged.hours_total, logged.task_id, logged.logged_at) == (
        7,
        Decimal("42.00"),
        task.id,
        NOW + timedelta(hours=3),
    )
    status = await get_volunteer_day(GetVolunteerDay(day_id, partner_id), uow)
    assert (status["hours_logged"], status["participants"]) == (Decimal("42.00"), 7)
    assert status["hours_confirmed"]["decided_at"] == NOW + timedelta(hours=3)
    with pytest.raises(Conflict, match="confirmed"):
        await confirm_volunteer_day_hours(
            ConfirmVolunteerDayHours(day_id, reported.entry.id, organisation.id, centrale.id), uow
        )


async def test_rejected_hours_never_count(uow: FakeRegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    centrale, organisation, task = await _place(uow)
    day_id = await _matched_day(uow, partner_id, (centrale, organisation, task))
    reported = await report_volunteer_day_hours(ReportVolunteerDayHours(day_id, partner_id, 8, Decimal("96")), uow)

    await reject_volunteer_day_hours(
        RejectVolunteerDayHours(day_id, reported.entry.id, organisation.id, centrale.id), uow
    )

    assert uow.events(VolunteerDayHoursLogged) == []
    status = await get_volunteer_day(GetVolunteerDay(day_id, partner_id), uow)
    assert [e["status"] for e in status["hours"]] == ["rejected"]
    with pytest.raises(NotFound):  # another organisation cannot decide them
        await reject_volunteer_day_hours(RejectVolunteerDayHours(day_id, reported.entry.id, uuid4(), centrale.id), uow)


async def test_hours_cannot_be_reported_for_a_day_without_an_organisation_or_anothers_day(
    uow: FakeRegistryUnitOfWork,
) -> None:
    partner_id, other = await _partner(uow), await _partner(uow, "Bouwbedrijf")
    open_day = await post_volunteer_day(PostVolunteerDay(partner_id, "HR-open", 8, TODAY), uow)

    with pytest.raises(Conflict, match="once it is matched"):
        await report_volunteer_day_hours(ReportVolunteerDayHours(open_day.day_id, partner_id, 8, Decimal(8)), uow)
    with pytest.raises(NotFound):
        await report_volunteer_day_hours(ReportVolunteerDayHours(open_day.day_id, other, 8, Decimal(8)), uow)


async def test_the_organisations_latest_figure_supersedes_the_earlier_one(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    partner_id = await _partner(uow)
    centrale, organisation, task = await _place(uow)
    day_id = await _matched_day(uow, partner_id, (centrale, organisation, task))
    await log_volunteer_day_hours(LogVolunteerDayHours(day_id, organisation.id, centrale.id, 6, Decimal(30)), uow)
    clock.advance(timedelta(minutes=5))
    uow.renew()

    await log_volunteer_day_hours(LogVolunteerDayHours(day_id, organisation.id, centrale.id, 6, Decimal(36)), uow)

    status = await get_volunteer_day(GetVolunteerDay(day_id, partner_id), uow)
    assert (status["hours_logged"], [e["status"] for e in status["hours"]]) == (
        Decimal("36.00"),
        ["superseded", "confirmed"],
    )
    [listed] = await list_organisation_days(ListOrganisationDays(organisation.id, centrale.id), uow)
    assert (listed["id"], listed["hours_logged"]) == (day_id, Decimal("36.00"))
    with pytest.raises(NotFound):  # another centrale's path: 404, not an empty list (the tenant matrix)
        await list_organisation_days(ListOrganisationDays(organisation.id, "vc-elders"), uow)


async def test_the_webhook_hears_the_match_and_the_confirmed_hours_with_the_status_as_its_body(
    uow: FakeRegistryUnitOfWork,
) -> None:
    partner_id = await _partner(uow)
    await set_webhook(SetWebhook(partner_id, "https://hr.example/regio"), uow)
    centrale, organisation, task = await _place(uow)
    day_id = await _matched_day(uow, partner_id, (centrale, organisation, task))
    reported = await report_volunteer_day_hours(ReportVolunteerDayHours(day_id, partner_id, 7, Decimal("42")), uow)
    await confirm_volunteer_day_hours(
        ConfirmVolunteerDayHours(day_id, reported.entry.id, organisation.id, centrale.id), uow
    )

    matched, confirmed = _deliveries(uow)

    assert (matched["type"], confirmed["type"]) == ("volunteer_day.matched", "volunteer_day.hours_confirmed")
    assert matched["data"]["status"] == "matched"
    assert matched["data"]["hours_confirmed"] is None
    assert confirmed["data"]["organisation"]["name"] == "Buurthuis De Linde"
    assert (confirmed["data"]["hours_logged"], confirmed["data"]["participants"]) == ("42.00", 7)
    assert confirmed["data"]["hours_confirmed"]["reported_by"] == "partner"
    assert {d.day_id for d in uow.tables.webhook_deliveries.values()} == {day_id}


async def test_without_a_webhook_nothing_is_queued(uow: FakeRegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    centrale, organisation, task = await _place(uow)
    day_id = await _matched_day(uow, partner_id, (centrale, organisation, task))
    await log_volunteer_day_hours(LogVolunteerDayHours(day_id, organisation.id, centrale.id, 8, Decimal(40)), uow)

    assert uow.tables.webhook_deliveries == {}


async def test_the_csr_summary_names_the_company_and_splits_confirmed_hours(uow: FakeRegistryUnitOfWork) -> None:
    partner_id = await _partner(uow, "Rabobank Utrecht")
    linde = await _place(uow, theme="natuur", organisation="Buurthuis De Linde")
    voedselbank = await _place(uow, theme="armoede", organisation="Voedselbank Zeist", municipality="GM0355")
    days = [
        (await _matched_day(uow, partner_id, linde, on_date=date(2026, 3, 13)), linde, 8, "48"),
        (await _matched_day(uow, partner_id, linde, on_date=date(2026, 6, 5)), linde, 6, "30"),
        (await _matched_day(uow, partner_id, voedselbank, on_date=date(2026, 9, 9)), voedselbank, 5, "20.5"),
    ]
    for day_id, (centrale, organisation, _), participants, hours in days:
        await log_volunteer_day_hours(
            LogVolunteerDayHours(day_id, organisation.id, centrale.id, participants, Decimal(hours)), uow
        )
    waiting = await _matched_day(uow, partner_id, linde, on_date=date(2026, 10, 1))
    await report_volunteer_day_hours(ReportVolunteerDayHours(waiting, partner_id, 8, Decimal(40)), uow)
    earlier = await _matched_day(uow, partner_id, linde, on_date=date(2025, 12, 31))
    await log_volunteer_day_hours(LogVolunteerDayHours(earlier, linde[1].id, linde[0].id, 8, Decimal(40)), uow)
    other = await _partner(uow, "Bouwbedrijf")
    theirs = await _matched_day(uow, other, linde, on_date=date(2026, 3, 13))
    await log_volunteer_day_hours(LogVolunteerDayHours(theirs, linde[1].id, linde[0].id, 8, Decimal(40)), uow)

    summary = await summarise_volunteer_days(SummariseVolunteerDays(partner_id), uow)

    assert summary["partner"] == {"id": partner_id, "name": "Rabobank Utrecht"}
    assert (summary["from"], summary["to"]) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (summary["days"], summary["participants"], summary["hours"]) == (3, 19, Decimal("98.50"))
    assert summary["by_theme"] == [
        {"theme": "natuur", "days": 2, "participants": 14, "hours": Decimal("78.00")},
        {"theme": "armoede", "days": 1, "participants": 5, "hours": Decimal("20.50")},
    ]
    assert [(o["name"], o["hours"]) for o in summary["by_organisation"]] == [
        ("Buurthuis De Linde", Decimal("78.00")),
        ("Voedselbank Zeist", Decimal("20.50")),
    ]
    assert [(m["municipality_code"], m["days"]) for m in summary["by_municipality"]] == [("GM0344", 2), ("GM0355", 1)]
    march = await summarise_volunteer_days(SummariseVolunteerDays(partner_id, date(2026, 3, 1), date(2026, 3, 31)), uow)
    assert (march["days"], march["hours"]) == (1, Decimal("48.00"))
    with pytest.raises(Rejected) as refused:
        await summarise_volunteer_days(SummariseVolunteerDays(partner_id, date(2026, 3, 1), date(2026, 2, 1)), uow)
    assert refused.value.loc == ["query", "to"]
