"""Replay a projection: empty its read models and inbox, and consume its topics again from the beginning.

The service's instances must be stopped (the tool refuses while its consumer group has members); when
they start again they rebuild the read models from every event still on the topics (retention is
forever for streams), through the same handlers as always, so the rebuilt state equals the incremental
one. Reads of the projection see it grow back from empty in the meantime.

Order matters for a failure halfway: the Kafka offsets are reset first. If emptying the tables then
fails, the next start re-consumes everything, the intact inbox skips every event and nothing changes;
the other way round, a failed reset would leave empty tables behind offsets at the end.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg
from aiokafka import TopicPartition

from common.kafka import KafkaTarget
from common.ops.groups import reset_offsets

if TYPE_CHECKING:
    # The service runtime (FastAPI, FastStream) takes a second to import: only `replay` needs it, at run time.
    from common.service import ServiceSpec

__all__ = ["ReplayResult", "load_spec", "replay_projection"]


@dataclass(frozen=True)
class ReplayResult:
    """What a replay did."""

    service: str
    offsets: dict[TopicPartition, int]
    truncated: tuple[str, ...]
    inbox_rows_deleted: int


def load_spec(reference: str) -> ServiceSpec:
    """The ServiceSpec named ``module:attribute`` (e.g. ``reporting.main:SPEC``)."""
    from common.service import ServiceSpec

    module_name, _, attribute = reference.partition(":")
    spec = getattr(importlib.import_module(module_name), attribute or "SPEC")
    if not isinstance(spec, ServiceSpec):
        raise TypeError(f"{reference} is a {type(spec).__name__}, not a ServiceSpec")
    return spec


def _quote_ident(name: str) -> str:
    """A double-quoted SQL identifier (``schema.table`` quoted part by part)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


async def replay_projection(
    kafka: KafkaTarget, spec: ServiceSpec, database_url: str, *, wait_for_empty_s: float = 0.0
) -> ReplayResult:
    """Reset ``spec``'s consumer group to the start of its topics, then empty its read models and inbox."""
    from common.consumer import EventConsumer

    if not spec.replay_tables or spec.register_handlers is None:
        raise ValueError(f"{spec.name} declares no replay_tables: it is not a projection that can be replayed")
    consumer = EventConsumer(spec.name, pool=None)
    spec.register_handlers(consumer)
    topics = list(spec.replay_topics) or consumer.topics
    if not set(topics) <= set(consumer.topics):
        raise ValueError(f"{spec.name} does not consume {sorted(set(topics) - set(consumer.topics))}")
    offsets = await reset_offsets(kafka, spec.name, topics, to="earliest", wait_for_empty_s=wait_for_empty_s)
    connection = await asyncpg.connect(database_url)
    try:
        async with connection.transaction():
            tables = ", ".join(_quote_ident(table) for table in spec.replay_tables)
            await connection.execute(f"TRUNCATE {tables}")
            if spec.replay_horizon:
                # Every event produced until now is history to the handlers (ReplayHorizon in the service).
                await connection.execute(
                    "INSERT INTO replay_horizon (singleton, until) VALUES (true, now())"
                    " ON CONFLICT (singleton) DO UPDATE SET until = excluded.until"
                )
            deleted = await connection.fetchval(
                "WITH gone AS (DELETE FROM inbox WHERE consumer = $1 RETURNING 1) SELECT count(*) FROM gone",
                spec.name,
            )
    finally:
        await connection.close()
    return ReplayResult(
        service=spec.name, offsets=offsets, truncated=tuple(spec.replay_tables), inbox_rows_deleted=int(deleted)
    )
