"""When jobs are due: intervals aligned to the epoch, daily moments in Dutch wall-clock time across DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from common.jobs import DailyAt, Every, latest_due
from common.jobs.model import due_moments_between


def test_an_hourly_job_is_due_on_the_hour() -> None:
    assert latest_due(Every(timedelta(hours=1)), datetime(2026, 12, 5, 16, 59, 59, tzinfo=UTC)) == datetime(
        2026, 12, 5, 16, tzinfo=UTC
    )
    assert latest_due(Every(timedelta(hours=1)), datetime(2026, 12, 5, 17, tzinfo=UTC)) == datetime(
        2026, 12, 5, 17, tzinfo=UTC
    )


def test_a_daily_job_before_its_time_is_due_for_yesterday() -> None:
    # 03:00 in Amsterdam in winter is 02:00 UTC.
    schedule = DailyAt(time(3, 0))
    assert latest_due(schedule, datetime(2026, 12, 5, 1, 59, tzinfo=UTC)) == datetime(2026, 12, 4, 2, tzinfo=UTC)
    assert latest_due(schedule, datetime(2026, 12, 5, 2, 0, tzinfo=UTC)) == datetime(2026, 12, 5, 2, tzinfo=UTC)


def test_a_daily_job_keeps_its_wall_clock_time_in_summer() -> None:
    # 03:00 in Amsterdam in summer (CEST, UTC+2) is 01:00 UTC.
    assert latest_due(DailyAt(time(3, 0)), datetime(2026, 7, 1, 12, tzinfo=UTC)) == datetime(2026, 7, 1, 1, tzinfo=UTC)


def test_missed_moments_are_counted_across_a_dst_change() -> None:
    # Clocks go forward on 2026-03-29: the daily 03:00 run is still one per day.
    schedule = DailyAt(time(3, 0))
    after = latest_due(schedule, datetime(2026, 3, 27, 12, tzinfo=UTC))
    until = latest_due(schedule, datetime(2026, 3, 31, 12, tzinfo=UTC))
    assert due_moments_between(schedule, after, until) == 4


def test_an_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Every(timedelta(0))
