"""Notices on the fakes: queued as the person prefers, checked again before sending, one mail for a burst or a
digest, the centrale's own words with a plain-text and an HTML part, delivery state and the call list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from common.clock import ManualClock
from common.errors import NotFound, Rejected
from registry.notice_texts import NoticeKind
from registry.repositories import Consent, Notice, Task, Volunteer
from registry.use_cases.notices import (
    ClaimDueNotices,
    GetNoticePreferences,
    ListCallList,
    ListNotices,
    ListNoticeTemplates,
    MarkCalled,
    PrepareNotices,
    RecordNoticeDelivery,
    ResetNoticeTemplate,
    SetNoticePreferences,
    SetNoticeTemplate,
    claim_due_notices,
    get_notice_preferences,
    list_call_list,
    list_notice_templates,
    list_notices,
    mark_called,
    prepare_notices,
    queue_notice,
    record_notice_delivery,
    reset_notice_template,
    set_notice_preferences,
    set_notice_template,
)
from tests.registry.builders import NOW, a_centrale, a_task, a_volunteer, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork

PORTAL = "https://portaal.vc.example"
DIGEST_AT = NOW - timedelta(hours=2)  # the latest digest moment, before NOW


async def _scene(uow: FakeRegistryUnitOfWork, **volunteer: Any) -> tuple[Task, Volunteer]:
    centrale = a_centrale(name="Vrijwilligerscentrale Utrecht")
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    task = a_task(centrale.id, organisation.id, status="published", title="Koken in de buurtkamer")
    await uow.tasks.add(task)
    person = a_volunteer(centrale.id, name="Fatima el Amrani", **volunteer)
    await uow.volunteers.add(person)
    await uow.volunteers.add_consent(Consent(person.id, "matching", True, "2026-01", "self", NOW))
    return task, person


async def _queue(
    uow: FakeRegistryUnitOfWork, task: Task, volunteer: Volunteer, kind: NoticeKind = NoticeKind.PROPOSAL_NEW,
    cause: str | None = None,
) -> Notice | None:  # fmt: skip
    return await queue_notice(
        uow, kind=kind, recipient_kind="volunteer", recipient_id=volunteer.id, centrale_id=volunteer.centrale_id,
        cause=cause or str(uuid4()), match_id=uuid4(), task_id=task.id,
    )  # fmt: skip


async def _due(uow: FakeRegistryUnitOfWork, recipient_id: UUID, kind: str = "volunteer") -> list[Notice]:
    return await claim_due_notices(ClaimDueNotices(kind, recipient_id, timedelta(0), DIGEST_AT), uow)


def _later(uow: FakeRegistryUnitOfWork, clock: ManualClock, delta: timedelta) -> None:
    clock.advance(delta)
    uow.renew()


# -- queueing ---------------------------------------------------------------------------------------------


async def test_a_notice_is_queued_once_per_cause_as_the_person_prefers(uow: FakeRegistryUnitOfWork) -> None:
    task, volunteer = await _scene(uow)
    await set_notice_preferences(SetNoticePreferences("volunteer", volunteer.id, {"check_in": "digest"}), uow)

    first = await _queue(uow, task, volunteer, cause="event:1")
    again = await _queue(uow, task, volunteer, cause="event:1")
    digested = await _queue(uow, task, volunteer, NoticeKind.CHECK_IN, cause="event:2")

    assert first is not None
    assert (first.status, first.delivery, first.reason) == ("pending", "immediate", None)
    assert again is None
    assert digested is not None
    assert digested.delivery == "digest"


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"email": None}, "call", "no_email"),
        ({"erased_at": NOW}, "not_sent", "erased"),
        ({}, "not_sent", "off"),
    ],
)
async def test_who_may_not_be_mailed_is_called_or_not_told_with_the_reason(
    uow: FakeRegistryUnitOfWork, change: dict[str, Any], status: str, reason: str
) -> None:
    task, volunteer = await _scene(uow, **change)
    if not change:
        await set_notice_preferences(SetNoticePreferences("volunteer", volunteer.id, {"proposal_new": "off"}), uow)

    notice = await _queue(uow, task, volunteer)

    assert notice is not None
    assert (notice.status, notice.reason) == (status, reason)


async def test_an_organisation_without_e_mail_is_phoned_and_an_unknown_one_not_told(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task, _ = await _scene(uow)
    phoned = an_organisation(task.centrale_id, contact_email=None, contact_phone="030 111 22 33")
    await uow.organisations.add(phoned)

    called = await queue_notice(
        uow, kind=NoticeKind.RESPONSE_NEW, recipient_kind="organisation", recipient_id=phoned.id,
        centrale_id=task.centrale_id, cause="a",
    )  # fmt: skip
    unknown = await queue_notice(
        uow, kind=NoticeKind.RESPONSE_NEW, recipient_kind="organisation", recipient_id=uuid4(),
        centrale_id=task.centrale_id, cause="b",
    )  # fmt: skip

    assert called is not None
    assert (called.status, called.reason) == ("call", "no_email")
    assert unknown is not None
    assert (unknown.status, unknown.reason) == ("not_sent", "unknown_organisation")


async def test_preferences_cover_every_kind_and_refuse_what_they_do_not_know(uow: FakeRegistryUnitOfWork) -> None:
    person = uuid4()

    before = await get_notice_preferences(GetNoticePreferences("volunteer", person), uow)
    after = await set_notice_preferences(SetNoticePreferences("volunteer", person, {"declined": "off"}), uow)

    assert set(before) == {kind.value for kind in NoticeKind}
    assert set(before.values()) == {"immediate"}
    assert after["declined"] == "off"
    assert after["match_made"] == "immediate"
    with pytest.raises(Rejected):
        await set_notice_preferences(SetNoticePreferences("volunteer", person, {"declined": "weekly"}), uow)


# -- sending ----------------------------------------------------------------------------------------------


async def test_one_notice_is_one_mail_in_the_centrales_words_with_a_text_and_an_html_part(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task, volunteer = await _scene(uow)
    await set_notice_template(
        SetNoticeTemplate(task.centrale_id, "proposal_new", "Iets voor jou, $naam", "Bekijk $taak: $link\n\n$centrale"),
        uow,
    )
    notice = await _queue(uow, task, volunteer)
    assert notice is not None

    mail = await prepare_notices(PrepareNotices(await _due(uow, volunteer.id), True, PORTAL), uow)

    assert mail is not None
    assert (mail.to, mail.subject, mail.notice_ids) == (
        volunteer.email,
        "Iets voor jou, Fatima el Amrani",
        (notice.id,),
    )
    assert f"Bekijk Koken in de buurtkamer: {PORTAL}/voorstellen/{notice.match_id}" in mail.text
    assert "Pas je voorkeuren aan" in mail.text  # why it came and how to get fewer
    assert '<html lang="nl">' in mail.html
    assert f'<a href="{PORTAL}/voorstellen/{notice.match_id}">' in mail.html


async def test_a_burst_goes_as_one_digest_mail_and_the_digest_kind_waits_for_its_moment(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    task, volunteer = await _scene(uow)
    await set_notice_preferences(SetNoticePreferences("volunteer", volunteer.id, {"check_in": "digest"}), uow)
    await _queue(uow, task, volunteer, NoticeKind.PROPOSAL_NEW)
    _later(uow, clock, timedelta(seconds=1))
    await _queue(uow, task, volunteer, NoticeKind.ACCEPTED)
    digest_only = await _queue(uow, task, volunteer, NoticeKind.CHECK_IN)
    assert digest_only is not None

    claimed = await _due(uow, volunteer.id)
    mail = await prepare_notices(PrepareNotices(claimed, True, None), uow)

    assert [n.kind for n in claimed] == ["proposal_new", "accepted"]  # the digest one waits for its moment
    assert mail is not None
    assert mail.subject == "2 berichten van Vrijwilligerscentrale Utrecht"
    assert "1. Een taak voor jou: Koken in de buurtkamer" in mail.text
    assert "2. Voedselbank zegt ja: Koken in de buurtkamer" in mail.text
    assert mail.text.count("Pas je voorkeuren aan") == 1
    await record_notice_delivery(RecordNoticeDelivery(mail, 0, "sent"), uow)
    _later(uow, clock, timedelta(days=1))
    next_day = await claim_due_notices(
        ClaimDueNotices("volunteer", volunteer.id, timedelta(0), NOW + timedelta(hours=1)), uow
    )
    assert [n.id for n in next_day] == [digest_only.id]
    assert {n.mail_id for n in uow.tables.notices.values() if n.status == "sent"} == {mail.mail_id}


async def test_a_short_wait_gathers_a_burst_before_anything_goes(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    task, volunteer = await _scene(uow)
    await _queue(uow, task, volunteer)
    _later(uow, clock, timedelta(seconds=30))
    await _queue(uow, task, volunteer, NoticeKind.ACCEPTED)

    too_soon = await claim_due_notices(ClaimDueNotices("volunteer", volunteer.id, timedelta(minutes=1), DIGEST_AT), uow)
    _later(uow, clock, timedelta(seconds=45))
    together = await claim_due_notices(ClaimDueNotices("volunteer", volunteer.id, timedelta(minutes=1), DIGEST_AT), uow)

    assert too_soon == []
    assert [n.kind for n in together] == ["proposal_new", "accepted"]  # the second one goes along


async def test_consent_withdrawn_or_a_kind_switched_off_since_stops_the_mail(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    task, volunteer = await _scene(uow)
    await _queue(uow, task, volunteer, NoticeKind.PROPOSAL_NEW)
    _later(uow, clock, timedelta(seconds=1))
    await _queue(uow, task, volunteer, NoticeKind.ACCEPTED)
    await set_notice_preferences(SetNoticePreferences("volunteer", volunteer.id, {"accepted": "off"}), uow)

    mail = await prepare_notices(PrepareNotices(await _due(uow, volunteer.id), True, None), uow)
    assert mail is not None
    assert [uow.tables.notices[i].kind for i in mail.notice_ids] == ["proposal_new"]
    assert {(n.kind, n.status, n.reason) for n in uow.tables.notices.values() if n.status != "pending"} == {
        ("accepted", "not_sent", "off")
    }

    await uow.volunteers.add_consent(Consent(volunteer.id, "matching", False, "2026-01", "self", NOW))
    assert await prepare_notices(PrepareNotices(await _due(uow, volunteer.id), True, None), uow) is None
    assert {n.reason for n in uow.tables.notices.values() if n.kind == "proposal_new"} == {"no_consent"}


async def test_sending_switched_off_settles_notices_as_not_sent(uow: FakeRegistryUnitOfWork) -> None:
    task, volunteer = await _scene(uow)
    await _queue(uow, task, volunteer)

    assert await prepare_notices(PrepareNotices(await _due(uow, volunteer.id), False, None), uow) is None
    assert [(n.status, n.reason) for n in uow.tables.notices.values()] == [("not_sent", "sending_disabled")]


async def test_a_passing_failure_is_retried_later_and_a_refusal_is_final(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    task, volunteer = await _scene(uow)
    await _queue(uow, task, volunteer)
    mail = await prepare_notices(PrepareNotices(await _due(uow, volunteer.id), True, None), uow)
    assert mail is not None

    delay = await record_notice_delivery(RecordNoticeDelivery(mail, 0, "failed", "ConnectionRefusedError()"), uow)
    not_yet = await _due(uow, volunteer.id)
    _later(uow, clock, timedelta(minutes=2))
    retried = await _due(uow, volunteer.id)
    settled = await record_notice_delivery(RecordNoticeDelivery(mail, 1, "refused", "550"), uow)

    assert delay == timedelta(minutes=1)
    assert not_yet == []
    assert [n.attempts for n in retried] == [1]
    assert settled is None
    assert [(n.status, n.reason, n.attempts) for n in uow.tables.notices.values()] == [("failed", "refused", 2)]


# -- staff ------------------------------------------------------------------------------------------------


async def test_staff_see_delivery_and_phone_who_has_no_e_mail(uow: FakeRegistryUnitOfWork) -> None:
    task, volunteer = await _scene(uow, email=None, phone="06 12 34 56 78")
    notice = await _queue(uow, task, volunteer)
    assert notice is not None

    listed = await list_notices(ListNotices(task.centrale_id, ["call"]), uow)
    [call] = await list_call_list(ListCallList(task.centrale_id), uow)
    await mark_called(MarkCalled(task.centrale_id, notice.id, "credential:x"), uow)

    assert [n.id for n in listed] == [notice.id]
    assert (call.name, call.phone, call.task_title) == ("Fatima el Amrani", "06 12 34 56 78", "Koken in de buurtkamer")
    assert await list_call_list(ListCallList(task.centrale_id), uow) == []
    assert uow.tables.notices[notice.id].called_by == "credential:x"
    with pytest.raises(NotFound):
        await mark_called(MarkCalled(task.centrale_id, notice.id, "credential:x"), uow)
    with pytest.raises(NotFound):
        await mark_called(MarkCalled("vc-elders", notice.id, "credential:x"), uow)


async def test_staff_replace_and_reset_the_default_texts(uow: FakeRegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)

    await set_notice_template(SetNoticeTemplate(centrale.id, "check_in", "Hoe gaat het?", "Vertel: $link"), uow)
    own = {t.kind: t for t in await list_notice_templates(ListNoticeTemplates(centrale.id), uow)}
    await reset_notice_template(ResetNoticeTemplate(centrale.id, "check_in"), uow)
    reset = {t.kind: t for t in await list_notice_templates(ListNoticeTemplates(centrale.id), uow)}

    assert set(own) == {kind.value for kind in NoticeKind}
    assert (own["check_in"].subject, own["check_in"].custom) == ("Hoe gaat het?", True)
    assert (reset["check_in"].custom, reset["check_in"].subject) == (False, "Hoe gaat het met $taak?")
    with pytest.raises(NotFound):
        await set_notice_template(SetNoticeTemplate("vc-nergens", "check_in", "x", "y"), uow)
