"""Benchmark tests: those that publish on the catalogue topics run last in the session."""

from __future__ import annotations

import pytest

# They publish HoursLogged on the catalogue topic ``registry.hours.v1`` of the session's broker (the smoke
# benchmark also the NLdoet spike's registrations, tasks and matches on theirs) and the smoke benchmark moves
# the ``appreciation`` and ``reporting`` groups; the services that end-to-end tests start read their topics
# from the beginning, so those records must not be there before them.
_PUBLISHING = ("test_bench_sender.py", "test_bench_smoke.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the tests that publish to the end of the session (the smoke benchmark last)."""
    last = sorted(
        (item for item in items if item.path.name in _PUBLISHING), key=lambda item: _PUBLISHING.index(item.path.name)
    )
    if last:
        items[:] = [item for item in items if item.path.name not in _PUBLISHING] + last
