"""The paced harness: the latency histogram, the sender's schedule and stamps, and the sender as a process."""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import asyncpg
import pytest

from bench.generator import generate_region
from bench.harness import percentile
from bench.histogram import LatencyHistogram
from bench.paced import PacedSetup, paced_project, paced_raw, sent_us, write_templates
from bench.project import open_pool
from bench.sender import (
    COMMITTED_SEPARATOR,
    WARM_UP_RECORDS,
    Schedule,
    Template,
    committed_payloads,
    record_copies,
    stamped_headers,
)
from bench.verdicts import schedule_kept


def _nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def test_a_histogram_answers_percentiles_within_one_percent_and_the_exact_maximum() -> None:
    rng = random.Random(7)
    values = [rng.lognormvariate(2.0, 1.2) for _ in range(50_000)]  # ms, from ~0.1 to a few hundred
    histogram = LatencyHistogram()
    for value in values:
        histogram.record(value)
    for q in (50, 90, 95, 99, 99.9):
        assert histogram.percentile(q) == pytest.approx(_nearest_rank(values, q), rel=0.01)
    summary = histogram.summary()
    assert summary.count == len(values)
    assert summary.max == max(values)
    assert summary.p99 == pytest.approx(percentile(values, 99), rel=0.01)


def test_a_histogram_stays_small_merges_and_travels_as_json() -> None:
    first, second = LatencyHistogram(), LatencyHistogram()
    for index in range(200_000):
        first.record(0.05 + index % 1_000)  # 1,000 distinct values from 0.05 ms to 1 s
    second.record(2_500.0, times=10)
    assert len(first.counts) < 1_000  # buckets, not values: the soak's memory stays flat
    first.merge(second)
    assert first.count == 200_010
    assert first.max_ms == 2_500.0
    copy = LatencyHistogram.from_dict(first.as_dict())
    assert (copy.count, copy.max_ms, copy.percentile(50), copy.percentile(99.99)) == (
        first.count,
        first.max_ms,
        first.percentile(50),
        first.percentile(99.99),
    )
    with pytest.raises(ValueError, match="no values"):
        LatencyHistogram().percentile(50)


def test_a_schedule_sleeps_when_ahead_and_counts_how_late_each_late_send_went() -> None:
    schedule = Schedule(rate=1_000, duration_s=2.0)
    assert schedule.total == 2_000
    assert schedule.wait_s(100, elapsed_s=0.05) == pytest.approx(0.05)  # due at 0.1 s: sleep
    assert schedule.lag.count == 0
    assert schedule.wait_s(100, elapsed_s=0.1995) == 0.0  # 99.5 ms late: send now, count it
    assert schedule.wait_s(101, elapsed_s=0.1005) == 0.0  # within the slack: on time
    assert schedule.lag.count == 2
    assert schedule.lag.max_ms == pytest.approx(99.5)
    assert schedule.lag.percentile(50) < 0.01


def test_committed_payloads_fit_notify_and_carry_every_send_time_once() -> None:
    sent = [1_780_000_000_000_000 + n for n in range(1_234)]
    payloads = committed_payloads("b7", sent)
    assert all(len(payload.encode()) < 8_000 for payload in payloads)  # PostgreSQL's NOTIFY limit
    assert len({payload.split(COMMITTED_SEPARATOR)[0] for payload in payloads}) == len(payloads)  # never folded
    back = [int(value) for payload in payloads for value in payload.split(COMMITTED_SEPARATOR, 1)[1].split(",")]
    assert back == sent


def test_each_copy_gets_new_ids_and_ce_time_says_when_it_was_sent() -> None:
    template = Template(
        topic="registry.hours.v1",
        key="v1",
        value='{"hours_id":"h-1","hours":"2.00"}',
        headers=[("ce_id", "e-1"), ("ce_time", "2026-05-04T06:00:00Z"), ("ce_type", "t")],
        hours_id="h-1",
    )
    copies = record_copies([template])
    (_, first, headers, first_id), (_, second, _, second_id) = next(copies), next(copies)
    assert first_id != second_id
    assert b"h-1" not in first
    assert first != second
    assert first.endswith(b'","hours":"2.00"}')
    now = 1_780_000_000.123456
    stamped = dict(stamped_headers(headers, first_id, now))
    assert stamped["ce_id"] == first_id
    assert stamped["ce_type"] == b"t"
    assert abs(sent_us(datetime.fromisoformat(stamped["ce_time"].decode())) - now * 1e6) <= 1


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few hundred generated HoursLogged for the sender."""
    region = generate_region(seed=11, volunteers=300)
    return write_templates(region, 3, tmp_path_factory.mktemp("sender") / "templates.jsonl", 200)


@pytest.fixture
async def setup(kafka_bootstrap: str, fresh_database: str, templates: Path) -> AsyncIterator[PacedSetup]:
    """Where paced runs send, write and listen, on the session's broker and a fresh database."""
    pool: asyncpg.Pool = await open_pool(fresh_database)
    try:
        yield PacedSetup(kafka_bootstrap, fresh_database, pool, templates, drain_timeout_s=10.0)
    finally:
        await pool.close()


@pytest.mark.integration
async def test_the_sender_process_sends_what_was_asked_and_every_record_is_seen(setup: PacedSetup) -> None:
    run = await paced_raw(setup, rate=400, duration_s=1.0)
    sender = run.extra["sender"]
    assert (run.records, sender["sent"], sender["acked"], sender["failed"]) == (400, 400, 400, 0)
    assert sender["send_lag_ms"]["count"] == 400  # every send's lag against its schedule
    assert sender["send_seconds"] >= 0.99  # paced over the second, not sent at once
    assert run.extra["censored"] == 0
    assert run.latencies_ms["consumed"].count == 400
    assert 0 < run.latencies_ms["consumed"].p50 < 1_000
    # Whether it kept its schedule depends on the machine's load (the verdict's rules are tested without one).
    assert isinstance(schedule_kept(run)[0], bool)


@pytest.mark.integration
async def test_a_sender_asked_for_more_than_it_can_send_says_so(setup: PacedSetup) -> None:
    run = await paced_raw(setup, rate=150_000, duration_s=0.2)  # 30,000 records in 0.2 s: no Python sender can
    sender = run.extra["sender"]
    assert sender["sent"] == 30_000
    assert sender["achieved_rate"] < 0.95 * 150_000
    kept, why = schedule_kept(run)
    assert not kept
    assert "of 150,000 rec/s asked" in why


@pytest.mark.integration
async def test_the_sender_sees_each_committed_record_exactly_once(setup: PacedSetup) -> None:
    run = await paced_project(setup, group=f"bench-test-{secrets.token_hex(4)}", rate=300, duration_s=1.0)
    sender = run.extra["sender"]
    # Warm-up records commit too, before the window: they must not be counted in it.
    assert (sender["sent"], sender["committed"], sender["censored"]) == (300, 300, 0)
    assert run.latencies_ms["committed"].count == 300
    assert run.latencies_ms["handled"].count == 300
    assert run.latencies_ms["handled"].p50 <= run.latencies_ms["committed"].p50 * 1.02
    assert run.extra["lag_samples"]
    assert await setup.pool.fetchval("SELECT count(*) FROM bench_hours") == 300 + WARM_UP_RECORDS
