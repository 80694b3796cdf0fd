# The after-sales line. Two commands matter: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Containers: podman where it is installed, else docker.
ENGINE ?= $(shell command -v podman >/dev/null 2>&1 && echo podman || echo docker)
COMPOSE ?= $(shell command -v podman-compose >/dev/null 2>&1 && echo podman-compose || echo docker compose)
IMAGE ?= localhost/aftersales:latest
BASE_IMAGE ?= docker.io/library/python:3.11-slim-bookworm
STACK ?= deploy/compose.yaml
DEALER_ENV ?= deploy/dealer.env
# Compose prefers the shell's variables to the env file's: the settings `make run` and the tests read are dropped.
LINE_COMPOSE = env -u AMQP_URI -u SEED -u LOG_LEVEL -u DEALER_ID $(COMPOSE) --env-file $(DEALER_ENV) -f $(STACK)
BENCH_ARGS ?=

.PHONY: install check-system run test unit integration service e2e lint wheelhouse image up down bench bench-hq chaos schemas asyncapi clean i18n vendor browser

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

## Start all six services with demo data and print each department's URL.
run: install
	$(PY) scripts/run_line.py

## Chromium, the Chinese font and pango present (installed as root on Debian), else one line saying what to do.
check-system:
	@bash scripts/check_system.sh

## Everything, bottom of the pyramid first: unit, integration, service, end-to-end, browser (and deploy checks).
test: check-system install
	$(PY) -m pytest

## Domain rules and contracts only: no broker, no database (the folder refuses either; seconds).
unit: install
	$(PY) -m pytest tests/unit -q

## One service's use cases on a real, migrated SQLite schema (no broker).
integration: install
	$(PY) -m pytest tests/integration -q

## One or two services as processes against a real RabbitMQ and database.
service: install
	$(PY) -m pytest tests/service -q

## The whole line of seven services on a real RabbitMQ, one line per test module.
e2e: install
	$(PY) -m pytest tests/e2e -q

## The department UIs in headless Chromium (Debian's chromium package).
browser: check-system install
	$(PY) -m pytest tests/browser -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo

## The dependencies' wheels for the image, at the versions the tests ran with (.venv), so the build needs no index.
wheelhouse: install
	rm -rf wheelhouse && mkdir wheelhouse
	$(PY) -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
		> wheelhouse/requirements.txt
	$(PIP) freeze --exclude-editable > wheelhouse/constraints.txt
	$(PIP) wheel -q --wheel-dir wheelhouse -r wheelhouse/requirements.txt -c wheelhouse/constraints.txt

## One image for the seven services (Containerfile); BASE_IMAGE=localhost/debian:bookworm where no registry answers.
image: wheelhouse
	$(ENGINE) build $(if $(filter podman,$(notdir $(ENGINE))),--format docker) --build-arg BASE_IMAGE=$(BASE_IMAGE) -t $(IMAGE) -f Containerfile .

## One dealership's line from the image: STACK=deploy/compose.yaml (own RabbitMQ and PostgreSQL, the default) or
## deploy/compose.host.yaml (the host's), configured by DEALER_ENV (see README, Deployment).
up:
	@test -f $(DEALER_ENV) || { echo "no $(DEALER_ENV): copy deploy/dealer.env.example (or dealer-host.env.example) and edit it"; exit 1; }
	$(LINE_COMPOSE) --profile migrate run --rm migrate
	$(LINE_COMPOSE) up -d

down:
	$(LINE_COMPOSE) down

## Visits through the whole line (a concurrency sweep and a paced run) against raw RabbitMQ, a bare nameko chain and
## a persisted chain, in one run; each goal met / not met; exits 1 when a visit failed. A few minutes by default;
## the full run: make bench BENCH_ARGS="--visits 200 --paced-seconds 60" (see README, Performance).
bench: install
	$(PY) -m bench.bench $(BENCH_ARGS)

## The failure drill on PostgreSQL (DATABASE_URL; root for the restarts): 200 visits, or VISITS=n, while every service
## is killed -9 three times, the broker and PostgreSQL restarted; 0 lost / doubled / stuck or it fails.
## CHAOS_ARGS=--soft closes this run's connections instead of restarting the broker and PostgreSQL.
chaos: install
	$(PY) -m tools.chaos --visits $(if $(filter command line environment,$(origin VISITS)),$(VISITS),200) $(CHAOS_ARGS)

## Write every event's JSON Schema to var/schemas/.
schemas: install
	$(PY) -m contracts var/schemas

## The event catalogue: contracts/asyncapi.yaml (AsyncAPI 3.0) generated from contracts/ and validated against the
## official AsyncAPI 3.0.0 JSON Schema (tools/schemas/); commit the result.
asyncapi: install
	$(PY) -m tools.asyncapi

## HQ's ingest from the hq.events stream into PostgreSQL: HQ_EVENTS events (1,000,000; e.g. HQ_EVENTS=100000)
## published, ingested, then replayed from the first offset (needs DATABASE_URL or a local PostgreSQL).
HQ_EVENTS ?= 1000000
bench-hq: install
	$(PY) -m bench.hq --events $(HQ_EVENTS)

clean:
	rm -rf var

## Extract message ids into var/messages.pot and merge them into the Chinese catalog.
i18n: install
	mkdir -p var
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k N_ -k DomainError -k NotFound -o var/messages.pot --no-location --omit-header .
	$(VENV)/bin/pybabel -q update -i var/messages.pot -d kit/translations -l zh_CN --no-fuzzy-matching

## Refresh the vendored front-end packages (htmx, signature_pad) from npm; the result is committed.
vendor:
	bash scripts/vendor.sh
