"""Days to a first match: the median and 90th percentile numpy reads give exactly what Python's statistics gave."""

from __future__ import annotations

import statistics

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from reporting.cells import _sorted_median, _sorted_percentile
from reporting.cube import percentile

# Durations as the aggregates keep them: seconds between two local times, float8.
_SECONDS = st.lists(st.floats(min_value=0, max_value=400 * 86_400, allow_nan=False), min_size=1, max_size=60)


@given(_SECONDS)
def test_the_median_and_percentile_of_sorted_days_equal_the_python_ones(seconds: list[float]) -> None:
    days = [value / 86_400 for value in sorted(seconds)]
    ordered = np.sort(np.asarray(seconds, dtype=np.float64)) / 86_400

    assert _sorted_median(ordered) == statistics.median(days)
    assert _sorted_percentile(ordered, 0.9) == percentile(days, 0.9)
    assert isinstance(_sorted_median(ordered), float)  # a numpy scalar would not serialise as JSON
