"""The ops command line against a running service (the probe): lag, dead letters and their re-drive, replay."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete

from common.ops import REDRIVE_GROUP, commit_offsets, committed_offsets
from contracts import dead_letter_topic
from tests.faults.harness import (
    COUNTER,
    FAULTS_DIR,
    SPECS,
    VOLUNTEERS,
    Cluster,
    effect_count,
    inbox_rows,
    publish_registrations,
)

pytestmark = pytest.mark.faults

DEAD_LETTERS = dead_letter_topic(VOLUNTEERS)
COUNTER_MIGRATION = Path(__file__).parent / "faultcounter_migrations" / "0001_effect_counts.sql"


async def _ops(cluster: Cluster, *args: str, expect: int = 0) -> str:
    """Run ``python -m common.ops --bootstrap <private broker> ARGS`` and return its standard output."""
    # The probe service's module must be importable for `replay --spec faultcounter:SPEC`.
    path = os.pathsep.join(filter(None, [str(FAULTS_DIR), os.environ.get("PYTHONPATH")]))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "common.ops", "--bootstrap", cluster.bootstrap, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": path},
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == expect, f"ops {' '.join(args)} exited {process.returncode}:\n{stderr.decode()}"
    return stdout.decode()


async def _ops_json(cluster: Cluster, *args: str) -> Any:
    return json.loads(await _ops(cluster, "--json", *args))


async def _execute(database_url: str, sql: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def test_lag_and_dead_letter_redrive_after_a_fix(cluster: Cluster) -> None:
    """Events dead-lettered by a broken projection are listed, inspected and re-driven once it is fixed."""
    await cluster.isolate(COUNTER)
    # Earlier tests left dead letters: mark them handled so "pending" means this test's.
    await commit_offsets(cluster.bootstrap, REDRIVE_GROUP, await cluster.ends(DEAD_LETTERS))
    database = await cluster.database(COUNTER)
    counter = cluster.service(COUNTER, database, max_retries=1)
    await cluster.start(counter)
    await cluster.settled(counter)
    centrale = f"vc-fault-{secrets.token_hex(4)}"

    # The bug: the projection's table is gone, while the database itself answers.
    await _execute(database, "DROP TABLE effect_counts")
    await publish_registrations(cluster.bootstrap, centrale, 3)
    await cluster.caught_up(COUNTER, await cluster.ends())

    pending = await _ops_json(cluster, "dlq", "list", "--pending", "--topic", DEAD_LETTERS)
    assert [(p["consumer"], p["error_class"], p["tenant"]) for p in pending] == [
        (COUNTER, "UndefinedTableError", centrale)
    ] * 3
    first = pending[0]
    detail = json.loads(await _ops(cluster, "dlq", "show", DEAD_LETTERS, str(first["offset"])))
    assert detail["headers"]["ce_id"] == first["event_id"]
    assert detail["headers"]["dlq_original_topic"] == VOLUNTEERS
    assert detail["headers"]["dlq_attempts"] == "2"
    assert detail["payload"]["centrale_id"] == centrale
    assert "effect_counts" in detail["error_message"]

    # The fix, then one re-drive by position and the rest as "all pending".
    await _execute(database, COUNTER_MIGRATION.read_text())
    await _ops(cluster, "dlq", "redrive", DEAD_LETTERS, str(first["offset"]))
    await cluster.caught_up(COUNTER, await cluster.ends())
    assert await effect_count(database, centrale) == 1
    redriven = await _ops_json(cluster, "dlq", "redrive", "--all", "--topic", DEAD_LETTERS)
    assert sorted(r["event_id"] for r in redriven) == sorted(p["event_id"] for p in pending[1:])
    await cluster.caught_up(COUNTER, await cluster.ends())
    assert await effect_count(database, centrale) == 3
    assert await inbox_rows(database, COUNTER) == 3
    assert await _ops_json(cluster, "dlq", "list", "--pending", "--topic", DEAD_LETTERS) == []

    # Lag: with the service stopped, exactly the records published since are outstanding.
    counter.terminate()
    await publish_registrations(cluster.bootstrap, centrale, 5)
    [lag] = [row for row in await _ops_json(cluster, "lag", COUNTER) if row["topic"] == VOLUNTEERS]
    assert lag["lag"] == 5
    assert "registry.volunteers.v1" in await _ops(cluster, "lag", COUNTER)
    restarted = cluster.service(COUNTER, database)
    await cluster.start(restarted)
    await cluster.caught_up(COUNTER, await cluster.ends())
    [lag] = [row for row in await _ops_json(cluster, "lag", COUNTER) if row["topic"] == VOLUNTEERS]
    assert lag["lag"] == 0
    assert await effect_count(database, centrale) == 8


async def test_replay_rebuilds_the_projection_from_the_start(cluster: Cluster) -> None:
    """Replay empties the projection and re-consumes the topic; rebuilt equals incremental, exactly."""
    sent = 60
    # The private topic's older records belong to other tests: drop them so "from the start" is this test's.
    admin = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap)
    await admin.start()
    try:
        await admin.delete_records({tp: RecordsToDelete(end) for tp, end in (await cluster.ends()).items()})
    finally:
        await admin.close()
    await cluster.isolate(COUNTER)
    database = await cluster.database(COUNTER)
    counter = cluster.service(COUNTER, database)
    await cluster.start(counter)
    await cluster.settled(counter)
    centrale = f"vc-fault-{secrets.token_hex(4)}"
    await publish_registrations(cluster.bootstrap, centrale, sent)
    targets = await cluster.ends()
    await cluster.caught_up(COUNTER, targets)
    assert await effect_count(database, centrale) == sent

    # Refused while an instance runs: it would overwrite the reset offsets with its own commits.
    await _ops(cluster, "replay", COUNTER, "--spec", SPECS[COUNTER], "--database-url", database, expect=2)
    assert await effect_count(database, centrale) == sent
    assert await committed_offsets(cluster.bootstrap, COUNTER, targets) == targets

    counter.terminate()
    result = await _ops_json(cluster, "replay", COUNTER, "--spec", SPECS[COUNTER], "--database-url", database)
    assert result["truncated"] == ["effect_counts"]
    assert result["inbox_rows_deleted"] == sent
    assert await effect_count(database, centrale) == 0
    assert await inbox_rows(database, COUNTER) == 0
    assert sum((await committed_offsets(cluster.bootstrap, COUNTER, targets)).values()) == sum(
        result["offsets"].values()
    )

    rebuilt = cluster.service(COUNTER, database)
    await cluster.start(rebuilt)
    await cluster.settled(rebuilt)
    await cluster.caught_up(COUNTER, targets)
    assert await effect_count(database, centrale) == sent
    assert await inbox_rows(database, COUNTER) == sent
    assert rebuilt.batch_total("applied") == sent
