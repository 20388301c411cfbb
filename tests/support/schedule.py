"""Shift days for tests that log hours for today.

The registry refuses hours for today before today's first shift has started (``domain.check_task_started``), so a
test whose task has a shift on today's weekday cannot log today's hours before that shift, at night. Tests that log
today's hours put their shifts (and the volunteer's availability, so that matching still proposes them) on a
weekday that is not today's.
"""

from __future__ import annotations

from datetime import timedelta

from common.clock import dutch_today


def a_weekday_not_today() -> int:
    """The ISO weekday two days from today in the Netherlands: not today's, even when a test run crosses midnight."""
    return (dutch_today() + timedelta(days=2)).isoweekday()
