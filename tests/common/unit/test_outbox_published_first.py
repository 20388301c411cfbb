"""The relay publishes a batch's key-topic rows, acknowledged, before the rest (a key precedes what it opens)."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from aiokafka import AIOKafkaProducer

from common.outbox import OutboxRelay
from contracts.events import KEY_TOPIC

VOLUNTEERS = "registry.volunteers.v1"


class _Producer:
    """Records sends; each acknowledgement resolves only when the test lets it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None]] = []
        self.pending: list[asyncio.Future[None]] = []

    async def send(self, topic: str, *, value: bytes | None, key: bytes, headers: Any) -> asyncio.Future[None]:
        self.sent.append((topic, value))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.append(future)
        return future


def _row(topic: str, payload: bytes | None) -> dict[str, Any]:
    return {"id": 0, "topic": topic, "key": "v", "headers": "[]", "payload": payload, "traceparent": None}


async def test_key_rows_are_acknowledged_before_any_other_row_is_sent() -> None:
    relay = OutboxRelay(cast(Any, None), "127.0.0.1:9")
    producer = _Producer()
    rows = [_row(VOLUNTEERS, b"registered"), _row(KEY_TOPIC, b"key"), _row(KEY_TOPIC, None)]

    sending = asyncio.create_task(relay._send_all(cast(AIOKafkaProducer, producer), cast(Any, rows)))
    await asyncio.sleep(0.05)
    # Only the key topic's rows (the tombstone without a value) are out; the event waits for their acknowledgement.
    assert producer.sent == [(KEY_TOPIC, b"key"), (KEY_TOPIC, None)]
    for future in producer.pending:
        future.set_result(None)
    await asyncio.sleep(0.05)
    assert producer.sent[-1] == (VOLUNTEERS, b"registered")
    producer.pending[-1].set_result(None)
    acknowledged, error = await sending

    assert error is None
    assert [row["topic"] for row in acknowledged] == [KEY_TOPIC, KEY_TOPIC, VOLUNTEERS]


async def test_a_refused_key_row_holds_back_the_rest() -> None:
    relay = OutboxRelay(cast(Any, None), "127.0.0.1:9")
    producer = _Producer()
    rows = [_row(KEY_TOPIC, b"key"), _row(VOLUNTEERS, b"registered")]

    sending = asyncio.create_task(relay._send_all(cast(AIOKafkaProducer, producer), cast(Any, rows)))
    await asyncio.sleep(0.05)
    producer.pending[0].set_exception(RuntimeError("broker said no"))
    acknowledged, error = await sending

    assert acknowledged == []
    assert isinstance(error, RuntimeError)
    assert producer.sent == [(KEY_TOPIC, b"key")]
