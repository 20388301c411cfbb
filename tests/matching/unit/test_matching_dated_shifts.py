"""A task's dated shifts (issue 18) count for the availability fit as the weekly hours they fall on, Dutch time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from contracts.events import DatedShift, WeeklySlot
from matching.domain.schedule import dated_slots, describe, slots_mask


def _shift(starts_at: datetime, ends_at: datetime) -> DatedShift:
    return DatedShift(starts_at=starts_at, ends_at=ends_at, capacity=2)


def test_the_first_saturdays_at_nine_dutch_time_need_saturday_morning_on_both_sides_of_the_clock_change() -> None:
    shifts = [
        _shift(datetime(2026, 10, 3, 7, tzinfo=UTC), datetime(2026, 10, 3, 10, tzinfo=UTC)),  # 09:00 CEST
        _shift(datetime(2026, 11, 7, 8, tzinfo=UTC), datetime(2026, 11, 7, 11, tzinfo=UTC)),  # 09:00 CET
    ]
    slots = dated_slots(shifts, date(2026, 9, 20), weeks=8)
    assert slots == [WeeklySlot(weekday=6, start=time(9), end=time(12))]
    assert describe(slots_mask(slots)) == "zaterdag 09:00–12:00"


def test_only_the_shifts_in_the_coming_weeks_count_and_a_night_shift_is_cut_at_midnight() -> None:
    shifts = [
        _shift(datetime(2026, 9, 1, 7, tzinfo=UTC), datetime(2026, 9, 1, 10, tzinfo=UTC)),  # past
        _shift(datetime(2026, 9, 22, 20, tzinfo=UTC), datetime(2026, 9, 23, 4, tzinfo=UTC)),  # Tue 22:00-06:00
        _shift(datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 1, 11, tzinfo=UTC)),  # beyond 4 weeks
    ]
    assert dated_slots(shifts, date(2026, 9, 20)) == [WeeklySlot(weekday=2, start=time(22), end=time(23, 59))]
