"""Benchmark tests: the smoke benchmark runs last in the session."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the smoke benchmark to the end of the session.

    It publishes HoursLogged on the catalogue topic ``registry.hours.v1`` of the session's broker, and the
    NLdoet spike's registrations, tasks and matches on theirs, and it moves the ``appreciation`` and
    ``reporting`` groups; the services that end-to-end tests start read their topics from the beginning,
    so those records must not be there before them.
    """
    smoke = [item for item in items if item.path.name == "test_bench_smoke.py"]
    if smoke:
        items[:] = [item for item in items if item.path.name != "test_bench_smoke.py"] + smoke
