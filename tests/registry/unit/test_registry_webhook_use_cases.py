"""Partners' webhooks on the fakes: registering (the secret once), the signature, the sender's retries with
backoff, the delivery log, sending again by hand."""

from __future__ import annotations

import json
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from common.clock import ManualClock
from common.errors import Conflict, NotFound, Rejected
from registry.use_cases.partners import RegisterPartner, register_partner
from registry.use_cases.webhooks import (
    ClaimDueDelivery,
    DueDelivery,
    GetDelivery,
    GetWebhook,
    ListDeliveries,
    PingWebhook,
    RecordAttempt,
    RedriveDelivery,
    RemoveWebhook,
    RetryPolicy,
    SetWebhook,
    claim_due_delivery,
    get_delivery,
    get_webhook,
    list_deliveries,
    ping_webhook,
    record_attempt,
    redrive_delivery,
    remove_webhook,
    set_webhook,
)
from registry.webhooks.signing import new_secret, sign, signature_header, verify
from tests.registry.builders import NOW
from tests.registry.fakes import FakeRegistryUnitOfWork

POLICY = RetryPolicy(first_delay=timedelta(seconds=30), max_delay=timedelta(minutes=5), max_attempts=4)
URL = "https://hr.example.com/regio/webhook"


async def _partner(uow: FakeRegistryUnitOfWork) -> UUID:
    return await register_partner(RegisterPartner("Rabobank Utrecht"), uow)


async def _claimed(uow: FakeRegistryUnitOfWork) -> DueDelivery:
    due = await claim_due_delivery(ClaimDueDelivery(), uow)
    assert due is not None
    return due


def _later(uow: FakeRegistryUnitOfWork, clock: ManualClock, delta: timedelta) -> None:
    clock.advance(delta)
    uow.renew()


def test_the_signature_is_hmac_sha256_over_the_time_and_the_body() -> None:
    # A fixed vector (computed with Python's hmac module): the secret's UTF-8 bytes key an HMAC-SHA256 of
    # "<t>.<body>", written as lowercase hex.
    body = b'{"id":"1","type":"ping"}'
    assert sign("whsec_test", 1767268800, body) == "a3853a5ef7e1f4fbda2fe408e3b35ad24a40f2ded2c3f8ba84c4a361d34ae8e5"
    header = signature_header("whsec_test", 1767268800, body)
    assert header == f"t=1767268800,v1={sign('whsec_test', 1767268800, body)}"

    assert verify("whsec_test", header, body, now=1767268800 + 299) is True
    assert verify("whsec_test", header, body + b" ", now=1767268800) is False  # another body
    assert verify("whsec_other", header, body, now=1767268800) is False  # another secret
    assert verify("whsec_test", header, body, now=1767268800 + 301) is False  # replayed too late
    assert verify("whsec_test", "v1=abc", body, now=1767268800) is False  # no time
    assert new_secret().startswith("whsec_")
    assert new_secret() != new_secret()


async def test_a_new_webhook_shows_its_secret_once_and_keeps_it_when_only_the_url_changes(
    uow: FakeRegistryUnitOfWork,
) -> None:
    partner_id = await _partner(uow)

    created = await set_webhook(SetWebhook(partner_id, URL), uow)
    moved = await set_webhook(SetWebhook(partner_id, URL + "/v2"), uow)
    rotated = await set_webhook(SetWebhook(partner_id, URL + "/v2", new_secret=True), uow)

    assert created.created
    assert created.secret is not None
    assert (moved.created, moved.secret) == (False, None)
    assert rotated.secret not in (None, created.secret)
    stored = await get_webhook(GetWebhook(partner_id), uow)
    assert (stored.url, stored.secret) == (URL + "/v2", rotated.secret)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hr.example.com/hook", "must start with https://"),
        ("ftp://hr.example.com/hook", "must start with https://"),
        ("https:///hook", "must name a host"),
        ("https://user:pw@hr.example.com/hook", "must not carry a user name or password"),
        ("https://hr.example.com/hook#x", "must not have a #fragment"),
        ("https://hr.example.com/ho ok", "must not contain spaces or control characters"),
        ("https://hr.example.com:port/hook", "not a URL"),
    ],
)
async def test_a_webhook_url_must_be_https_to_a_host(uow: FakeRegistryUnitOfWork, url: str, reason: str) -> None:
    partner_id = await _partner(uow)
    with pytest.raises(Rejected) as refused:
        await set_webhook(SetWebhook(partner_id, url), uow)
    assert reason in refused.value.reasons
    assert refused.value.field == "url"
    assert all(url not in message for message in refused.value.reasons)  # never echoed


async def test_http_is_allowed_only_when_configured(uow: FakeRegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    result = await set_webhook(SetWebhook(partner_id, "http://127.0.0.1:8099/hook", allow_http=True), uow)
    assert result.created
    with pytest.raises(NotFound):
        await set_webhook(SetWebhook(uuid4(), URL), uow)


async def test_a_failed_attempt_is_tried_again_with_doubling_delays_until_delivered(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    partner_id = await _partner(uow)
    await set_webhook(SetWebhook(partner_id, URL), uow)
    delivery_id = await ping_webhook(PingWebhook(partner_id), uow)

    first = await _claimed(uow)
    assert (first.delivery.id, first.url) == (delivery_id, URL)
    after_first = await record_attempt(RecordAttempt(first, 500, "HTTP 500", 12, POLICY), uow)
    assert (after_first.status, after_first.attempts, after_first.next_attempt_at) == (
        "pending",
        1,
        NOW + timedelta(seconds=30),
    )
    assert await claim_due_delivery(ClaimDueDelivery(), uow) is None  # not due yet

    _later(uow, clock, timedelta(seconds=30))
    second = await _claimed(uow)
    after_second = await record_attempt(RecordAttempt(second, None, "ConnectError: refused", 3, POLICY), uow)
    assert after_second.next_attempt_at == NOW + timedelta(seconds=30 + 60)

    _later(uow, clock, timedelta(seconds=60))
    third = await _claimed(uow)
    delivered = await record_attempt(RecordAttempt(third, 204, None, 20, POLICY), uow)

    assert (delivered.status, delivered.attempts, delivered.finished_at) == (
        "delivered",
        3,
        NOW + timedelta(seconds=90),
    )
    log = await get_delivery(GetDelivery(partner_id, delivery_id), uow)
    assert [(a.attempt, a.status_code, a.error) for a in log.attempts] == [
        (1, 500, "HTTP 500"),
        (2, None, "ConnectError: refused"),
        (3, 204, None),
    ]
    assert json.loads(log.delivery.body)["type"] == "ping"


async def test_a_delivery_fails_when_its_attempts_are_spent_and_can_be_sent_again_by_hand(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    partner_id = await _partner(uow)
    await set_webhook(SetWebhook(partner_id, URL), uow)
    delivery_id = await ping_webhook(PingWebhook(partner_id), uow)
    delays = []
    for _ in range(POLICY.max_attempts):
        due = await _claimed(uow)
        outcome = await record_attempt(RecordAttempt(due, 503, "HTTP 503", 5, POLICY), uow)
        if outcome.next_attempt_at is not None:
            delays.append(outcome.next_attempt_at - uow.now())
            _later(uow, clock, outcome.next_attempt_at - uow.now())

    assert delays == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert (outcome.status, outcome.attempts) == ("failed", 4)
    assert [d.id for d in await list_deliveries(ListDeliveries(partner_id, "failed"), uow)] == [delivery_id]

    again = await redrive_delivery(RedriveDelivery(partner_id, delivery_id), uow)
    assert (again.status, again.next_attempt_at) == ("pending", uow.now())
    with pytest.raises(Conflict, match="pending"):
        await redrive_delivery(RedriveDelivery(partner_id, delivery_id), uow)
    due = await _claimed(uow)
    retried = await record_attempt(RecordAttempt(due, 500, "HTTP 500", 5, POLICY), uow)
    assert (retried.status, retried.attempts, retried.next_attempt_at) == (
        "pending",
        5,
        uow.now() + timedelta(seconds=30),
    )  # a fresh budget: the first delay again
    with pytest.raises(NotFound):
        await redrive_delivery(RedriveDelivery(uuid4(), delivery_id), uow)


async def test_removing_the_webhook_cancels_what_waits_and_a_ping_needs_one(uow: FakeRegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    await set_webhook(SetWebhook(partner_id, URL), uow)
    waiting = await ping_webhook(PingWebhook(partner_id), uow)

    assert await remove_webhook(RemoveWebhook(partner_id), uow) == 1

    [cancelled] = await list_deliveries(ListDeliveries(partner_id), uow)
    assert (cancelled.id, cancelled.status) == (waiting, "cancelled")
    assert await claim_due_delivery(ClaimDueDelivery(), uow) is None
    with pytest.raises(NotFound):
        await ping_webhook(PingWebhook(partner_id), uow)
    with pytest.raises(NotFound):
        await remove_webhook(RemoveWebhook(partner_id), uow)
    with pytest.raises(Conflict, match="no webhook"):
        await redrive_delivery(RedriveDelivery(partner_id, waiting), uow)


async def test_a_due_delivery_whose_webhook_is_gone_is_cancelled_not_sent(uow: FakeRegistryUnitOfWork) -> None:
    partner_id = await _partner(uow)
    await set_webhook(SetWebhook(partner_id, URL), uow)
    delivery_id = await ping_webhook(PingWebhook(partner_id), uow)
    del uow.tables.partner_webhooks[partner_id]  # as a concurrent removal leaves it

    assert await claim_due_delivery(ClaimDueDelivery(), uow) is None

    assert uow.tables.webhook_deliveries[delivery_id].status == "cancelled"


async def test_a_partner_reads_only_its_own_deliveries(uow: FakeRegistryUnitOfWork) -> None:
    partner_id, other = await _partner(uow), await _partner(uow)
    await set_webhook(SetWebhook(other, URL), uow)
    theirs = await ping_webhook(PingWebhook(other), uow)

    with pytest.raises(NotFound):
        await get_delivery(GetDelivery(partner_id, theirs), uow)
    assert await list_deliveries(ListDeliveries(partner_id), uow) == []
    with pytest.raises(NotFound):
        await get_webhook(GetWebhook(partner_id), uow)
