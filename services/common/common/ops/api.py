"""A route for region ops on every service that consumes: its consumer group's lag and its dead letters.

The same facts ``python -m common.ops lag`` and ``dlq list`` print, over HTTP, so the portal's ops page can show
them without a Kafka client of its own.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from common.auth import CallerDep, Role, require_role
from common.ops.deadletters import read_dead_letters
from common.ops.groups import consumer_lag
from common.runtime import get_runtime

__all__ = ["stream_router"]

stream_router = APIRouter(prefix="/v1/ops", tags=["region ops"])


class TopicLagOut(BaseModel):
    """How far the service's consumer group is behind on one topic."""

    topic: str
    lag: int = Field(description="Records not yet committed, summed over the topic's partitions.")
    partitions_behind: int


class DeadLetterOut(BaseModel):
    """A record this service's consumer gave up on (never its payload: it may hold a pseudonymous id only)."""

    dlq_topic: str
    partition: int
    offset: int
    original_topic: str
    error_class: str
    pending: bool = Field(description="Not re-driven yet.")


class StreamOut(BaseModel):
    """The service's consumer group: lag per topic and its dead letters."""

    group: str
    lag: int
    topics: list[TopicLagOut]
    dead_letters: list[DeadLetterOut]


@stream_router.get(
    "/stream", summary="This service's consumer lag per topic and the dead letters it wrote (region ops)."
)
async def stream(request: Request, caller: CallerDep) -> StreamOut:
    require_role(caller, Role.REGION_OPS)
    runtime = get_runtime(request)
    group = runtime.spec.name
    by_topic: dict[str, TopicLagOut] = {}
    for row in await consumer_lag(runtime.settings, [group]):
        entry = by_topic.setdefault(row.topic, TopicLagOut(topic=row.topic, lag=0, partitions_behind=0))
        entry.lag += row.lag
        entry.partitions_behind += row.lag > 0
    letters = [
        DeadLetterOut(
            dlq_topic=letter.dlq_topic,
            partition=letter.partition,
            offset=letter.offset,
            original_topic=letter.original_topic,
            error_class=letter.error_class,
            pending=letter.pending,
        )
        for letter in await read_dead_letters(runtime.settings)
        if letter.consumer == group
    ]
    topics = sorted(by_topic.values(), key=lambda t: t.topic)
    return StreamOut(group=group, lag=sum(t.lag for t in topics), topics=topics, dead_letters=letters)
