"""What a service's start imports: numpy only where consuming needs it (it takes a quarter of a second)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("service", ["registry", "appreciation", "reporting"])
def test_a_service_that_needs_numpy_only_for_some_requests_starts_without_importing_it(service: str) -> None:
    # A fresh interpreter: this test process has long imported numpy (other tests, the partitioner's rounds).
    found = subprocess.run(
        [sys.executable, "-c", f"import sys, {service}.main; print('numpy' in sys.modules)"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert found.stdout.strip() == "False"
