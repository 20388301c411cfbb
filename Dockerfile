# One image for all four services; the compose file picks the module to run.
FROM python:3.11-slim

# uv pinned like scripts/bootstrap.sh; dependencies are installed before the sources so a code change
# does not reinstall them.
RUN pip install --no-cache-dir uv==0.13.8
# Bytecode compiled at build time: the services run as nobody, who cannot write __pycache__ under /app, so
# without it every start compiles every module it imports again (about a second of CPU per start).
ENV UV_COMPILE_BYTECODE=1
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY contracts ./contracts
COPY services ./services
RUN uv sync --frozen --no-dev && .venv/bin/python -m compileall -q contracts services
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1
USER nobody
CMD ["python", "-m", "registry"]
