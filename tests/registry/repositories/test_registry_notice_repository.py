"""NoticeRepository, NoticePreferenceRepository, NoticeTemplateRepository: what the fake and PostgreSQL share."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from registry.repositories import NoticePreference, NoticeTemplate
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_notice

BEFORE = NOW - timedelta(minutes=1)


async def test_a_notice_is_stored_once_per_id(uow: RegistryUnitOfWork) -> None:
    notice = a_notice("vc-utrecht", uuid4())

    assert await uow.notices.add_once(notice) is True
    assert await uow.notices.add_once(notice) is False
    assert await uow.notices.get(notice.id) == notice
    assert await uow.notices.get(notice.id, "vc-utrecht") == notice
    assert await uow.notices.get(notice.id, "vc-zeist") is None


async def test_a_recipient_is_due_once_a_notice_waited_long_enough_and_takes_the_rest_along(
    uow: RegistryUnitOfWork,
) -> None:
    gathered, fresh, digest = uuid4(), uuid4(), uuid4()
    first = a_notice("vc-utrecht", gathered, recorded_at=NOW - timedelta(minutes=2), due_at=NOW - timedelta(minutes=2))
    second = a_notice(
        "vc-utrecht", gathered, recorded_at=NOW - timedelta(seconds=10), due_at=NOW - timedelta(seconds=10)
    )
    waiting = a_notice("vc-utrecht", gathered, delivery="digest", recorded_at=NOW - timedelta(minutes=5))
    too_fresh = a_notice("vc-utrecht", fresh, recorded_at=NOW - timedelta(seconds=10))
    digest_ready = a_notice("vc-utrecht", digest, delivery="digest", recorded_at=NOW - timedelta(hours=3))
    for notice in (first, second, waiting, too_fresh, digest_ready):
        await uow.notices.add_once(notice)
    window = {"immediate_before": BEFORE, "digest_before": NOW - timedelta(hours=1)}

    due = await uow.notices.recipients_due(NOW, **window, limit=10)
    gathered_claim = await uow.notices.claim_for("volunteer", gathered, NOW, **window)
    fresh_claim = await uow.notices.claim_for("volunteer", fresh, NOW, **window)
    digest_claim = await uow.notices.claim_for("volunteer", digest, NOW, **window)

    assert due == [("volunteer", digest), ("volunteer", gathered)]
    assert [n.id for n in gathered_claim] == [first.id, second.id]  # the digest one waits for its moment
    assert fresh_claim == []
    assert [n.id for n in digest_claim] == [digest_ready.id]
    assert await uow.notices.recipients_due(NOW, **window, limit=1) == [("volunteer", digest)]


async def test_each_outcome_counts_an_attempt_and_a_retry_waits(uow: RegistryUnitOfWork) -> None:
    sent, refused, retried, called = (a_notice("vc-utrecht", uuid4(), recorded_at=BEFORE) for _ in range(4))
    for notice in (sent, refused, retried, called):
        await uow.notices.add_once(notice)
    mail_id = uuid4()

    await uow.notices.mark_sent([sent.id], mail_id, NOW)
    await uow.notices.settle([refused.id], "failed", "refused", "550 no such mailbox")
    await uow.notices.retry_later([retried.id], "ConnectionRefusedError()", NOW + timedelta(minutes=1))
    await uow.notices.settle([called.id], "call", "no_email", None)
    await uow.notices.mark_called(called.id, "credential:consulent")

    after = {n.id: n for n in await uow.notices.of_centrale("vc-utrecht", None, None, 10)}
    assert (after[sent.id].status, after[sent.id].mail_id, after[sent.id].sent_at, after[sent.id].attempts) == (
        "sent",
        mail_id,
        NOW,
        1,
    )
    assert (after[refused.id].status, after[refused.id].reason, after[refused.id].last_error) == (
        "failed",
        "refused",
        "550 no such mailbox",
    )
    assert (after[retried.id].status, after[retried.id].attempts) == ("pending", 1)
    assert (after[called.id].status, after[called.id].called_by) == ("called", "credential:consulent")
    window = {"immediate_before": NOW, "digest_before": NOW}
    assert await uow.notices.claim_for("volunteer", retried.recipient_id, NOW, **window) == []
    later = NOW + timedelta(minutes=2)
    assert [n.id for n in await uow.notices.claim_for("volunteer", retried.recipient_id, later, **window)] == [
        retried.id
    ]


async def test_a_centrales_notices_newest_first_by_status_and_kind(uow: RegistryUnitOfWork) -> None:
    old = a_notice("vc-utrecht", uuid4(), recorded_at=NOW - timedelta(days=1), kind="check_in", status="sent")
    new = a_notice("vc-utrecht", uuid4(), kind="proposal_new")
    for notice in (old, new, a_notice("vc-zeist", uuid4())):
        await uow.notices.add_once(notice)

    assert [n.id for n in await uow.notices.of_centrale("vc-utrecht", None, None, 10)] == [new.id, old.id]
    assert [n.id for n in await uow.notices.of_centrale("vc-utrecht", ["sent"], None, 10)] == [old.id]
    assert [n.id for n in await uow.notices.of_centrale("vc-utrecht", None, "proposal_new", 10)] == [new.id]
    assert [n.id for n in await uow.notices.of_centrale("vc-utrecht", None, None, 1)] == [new.id]


async def test_preferences_are_per_person_and_kind_and_replaced(uow: RegistryUnitOfWork) -> None:
    person, other = uuid4(), uuid4()
    await uow.notice_preferences.put([NoticePreference("volunteer", person, "check_in", "digest", NOW)])
    await uow.notice_preferences.put(
        [
            NoticePreference("volunteer", person, "check_in", "off", NOW),
            NoticePreference("volunteer", person, "declined", "digest", NOW),
            NoticePreference("organisation", person, "declined", "off", NOW),
        ]
    )

    assert await uow.notice_preferences.of_recipient("volunteer", person) == {"check_in": "off", "declined": "digest"}
    assert await uow.notice_preferences.of_recipient("organisation", person) == {"declined": "off"}
    assert await uow.notice_preferences.of_recipient("volunteer", other) == {}


async def test_a_centrales_notice_templates_are_its_own(uow: RegistryUnitOfWork) -> None:
    centrale, other = a_centrale(), a_centrale()
    for c in (centrale, other):
        await uow.centrales.add(c)
    mine = NoticeTemplate(centrale.id, "check_in", "Hoe gaat het?", "Vertel het ons: $link", NOW)

    await uow.notice_templates.put(NoticeTemplate(centrale.id, "check_in", "Oud", "Oud", NOW))
    await uow.notice_templates.put(mine)
    await uow.notice_templates.put(NoticeTemplate(centrale.id, "declined", "Jammer", "Jammer", NOW))

    assert await uow.notice_templates.of_centrale(centrale.id, ["check_in"]) == {"check_in": mine}
    assert set(await uow.notice_templates.of_centrale(centrale.id)) == {"check_in", "declined"}
    assert await uow.notice_templates.of_centrale(other.id) == {}
    await uow.notice_templates.delete(centrale.id, "check_in")
    assert set(await uow.notice_templates.of_centrale(centrale.id)) == {"declined"}
