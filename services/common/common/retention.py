"""Retention of every service's delivery records: published outbox rows and applied inbox ids are purged.

A published outbox row is a copy of an event already on its topic (and can hold what a person's erasure must
reach); an inbox id only needs to outlive the redeliveries it guards against. The scheduler runs
``purge-delivery-records`` daily in every service and logs its counts (``job_run_finished``). Unpublished rows
are never purged: the relay has yet to send them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta

from common.db import Connection
from common.jobs import DailyAt, Job, JobContext
from common.settings import ServiceSettings

__all__ = ["RETENTION_JOBS", "purge_delivery_records", "purge_inbox", "purge_published_outbox"]


async def purge_published_outbox(conn: Connection, published_before: datetime) -> int:
    """Delete outbox rows published before ``published_before``; how many went."""
    return int(
        await conn.fetchval(
            "WITH gone AS (DELETE FROM outbox WHERE published_at < $1 RETURNING 1) SELECT count(*) FROM gone",
            published_before,
        )
    )


async def purge_inbox(conn: Connection, received_before: datetime) -> int:
    """Delete the inbox ids of events applied before ``received_before``; how many went."""
    return int(
        await conn.fetchval(
            "WITH gone AS (DELETE FROM inbox WHERE received_at < $1 RETURNING 1) SELECT count(*) FROM gone",
            received_before,
        )
    )


async def purge_delivery_records(context: JobContext) -> Mapping[str, int]:
    """Purge published outbox rows older than ``<SERVICE>_OUTBOX_RETENTION_DAYS`` and inbox ids older than
    ``<SERVICE>_INBOX_RETENTION_DAYS``."""
    settings = context.settings
    assert isinstance(settings, ServiceSettings), "a service's jobs run with its settings"
    now = context.now()
    async with context.pool.acquire() as conn, conn.transaction():
        outbox = await purge_published_outbox(conn, now - timedelta(days=settings.outbox_retention_days))
        inbox = await purge_inbox(conn, now - timedelta(days=settings.inbox_retention_days))
    return {"outbox_rows": outbox, "inbox_ids": inbox}


RETENTION_JOBS = (
    Job(
        "purge-delivery-records",
        purge_delivery_records,
        DailyAt(time(3, 15)),
        description="Delete published outbox rows older than <SERVICE>_OUTBOX_RETENTION_DAYS and inbox ids older"
        " than <SERVICE>_INBOX_RETENTION_DAYS (every service).",
    ),
)
