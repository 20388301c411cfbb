"""Periods (labels, months, Dutch names) and the booking of late events after a period closed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reporting.periods import Closure, Period, PeriodError, book, shift_months


@pytest.mark.parametrize(
    ("label", "first", "last", "name"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 1), "2026"),
        ("2026-Q2", date(2026, 4, 1), date(2026, 6, 1), "2e kwartaal 2026"),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 1), "2e halfjaar 2026"),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 1), "maart 2026"),
        ("2026-11..2027-02", date(2026, 11, 1), date(2027, 2, 1), "november 2026 tot en met februari 2027"),
    ],
)
def test_period_labels_name_whole_months(label: str, first: date, last: date, name: str) -> None:
    period = Period.parse(label)

    assert (period.first_month, period.last_month, period.describe()) == (first, last, name)
    assert period.end == datetime(last.year + (last.month == 12), last.month % 12 + 1, 1)


@pytest.mark.parametrize("label", ["2026-13", "2026-Q5", "26", "2026-05..2026-01", "1999", "2020-01..2024-01", ""])
def test_bad_period_labels_are_refused(label: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(label)


def test_a_late_event_is_booked_in_the_first_month_after_what_was_closed_when_it_was_recorded() -> None:
    january_closed = Closure(datetime(2026, 2, 5, tzinfo=UTC), date(2026, 1, 1))
    february_closed = Closure(datetime(2026, 3, 4, tzinfo=UTC), date(2026, 2, 1))
    closures = [january_closed, february_closed]
    january = date(2026, 1, 1)

    assert book(january, datetime(2026, 1, 31, tzinfo=UTC), []) == january
    assert book(january, datetime(2026, 2, 4, tzinfo=UTC), closures) == january  # recorded before the closing
    assert book(january, datetime(2026, 2, 20, tzinfo=UTC), closures) == date(2026, 2, 1)
    assert book(january, datetime(2026, 3, 10, tzinfo=UTC), closures) == date(2026, 3, 1)
    assert book(date(2026, 3, 1), datetime(2026, 3, 10, tzinfo=UTC), closures) == date(2026, 3, 1)


def test_months_later_keeps_the_day_or_takes_the_last_one() -> None:
    assert shift_months(datetime(2026, 1, 31, 10), 1) == datetime(2026, 2, 28, 10)
    assert shift_months(datetime(2025, 12, 10, 10), 3) == datetime(2026, 3, 10, 10)
    assert shift_months(datetime(2026, 8, 31), -6) == datetime(2026, 2, 28)
