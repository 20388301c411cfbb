# Task runner. `make help` lists the targets. The two set-up commands for a new machine are
# `make demo` (start the platform locally and run a short demo) and `make test` (run every test).

SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-14s %s\n", $$1, $$2}'

.PHONY: install
install: ## Install uv and the locked Python environment
	@./scripts/bootstrap.sh

.PHONY: infra-up
infra-up: install ## Start local Kafka (KRaft, Maven jars) and PostgreSQL (embedded), create topics and databases
	@$(RUN) python -m common.localinfra up

.PHONY: infra-status
infra-status: ## Show whether local Kafka and PostgreSQL are up
	@$(RUN) python -m common.localinfra status

.PHONY: infra-down
infra-down: ## Stop local Kafka and PostgreSQL
	@$(RUN) python -m common.localinfra down

.PHONY: up
up: infra-up ## Start the infrastructure, the four services and the portal in the background
	@$(RUN) python deploy/local/localplatform.py up

.PHONY: demo
demo: up ## Start everything and run a short demo through it, printing what happened
	@$(RUN) python deploy/local/demo.py

.PHONY: status
status: ## Show the readiness of the four services, the portal and the infrastructure
	@$(RUN) python deploy/local/localplatform.py status; $(RUN) python -m common.localinfra status

.PHONY: down
down: ## Stop the services and the infrastructure
	@$(RUN) python deploy/local/localplatform.py down; $(RUN) python -m common.localinfra down

.PHONY: portal-assets
portal-assets: ## Vendor the portal's CSS/JS from npm (pinned) into its static folder, and install axe-core for its tests
	@services/portal/scripts/vendor-assets.sh

.PHONY: portal-messages
portal-messages: install ## Extract the portal's messages and merge them into its nl/en catalogues (then translate nl)
	@services/portal/scripts/messages.sh

.PHONY: browser-test-deps
browser-test-deps: ## axe-core for the browser tests (npm ci when the lock changed; checks the vendored assets too)
	@services/portal/scripts/vendor-assets.sh --check

.PHONY: test-portal
test-portal: install browser-test-deps ## The portal's tiers: fast (stand-in services) and browser (Chromium on the real services)
	@$(RUN) pytest tests/portal

.PHONY: test
test: install browser-test-deps ## Run every test (unit, contract, integration, end-to-end, fault injection, browser)
	@$(RUN) pytest

.PHONY: test-fast
test-fast: install ## The fast tier: domain, use cases on fakes, contracts; no Kafka or PostgreSQL (under a minute)
	@$(RUN) pytest -m "not integration and not e2e and not faults"

.PHONY: test-integration
test-integration: install ## Every test except the fault-injection tier (integration and end-to-end on real servers)
	@$(RUN) pytest -m "not faults"

.PHONY: test-faults
test-faults: install ## Only the fault-injection tier: kill -9, restarts, poison, ops, on a private broker and database
	@$(RUN) pytest -m faults

.PHONY: test-fuzz
test-fuzz: install ## Only the fuzzing tier: schemathesis and the tenant matrix against the four services (~6 min)
	@$(RUN) pytest -m fuzz

.PHONY: bench
bench: install bench-peer-env ## Benchmarks against raw aiokafka/asyncpg and a Quix Streams peer (~40 min); table + bench-results/
	@$(RUN) python -m bench

.PHONY: bench-smoke
bench-smoke: install bench-peer-env ## Tiny benchmark run (~2 min) that checks every scenario's harness works, not speed
	@$(RUN) python -m bench --smoke

.PHONY: bench-peer-env
bench-peer-env: install ## Install the benchmark peer's own locked environment (bench/peers/quix: Quix Streams, psycopg)
	@$(RUN) python -m bench.peer

.PHONY: lint
lint: install ## ruff lint and format check, and the import contracts between layers and services (.importlinter)
	@$(RUN) ruff check . && $(RUN) ruff format --check . && $(RUN) lint-imports

.PHONY: typecheck
typecheck: install ## mypy --strict over services, contracts, deploy scripts and benchmarks
	@$(RUN) mypy services contracts deploy bench

.PHONY: schemas
schemas: install ## Regenerate the committed JSON Schemas of every event
	@$(RUN) python -m contracts.schema_export

.PHONY: release-schemas
release-schemas: install ## Record the event schemas as released baselines (refuses incompatible changes)
	@$(RUN) python -m contracts.schema_export --release

.PHONY: tools
tools: ## Build or install the deployment check tools once per version (helm, kubernetes-validate, AsyncAPI parser)
	@tools/ensure-tools.sh

.PHONY: check-asyncapi
check-asyncapi: ## Check docs/asyncapi/ with the official AsyncAPI parser (no errors allowed)
	@tools/ensure-tools.sh node >/dev/null && node tools/node/validate-asyncapi.mjs docs/asyncapi/*.json

.PHONY: check-alerts
check-alerts: ## promtool check rules and promtool test rules on deploy/observability (Debian's prometheus package)
	@command -v promtool >/dev/null || { echo "promtool not found: apt-get install --no-install-recommends prometheus" >&2; exit 1; }
	@promtool check rules deploy/observability/alerts.yaml && promtool test rules deploy/observability/alerts.test.yaml

.PHONY: check-chart
check-chart: ## helm lint --strict and helm template | kubernetes-validate --strict on deploy/helm
	@tools/check-chart.sh

.PHONY: docs
docs: install ## Regenerate the AsyncAPI documents and the README tables from the code
	@$(RUN) python -m common.asyncapi docs/asyncapi && $(RUN) python -m common.readme_tables README.md
