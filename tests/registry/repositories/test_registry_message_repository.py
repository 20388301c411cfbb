"""MessageRepository and TemplateRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from registry.repositories import Template
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_message


async def test_an_award_gets_one_message_however_often_it_is_recorded(uow: RegistryUnitOfWork) -> None:
    message = a_message("vc-utrecht", uuid4())
    assert await uow.messages.add_once(message) is True
    assert await uow.messages.add_once(a_message("vc-utrecht", uuid4(), award_id=message.award_id)) is False
    assert await uow.messages.get(message.award_id) == message
    assert await uow.messages.get(uuid4()) is None


async def test_due_messages_are_the_pending_ones_whose_time_came_earliest_first(uow: RegistryUnitOfWork) -> None:
    recipient = uuid4()
    early = a_message("vc-utrecht", recipient, next_attempt_at=NOW - timedelta(minutes=5))
    on_time = a_message("vc-utrecht", recipient, next_attempt_at=NOW)
    later = a_message("vc-utrecht", recipient, next_attempt_at=NOW + timedelta(minutes=1))
    settled = a_message("vc-utrecht", recipient, status="not_sent", reason="no_consent")
    for message in (on_time, later, settled, early):
        await uow.messages.add_once(message)

    assert [m.award_id for m in await uow.messages.claim_due(NOW, limit=10)] == [early.award_id, on_time.award_id]
    assert [m.award_id for m in await uow.messages.claim_due(NOW, limit=1)] == [early.award_id]


async def test_each_outcome_of_sending_counts_an_attempt(uow: RegistryUnitOfWork) -> None:
    sent, refused, retried = (a_message("vc-utrecht", uuid4()) for _ in range(3))
    for message in (sent, refused, retried):
        await uow.messages.add_once(message)

    await uow.messages.mark_sent(sent.award_id, NOW)
    await uow.messages.settle(refused.award_id, "failed", "refused", "550 no such mailbox")
    await uow.messages.retry_later(retried.award_id, "ConnectionRefusedError()", NOW + timedelta(minutes=1))

    after_sent, after_refused, after_retry = [await uow.messages.get(m.award_id) for m in (sent, refused, retried)]
    assert after_sent is not None
    assert (after_sent.status, after_sent.attempts, after_sent.sent_at, after_sent.last_error) == ("sent", 1, NOW, None)
    assert after_refused is not None
    assert (after_refused.status, after_refused.reason, after_refused.attempts) == ("failed", "refused", 1)
    assert after_refused.last_error == "550 no such mailbox"
    assert after_retry is not None
    assert (after_retry.status, after_retry.attempts) == ("pending", 1)
    assert after_retry.next_attempt_at == NOW + timedelta(minutes=1)
    assert await uow.messages.claim_due(NOW, limit=10) == []


async def test_a_centrales_messages_come_newest_first_by_status(uow: RegistryUnitOfWork) -> None:
    old = a_message("vc-utrecht", uuid4(), recorded_at=NOW - timedelta(days=1), status="sent")
    new = a_message("vc-utrecht", uuid4(), recorded_at=NOW)
    for message in (old, new, a_message("vc-zeist", uuid4())):
        await uow.messages.add_once(message)
    assert [m.award_id for m in await uow.messages.of_centrale("vc-utrecht", None, 10)] == [new.award_id, old.award_id]
    assert [m.award_id for m in await uow.messages.of_centrale("vc-utrecht", "sent", 10)] == [old.award_id]
    assert [m.award_id for m in await uow.messages.of_centrale("vc-utrecht", None, 1)] == [new.award_id]


async def test_a_centrales_own_templates_replace_and_go(uow: RegistryUnitOfWork) -> None:
    centrale, other = a_centrale(), a_centrale()
    for c in (centrale, other):
        await uow.centrales.add(c)
    first = Template(centrale.id, "default", "Dank, $naam", "$titel", NOW)
    replacement = Template(centrale.id, "default", "Hoera, $naam", "$titel!", NOW + timedelta(minutes=1))
    milestone = Template(centrale.id, "hours_milestone", "Mijlpaal", "$titel", NOW)
    for template in (first, milestone, replacement, Template(other.id, "default", "Elders", "x", NOW)):
        await uow.templates.put(template)

    assert await uow.templates.of_centrale(centrale.id) == {"default": replacement, "hours_milestone": milestone}
    assert await uow.templates.of_centrale(centrale.id, ["nldoet", "default"]) == {"default": replacement}
    await uow.templates.delete(centrale.id, "default")
    await uow.templates.delete(centrale.id, "mdt")  # none there: nothing happens
    assert await uow.templates.of_centrale(centrale.id) == {"hours_milestone": milestone}
