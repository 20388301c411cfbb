"""Days to a first match: the durations numpy sorts give exactly the median and 90th percentile Python's gave."""

from __future__ import annotations

import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.cells import _days
from reporting.cube import percentile

# Durations as the aggregates keep them: seconds between two local times, float8.
_SECONDS = st.lists(st.floats(min_value=0, max_value=400 * 86_400, allow_nan=False), min_size=1, max_size=60)


# No deadline: the first example imports numpy (reporting imports it at the first read, not at start), which on a
# busy machine takes longer than Hypothesis's 200 ms; the re-run is quick, and Hypothesis reports that as flaky.
@settings(deadline=None)
@given(_SECONDS)
def test_the_median_and_percentile_of_the_sorted_days_equal_the_python_ones(seconds: list[float]) -> None:
    days = [value / 86_400 for value in sorted(seconds)]
    ordered = _days(seconds)

    assert ordered == days
    assert statistics.median(ordered) == statistics.median(days)
    assert percentile(ordered, 0.9) == percentile(days, 0.9)
    assert all(type(day) is float for day in ordered)  # a numpy scalar would not serialise as JSON
