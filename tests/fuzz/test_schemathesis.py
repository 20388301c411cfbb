"""Schemathesis, a third-party fuzzer, against every service's OpenAPI with a real token of each role.

Each service runs as a process on the session's Kafka and PostgreSQL (``tests/fuzz/conftest.py``); the
schemathesis command runs all four phases (the schema's examples, coverage of boundary and invalid values,
random fuzzing, stateful sequences along the links it infers) with a bounded number of examples per operation,
and fails on any server error or any response that contradicts the schema: an undocumented status, a body
that does not match, a wrong content type, a missing documented header.

``FUZZ_MAX_EXAMPLES`` (default 5; the coverage phase, most of the cases, is fixed by the schema),
``FUZZ_WORKERS`` (default 2) and ``FUZZ_SEED`` (default fixed, so CI is reproducible; ``random`` for a
new one) tune it; ``FUZZ_REPORT_DIR`` keeps schemathesis' JUnit and NDJSON reports.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fuzz.conftest import ROLES, SERVICES, Region

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.fuzz]

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "missing_required_header",
)
# Left out: negative_data_rejection, which counts pydantic's lax coercions as "schema-violating request
# accepted" (0 for false, "5" for 5: unambiguous, and what the models are meant to accept), and answers of 413
# to a body over the size limit; positive_data_acceptance, which expects random ids and roles to succeed.
PHASES = "examples,coverage,fuzzing,stateful"
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "5"))
# Concurrent requests per run: the services wait on PostgreSQL as much as on the CPU.
WORKERS = os.environ.get("FUZZ_WORKERS", "2")
SEED = os.environ.get("FUZZ_SEED", "20261205")
CALLERS = ("ops", *ROLES)


def _token(region: Region, caller: str) -> str:
    return region.ops_token if caller == "ops" else region.a.tokens[caller]


def _config(region: Region, directory: Path) -> Path:
    """A schemathesis.toml that fills path parameters with tenant A's real ids half of the time.

    Random ids alone mostly meet 404; with A's own records the fuzzer also reaches what lies behind them.
    """
    a = region.a
    known = {"centrale_id": a.centrale_id, "code": a.municipality_code, **a.ids}
    lines = []
    for name, value in known.items():
        lines += [f"[dictionaries.{name}]", f'values = ["{value}"]', ""]
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}' for name in known]
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "schemathesis.toml"
    config.write_text("\n".join(lines) + "\n")
    return config


@pytest.mark.parametrize("caller", CALLERS)
# The registry last: its volunteer run may erase A's volunteer (DELETE /v1/me), revoking that token everywhere.
@pytest.mark.parametrize("service", sorted(SERVICES, key=lambda service: service == "registry"))
def test_schemathesis_finds_no_server_error_and_no_response_against_the_schema(
    region: Region, service: str, caller: str, tmp_path: Path
) -> None:
    report_dir = Path(os.environ.get("FUZZ_REPORT_DIR", tmp_path)) / f"{service}-{caller}"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(_config(region, report_dir)),
        "run",
        f"{region.url(service)}/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        PHASES,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        WORKERS,
        "--request-timeout",
        "30",
        "--header",
        f"Authorization: Bearer {_token(region, caller)}",
        "--suppress-health-check",
        "all",
        "--report",
        "junit,ndjson",
        "--report-dir",
        str(report_dir),
        "--no-color",
    ]
    if SEED != "random":
        command += ["--seed", SEED]
    started = time.monotonic()
    hooks = Path(__file__).with_name("schemathesis_hooks.py")
    environment = {**os.environ, "SCHEMATHESIS_HOOKS": str(hooks)}
    finished = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False, env=environment)
    elapsed = time.monotonic() - started
    cases = next((line.strip() for line in finished.stdout.splitlines() if re.match(r"\s*\d+ generated", line)), "")
    print(f"\nschemathesis {service} as {caller}: {elapsed:.1f} s, exit {finished.returncode}, {cases}")
    assert finished.returncode == 0, finished.stdout[-12000:] + finished.stderr[-2000:]
